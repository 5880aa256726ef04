"""Adapters of the posts service: PostgreSQL, the outbox relay, Redis limits, passwords."""
