"""Kafka for the benchmarks: the broker's own floors (measured in the same run), a
consumer group's lag, and a watcher that times what arrives on a topic."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient

from bench.harness.load import open_loop
from bench.harness.stats import new_histogram, summary_ms
from shared.runtime.kafka import build_producer

FLOOR_RECORD_BYTES = 600  # about a PostCreated event
BURST_RECORD_BYTES = 480  # about a NotificationCreated event
BURSTS = 6  # the first warms the connections up and is not recorded


async def broker_floor(bootstrap: str, topic: str, rate: float, duration_s: float) -> dict:
    """The broker's produce-to-consume latency at ``rate`` records a second: the floor
    any Kafka pipeline pays on this machine."""
    latency, sent = new_histogram(), {}
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    await asyncio.sleep(1)
    producer = build_producer(bootstrap)
    await producer.start()
    expected = int(rate * duration_s)

    async def consume() -> None:
        received = 0
        while received < expected:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    latency.record_value(max(1, int((now - sent[record.key]) * 1e6)))
                    received += 1

    reader = asyncio.create_task(consume())

    async def send(i: int) -> None:
        key = str(i).encode()
        sent[key] = time.perf_counter()
        await producer.send(topic, key=key, value=b"x" * FLOOR_RECORD_BYTES)

    await open_loop(rate, duration_s, send, new_histogram(), [])
    await asyncio.wait_for(reader, 60)
    await producer.stop()
    await consumer.stop()
    return summary_ms(latency)


async def burst_floor(bootstrap: str, topic: str, count: int) -> dict:
    """The broker alone: ``count`` records sent at once, each timed to its arrival (the
    floor for a service that turns one event into that many)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    await asyncio.sleep(1)
    producer = build_producer(bootstrap)
    await producer.start()
    latency = new_histogram()
    for burst in range(BURSTS):
        started = time.perf_counter()
        acks = [await producer.send(topic, key=str(i).encode(), value=b"x" * BURST_RECORD_BYTES)
                for i in range(count)]  # fmt: skip
        received = 0
        while received < count:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for _ in records:
                    if burst:
                        latency.record_value(max(1, int((now - started) * 1e6)))
                    received += 1
        await asyncio.gather(*acks)
        await asyncio.sleep(0.5)
    await producer.stop()
    await consumer.stop()
    return summary_ms(latency)


class GroupLag:
    """A consumer group's committed-offset lag over every topic it reads. One admin
    client and one consumer for all the samples: a pair per sample (two a second) cost
    this process CPU that the worker shares."""

    def __init__(self, bootstrap: str, group: str) -> None:
        self.group = group
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)

    async def __aenter__(self) -> GroupLag:
        await self.admin.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def messages(self) -> int:
        """-1 until the group has committed an offset."""
        committed = await self.admin.list_consumer_group_offsets(self.group)
        if not committed:
            return -1
        ends = await self.consumer.end_offsets(list(committed))
        return sum(ends[tp] - offset.offset for tp, offset in committed.items())


class TopicWatch:
    """Reads a topic until stopped and hands each record, with its arrival time
    (``time.perf_counter()``), to ``seen``."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        seen: Callable[[ConsumerRecord, float], None],
        start_at: str = "earliest",
        poll_ms: int = 100,
    ) -> None:
        self.consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, auto_offset_reset=start_at
        )
        self.seen, self.poll_ms = seen, poll_ms
        self.stopping = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> TopicWatch:
        await self.consumer.start()
        self.task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        while not self.stopping.is_set():
            for records in (await self.consumer.getmany(timeout_ms=self.poll_ms)).values():
                arrived = time.perf_counter()
                for record in records:
                    self.seen(record, arrived)

    async def __aexit__(self, *exc_info) -> None:
        self.stopping.set()
        if self.task is not None:
            await self.task
        await self.consumer.stop()
