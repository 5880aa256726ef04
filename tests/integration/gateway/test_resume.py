"""Cursors: a client that reconnects (to any gateway) gets exactly what it missed."""

import pytest

from shared.contract import events as m
from tests.factories import NOW, public_post
from tests.integration.gateway.conftest import read_at_least


async def publish_posts(gateways, count: int, prefix: str) -> list[str]:
    ids = []
    for n in range(count):
        post = public_post(f"{prefix}{n:04d}")
        ids.append(await gateways.put(m.PostCreated(post_id=post.post_id, post=post)))
    return ids


@pytest.mark.timeout(180)
async def test_500_missed_events_replay_in_order_on_another_gateway(gateways):
    first, second = await gateways.start(), await gateways.start()
    socket = await gateways.socket(first)
    await socket.subscribe("feed")
    before = await publish_posts(gateways, 3, "a")
    await socket.wait_for(lambda s: len(s.events()) >= 3)
    cursor = socket.events()[-1]["cursor"]
    await socket.close()

    missed = await publish_posts(gateways, 500, "b")
    # Let the second gateway read them all before the client comes back.
    await read_at_least(second, 503)

    back = await gateways.socket(second)
    await back.subscribe("feed", cursor=cursor)
    await back.wait_for(lambda s: len(s.events()) >= 500, 30)
    replayed = [f["event"]["id"] for f in back.events()]
    assert set(replayed) == set(missed) and len(replayed) == 500  # none twice, none before
    assert not set(replayed) & set(before)
    # In order per post partition, and live afterwards without a gap.
    live = await publish_posts(gateways, 2, "c")
    await back.wait_for(lambda s: len(s.events()) >= 502)
    assert [f["event"]["id"] for f in back.events()[-2:]] == live
    assert back.of_type("resumed")[0]["replayed"] == 500


async def test_replayed_events_keep_each_partitions_order(gateways):
    gateway = await gateways.start()
    socket = await gateways.socket(gateway)
    await socket.subscribe("feed")
    await publish_posts(gateways, 1, "x")
    await socket.wait_for(lambda s: len(s.events()) >= 1)
    cursor = socket.events()[-1]["cursor"]
    await socket.close()
    post = public_post("one-post")
    created = await gateways.put(m.PostCreated(post_id=post.post_id, post=post))
    resolved = await gateways.put(
        m.PostResolved(post_id=post.post_id, outcome="helped", resolved_at=NOW)
    )
    await read_at_least(gateway, 3)
    back = await gateways.socket(gateway)
    await back.subscribe("feed", cursor=cursor)
    await back.wait_for(lambda s: len(s.events()) >= 2)
    assert [f["event"]["id"] for f in back.events()] == [created, resolved]


async def test_a_cursor_beyond_the_window_gets_snapshot_required(gateways):
    gateway = await gateways.start(resume_events_per_partition=5)
    socket = await gateways.socket(gateway)
    await socket.subscribe("feed")
    await publish_posts(gateways, 1, "old")
    await socket.wait_for(lambda s: len(s.events()) >= 1)
    cursor = socket.events()[-1]["cursor"]
    await socket.close()
    await publish_posts(gateways, 40, "new")  # 3 partitions x 5 kept: the gap is lost
    await read_at_least(gateway, 41)
    back = await gateways.socket(gateway)
    await back.subscribe("feed", cursor=cursor)
    await back.wait_for(lambda s: bool(s.of_type("snapshot_required")))
    (snapshot,) = back.of_type("snapshot_required")
    assert snapshot["channel"] == "feed" and snapshot["cursor"]
    assert back.events() == []
    # and it is live from there on
    await publish_posts(gateways, 1, "after")
    await back.wait_for(lambda s: len(s.events()) == 1)


async def test_a_cursor_of_another_member_or_forged_is_refused(gateways):
    gateway = await gateways.start()
    lea = await gateways.socket(gateway, gateways.token("u-lea"))
    await lea.subscribe("feed")
    await publish_posts(gateways, 1, "p")
    await lea.wait_for(lambda s: len(s.events()) >= 1)
    cursor = lea.events()[-1]["cursor"]

    sam = await gateways.socket(gateway, gateways.token("u-sam"))
    anonymous = await gateways.socket(gateway)
    vector, _, tag = cursor.partition(".")
    for socket, bad in ((sam, cursor), (anonymous, cursor), (lea, f"{vector}.{'A' * len(tag)}"),
                        (lea, "garbage"), (lea, f"{vector}AAAA.{tag}")):  # fmt: skip
        errors = len(socket.of_type("error"))
        await socket.send({"type": "subscribe", "channel": "feed", "cursor": bad})
        await socket.wait_for(lambda s, n=errors: len(s.of_type("error")) > n)
        assert socket.of_type("error")[-1]["code"] == "bad_cursor"
    # lea's own cursor still works
    await lea.subscribe("feed", cursor=cursor)
    await lea.wait_for(lambda s: bool(s.of_type("resumed")))
    assert lea.of_type("resumed")[-1]["replayed"] == 0
