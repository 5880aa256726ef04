"""The relay outlives PostgreSQL dropping its connections (what a restart does to them),
listens again, and says in /readyz and /metrics when it is not publishing."""

from __future__ import annotations

import asyncpg

from tests.integration.kafka_tools import wait_until
from tests.integration.posts.conftest import post_body


async def drop_the_services_connections(dsn: str) -> int:
    """What a PostgreSQL restart does to the posts service: every connection closed."""
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'entraide-posts' AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()


async def test_the_relay_survives_dropped_connections_and_listens_again(make_posts):
    # A 10-minute safety poll: only NOTIFY, on a LISTEN made again, can publish promptly.
    posts = await make_posts(outbox_safety_poll_s=600)
    relay = posts.wiring.relay
    member = await posts.member()
    await wait_until(lambda: relay.published >= 1, what="the registration's event")
    assert relay.listens == 1
    assert await drop_the_services_connections(posts.settings.postgres_dsn) >= 1
    # Woken by the drop itself, not by the poll ten minutes later: it listens again.
    await wait_until(lambda: relay.listens == 2, what="a LISTEN again on a new connection")
    await wait_until(lambda: relay.last_error is None, what="a good pass")
    published = relay.published
    response = await posts.client.post("/posts", json=post_body(), headers=member.auth)
    # The pool's dropped connections are replaced: at most a 503 for one, never a 500.
    assert response.status_code in (201, 503), response.text
    if response.status_code == 503:
        response = await posts.client.post("/posts", json=post_body(), headers=member.auth)
    assert response.status_code == 201, response.text
    await wait_until(lambda: relay.published > published, timeout_s=10, what="woken by NOTIFY")
    assert relay.running and relay.problem() is None
    metrics = (await posts.client.get("/metrics")).text
    assert "entraide_outbox_failed_passes_total" in metrics
    assert "entraide_outbox_oldest_pending_age_seconds" in metrics


async def test_posts_is_not_ready_while_its_relay_does_not_run(make_posts):
    posts = await make_posts()
    relay = posts.wiring.relay
    await wait_until(lambda: relay.running, what="the relay")
    assert (await posts.client.get("/readyz")).status_code == 200
    await posts.background.stop()
    ready = await posts.client.get("/readyz")
    assert ready.status_code == 503
    assert "relay" in ready.json()["failures"]
