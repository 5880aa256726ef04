"""The operator's tools: the ``entraide`` command, the local servers (Kafka, PostgreSQL,
Redis), the local process supervisor, the demo and the generated documents.

No service imports this package (an import-linter contract checks it), and the
services' image does not copy it."""
