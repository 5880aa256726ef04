"""Consumer lag of a group: messages on its topics that it has not committed yet."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient


async def group_lags(bootstrap: str, groups: Iterable[str]) -> dict[str, int | str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    try:
        # Inside the try: a broker that is down still gets both clients closed.
        await admin.start()
        await consumer.start()
        lags: dict[str, int | str] = {}
        for group in groups:
            committed = await admin.list_consumer_group_offsets(group)
            if not committed:
                lags[group] = "no committed offsets"
                continue
            ends = await consumer.end_offsets(list(committed))
            lags[group] = sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items())
        return lags
    finally:
        await consumer.stop()
        await admin.close()
