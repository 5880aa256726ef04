"""The outbox relay under crashes and in several copies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict

from services.posts.bootstrap import build_relay
from shared.contract.envelope import decode_event
from shared.runtime.kafka import build_producer
from shared.runtime.settings import PROJECT_ROOT
from tests.factories import sample_events
from tests.integration.kafka_tools import read_topic, wait_until

EVENTS_PER_POST = 5  # sample_events()[:5] all go to posts.v1


async def fill_outbox(posts, n_posts: int) -> dict[str, list[str]]:
    """Write n_posts x 5 events to the outbox; return each post's event ids in order."""
    async with posts.wiring.handlers.store.transaction() as uow:
        for i in range(n_posts):
            await uow.add_events(sample_events(f"p{i:05d}")[:EVENTS_PER_POST])
        rows = await uow.conn.fetch("SELECT event_id, key FROM outbox ORDER BY id")
    order: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        order[row["key"]].append(row["event_id"])
    return order


async def published_count(posts) -> int:
    async with posts.wiring.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL")


def start_relay_process(posts, log) -> subprocess.Popen:
    s = posts.settings
    env = dict(
        os.environ,
        ENTRAIDE_KAFKA_BOOTSTRAP=s.kafka_bootstrap,
        ENTRAIDE_POSTGRES_DSN=s.postgres_dsn,
        ENTRAIDE_REDIS_URL=s.redis_url,
        ENTRAIDE_POSTGRES_SCHEMA=s.postgres_schema,
        ENTRAIDE_TOPIC_NAMESPACE=s.topic_namespace,
        ENTRAIDE_OUTBOX_BATCH_SIZE="50",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "services.posts.entrypoints.relay"],
        env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip


def assert_each_post_in_order(records, order: dict[str, list[str]]) -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        event_id = decode_event(record.value).envelope.id
        key = record.key.decode()
        if event_id not in seen[key]:  # a re-sent event is a duplicate, not a reordering
            seen[key].append(event_id)
    assert seen == order


async def test_kill_9_in_the_middle_loses_nothing_and_resent_events_keep_their_id(
    make_posts, tmp_path
):
    posts = await make_posts(background=False)
    order = await fill_outbox(posts, n_posts=2000)
    total = sum(len(ids) for ids in order.values())

    log_path = tmp_path / "relay.log"
    log = log_path.open("wb")
    first = start_relay_process(posts, log)
    try:

        async def some_published() -> bool:
            return await published_count(posts) > 0

        for _ in range(3000):
            if await some_published():
                break
            await asyncio.sleep(0.01)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    before = await published_count(posts)
    assert 0 < before < total, f"the relay was not killed mid-way ({before}/{total})"

    second = start_relay_process(posts, log)
    try:
        for _ in range(600):
            if await published_count(posts) == total:
                break
            await asyncio.sleep(0.1)
        assert await published_count(posts) == total
    finally:
        second.terminate()
        exit_code = second.wait(20)
        log.close()
    assert exit_code == 0, log_path.read_text()[-2000:]

    expected_ids = {i for ids in order.values() for i in ids}

    def all_ids_seen(got) -> bool:
        return (
            len(got) >= total and {decode_event(r.value).envelope.id for r in got} >= expected_ids
        )

    records = await read_topic(
        posts.settings.kafka_bootstrap, posts.topics["posts.v1"], total, until=all_ids_seen
    )
    by_id: dict[str, set[bytes]] = defaultdict(set)
    for record in records:
        by_id[decode_event(record.value).envelope.id].add(record.value)
    assert set(by_id) == expected_ids
    # A re-sent event is byte-for-byte the first one: same id, same time, same data.
    assert all(len(values) == 1 for values in by_id.values())
    assert_each_post_in_order(records, order)


async def test_two_relays_at_once_publish_each_event_once_in_order(make_posts):
    posts = await make_posts(background=False)
    order = await fill_outbox(posts, n_posts=600)
    total = sum(len(ids) for ids in order.values())

    producers = [build_producer(posts.settings.kafka_bootstrap) for _ in range(2)]
    relays = []
    for producer in producers:
        await producer.start()
        relays.append(build_relay(posts.wiring.pool, producer, posts.settings))
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        await wait_until(lambda: sum(r.published for r in relays) >= total, timeout_s=60,
                         what="all rows published")  # fmt: skip
    finally:
        for relay in relays:
            relay.stop()
        await asyncio.gather(*tasks)
        for producer in producers:
            await producer.stop()

    assert all(relay.published > 0 for relay in relays), [r.published for r in relays]
    assert sum(relay.published for relay in relays) == total
    records = await read_topic(posts.settings.kafka_bootstrap, posts.topics["posts.v1"], total + 1,
                               timeout_s=3)  # fmt: skip
    ids = [decode_event(r.value).envelope.id for r in records]
    assert len(ids) == len(set(ids)) == total
    assert_each_post_in_order(records, order)
