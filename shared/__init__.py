"""Entraide's own shared package: the event contract, Kafka helpers, settings, local infra."""
