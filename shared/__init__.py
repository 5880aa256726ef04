"""What the services share: the contract (``shared.contract``, pure) and the runtime
(``shared.runtime``: Kafka, HTTP, tokens, tracing, settings). The operator's tools are
not here: they are the top-level ``ops`` package, which no service imports."""
