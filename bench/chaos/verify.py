"""What the chaos suite counts once the load is over, from Kafka itself and from what
the clients received."""

from __future__ import annotations

from collections import Counter

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.contract.catalogue import MATCHES, NOTIFICATIONS, POSTS

READ_TIMEOUT_MS = 1_000


async def partitions_of(bootstrap: str, topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [p["partition"] for p in described["partitions"]]


async def read_all(bootstrap: str, topic: str) -> list[dict]:
    """Every record of ``topic`` from its start to its end now, decoded (JSON)."""
    partitions = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        values = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=READ_TIMEOUT_MS)).values():
                values += [orjson.loads(r.value) for r in records]
        return values
    finally:
        await consumer.stop()


async def counts(bootstrap: str, load, clients) -> dict:
    posts = await read_all(bootstrap, POSTS.name)
    created = [e for e in posts if e["type"].endswith("post.created.v1")]
    on_kafka = {e["subject"] for e in created}
    published = Counter(e["id"] for e in posts)
    matches = {(e["data"]["request_id"], e["data"]["offer_id"])
               for e in await read_all(bootstrap, MATCHES.name)}  # fmt: skip
    alerted = {(e["data"]["post_id"], e["data"]["member_id"])
               for e in await read_all(bootstrap, NOTIFICATIONS.name)
               if e["data"]["reason"] == "urgent_alert"}  # fmt: skip
    acked = set(load.acked)
    missed = [len(acked - set(c.post_events)) for c in clients]
    return {
        "posts_acknowledged": len(acked),
        "acknowledged_missing_on_kafka": len(acked - on_kafka),
        "events_published_twice": sum(1 for n in published.values() if n > 1),
        "events_never_received": {"total": sum(missed), "worst_client": max(missed)},
        "frames_received_twice_raw": sum(c.duplicate_frames for c in clients),
        # A post shown twice though deduplicated by event id: two events for one creation.
        "posts_shown_twice_after_dedupe": sum(
            1 for c in clients for ids in c.post_events.values() if len(ids) > 1
        ),
        "snapshot_required": sum(c.snapshots for c in clients),
        "pairs": len(load.pairs),
        "pairs_without_a_match": sum(1 for pair in load.pairs if pair not in matches),
        "urgent_requests": len(load.urgent),
        "alerts_never_reaching_a_consenting_member": sum(
            1 for post in load.urgent for m in load.helpers if (post, m) not in alerted
        ),
        "http_500": sum(1 for _, status in load.answers if status == 500),
        "http_503": sum(1 for _, status in load.answers if status == 503),
        "http_other_failures": sum(1 for _, s in load.answers if s not in (201, 500, 503)),
        "client_reconnects": sum(c.reconnects for c in clients),
    }
