"""What every service's process needs at run time: Kafka helpers, the HTTP plumbing,
access tokens, tracing, logs, settings, lifecycle and migrations. Never domain rules:
those are in the services' ``domain/`` and the contract."""
