"""Serve an ASGI app on a real loopback port for the length of a test."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn

from tests.integration.kafka_tools import wait_until


@contextlib.asynccontextmanager
async def http_server(app, port: int):
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, 10, "the HTTP server to listen")
    try:
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)
