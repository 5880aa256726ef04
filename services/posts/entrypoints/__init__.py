"""HTTP API (FastAPI) and the standalone relay process of the posts service."""
