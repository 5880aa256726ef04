"""Schemathesis against the notifications service's own OpenAPI document, served over a
real socket: no input gets a 5xx, and every answer is one the document gives (its
status, content type, headers and schema). As the posts service's (tests/integration/
posts/test_fuzz.py), with a partner's token, so that the webhook and outcome routes are
reached past their authorisation."""

from __future__ import annotations

import asyncio

import uvicorn

from services.notifications.entrypoints.app import create_app
from shared.runtime.auth import Role
from tests.integration.kafka_tools import wait_until
from tests.integration.net import free_port
from tests.integration.notifications.conftest import member_id
from tests.integration.posts.test_fuzz import fuzz


async def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    notifications, receiver
):
    port = free_port()
    app = create_app(notifications.settings, notifications.wiring)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="off"))  # fmt: skip
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, 10, "the notifications API to start")
    try:
        auth = notifications.auth(member_id("partner"), Role.PARTNER)
        # A real endpoint, so that generated requests sometimes meet a row, not only 404s.
        created = await notifications.client.post(
            "/v1/webhooks", json={"url": receiver.url, "description": "fuzz"}, headers=auth
        )
        assert created.status_code == 201, created.text
        # Schemathesis is synchronous: off the event loop, which serves the API.
        calls, failures = await asyncio.to_thread(fuzz, f"http://127.0.0.1:{port}", auth)
    finally:
        server.should_exit = True
        await task
    assert failures == [], "\n".join(failures[:20])
    assert calls > 100
