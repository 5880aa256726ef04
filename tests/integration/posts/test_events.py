"""Each state change yields exactly its event on Kafka, with the CloudEvents envelope."""

from __future__ import annotations

import asyncio

from shared.contract import events as E
from shared.runtime.tracing import trace_id
from tests.integration.kafka_tools import wait_until
from tests.integration.posts.conftest import post_body


async def test_every_state_change_yields_exactly_its_event(posts):
    amine, lea = await posts.member("amine"), await posts.member("lea")
    moderator = await posts.moderator()
    c = posts.client

    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    created = await c.post(
        "/posts", json=post_body(), headers={**amine.auth, "traceparent": traceparent}
    )
    assert created.status_code == 201, created.text
    p1 = created.json()["id"]
    assert (
        await c.patch(f"/posts/{p1}", json={"title": "Two tickets, Saturday"}, headers=amine.auth)
    ).status_code == 200
    reply = await c.post(
        f"/posts/{p1}/replies", json={"body": "I have two", "intent": "can_help"}, headers=lea.auth
    )
    assert reply.status_code == 201, reply.text
    assert (
        await c.post(f"/posts/{p1}/resolve", json={"outcome": "helped"}, headers=amine.auth)
    ).status_code == 200

    p2 = (await c.post("/posts", json=post_body(kind="offer"), headers=lea.auth)).json()["id"]
    async with posts.wiring.pool.acquire() as conn:
        await conn.execute(
            "UPDATE posts SET expires_at = now() - interval '1 second' WHERE id = $1", p2
        )
    p3 = (await c.post("/posts", json=post_body(category="goods"), headers=lea.auth)).json()["id"]
    assert (await c.delete(f"/posts/{p3}", headers=moderator.auth)).status_code == 204
    urgent = post_body(
        category="find_a_person", urgency="urgent", title="Lost my brother at the festival"
    )
    p4 = (await c.post("/posts", json=urgent, headers=amine.auth)).json()["id"]

    expected_posts = [
        (p1, E.PostCreated), (p1, E.PostUpdated), (p1, E.PostResolved),
        (p2, E.PostCreated), (p2, E.PostExpired),
        (p3, E.PostCreated), (p3, E.PostRemoved),
        (p4, E.PostCreated),
    ]  # fmt: skip
    post_events = await posts.events("posts.v1", len(expected_posts))
    by_post = {}
    for decoded in post_events:
        by_post.setdefault(decoded.envelope.subject, []).append(type(decoded.event))
    for post_id in (p1, p2, p3, p4):
        assert by_post[post_id] == [cls for pid, cls in expected_posts if pid == post_id]
    assert len(post_events) == len(expected_posts)

    [reply_event] = await posts.events("replies.v1", 1)
    assert isinstance(reply_event.event, E.ReplyCreated)
    assert reply_event.event.post_id == p1 and reply_event.event.author_id == lea.id
    assert reply_event.event.intent == "can_help"

    [placed] = await posts.events("urgent-requests.v1", 1)
    assert isinstance(placed.event, E.UrgentRequestPlaced) and placed.event.post_id == p4
    assert (placed.event.point.lat, placed.event.point.lon) == (48.8937, 2.3934)

    for decoded in post_events:
        envelope = decoded.envelope
        assert envelope.specversion == "1.0" and envelope.source == "/entraide/posts"
        assert envelope.type == decoded.event.event_type
    # The trace started by the HTTP request follows its event onto Kafka.
    first = next(d for d in post_events if d.envelope.subject == p1)
    assert trace_id(first.envelope.traceparent) == trace_id(traceparent)

    # Nothing more arrives: exactly one event per change.
    await asyncio.sleep(0.5)
    again = await posts.events("posts.v1", len(expected_posts) + 1, timeout_s=2)
    assert len(again) == len(expected_posts)


async def test_the_relay_is_woken_by_the_commit_not_by_a_timer(make_posts):
    """With the safety poll at 10 minutes, only NOTIFY can make the relay publish."""
    posts = await make_posts(outbox_safety_poll_s=600)
    member = await posts.member()
    await wait_until(lambda: posts.wiring.relay.passes >= 1, what="the relay's first pass")
    response = await posts.client.post("/posts", json=post_body(), headers=member.auth)
    assert response.status_code == 201
    await wait_until(lambda: posts.wiring.relay.published >= 1, timeout_s=20, what="publish")
