"""The producer every service uses: idempotent, acks=all, traceparent in the headers."""

from __future__ import annotations

import asyncio
import functools

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2
from aiokafka.producer.message_accumulator import BatchBuilder

from shared.contract.catalogue import topic_for
from shared.contract.envelope import encode_event
from shared.contract.events import Event
from shared.runtime.topics import TopicNames
from shared.runtime.tracing import TRACEPARENT_HEADER, child_traceparent, current_traceparent

# Batching a few ms costs little latency and saves many requests under load.
PRODUCER_LINGER_MS = 2
# Keys whose hash is remembered: an urgent alert sends to the same ~1,000 members again
# and again, and murmur2 in pure Python is ~4 µs a key.
KEY_HASHES_KEPT = 65_536


@functools.lru_cache(maxsize=KEY_HASHES_KEPT)
def _key_hash(key: bytes) -> int:
    return murmur2(key) & 0x7FFFFFFF


def partition_for(key: bytes, partitions: list[int]) -> int:
    """The partition aiokafka's (and the Java client's) default partitioner picks for a
    key, among the topic's sorted partitions."""
    return partitions[_key_hash(key) % len(partitions)]


def build_producer(bootstrap: str, **overrides) -> AIOKafkaProducer:
    # Idempotence makes the broker drop a batch retried after a lost ack, so a
    # network blip never writes an event twice; it requires acks=all.
    options = dict(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=PRODUCER_LINGER_MS,
        request_timeout_ms=30_000,
    )
    options.update(overrides)
    return AIOKafkaProducer(**options)


_CATALOGUE_NAMES = TopicNames()

# key, value, headers
RawMessage = tuple[bytes, bytes, list[tuple[str, bytes]]]


class EventPublisher:
    """Encodes an event in its envelope and sends it to its catalogue topic, keyed."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(
        self,
        event: Event,
        *,
        event_id: str | None = None,
        traceparent: str | None = None,
        topic: str | None = None,
    ) -> None:
        """Send and wait for the broker's acknowledgement (acks=all)."""
        traceparent = traceparent or child_traceparent(current_traceparent.get())
        value = encode_event(event, event_id=event_id, traceparent=traceparent)
        await self.send_raw(
            topic or topic_for(event).name,
            key=event.subject().encode(),
            value=value,
            headers=[(TRACEPARENT_HEADER, traceparent.encode())],
        )

    async def enqueue_many(
        self, events: list[tuple[Event, str]], *, names: TopicNames = _CATALOGUE_NAMES
    ) -> list[asyncio.Future]:
        """Hand (event, event_id) pairs to the producer; return their acknowledgements
        (the caller awaits them all before it counts the events as sent)."""
        by_topic: dict[str, list[RawMessage]] = {}
        for event, event_id in events:
            traceparent = child_traceparent(current_traceparent.get())
            value = encode_event(event, event_id=event_id, traceparent=traceparent)
            by_topic.setdefault(names(topic_for(event)), []).append(
                (event.subject().encode(), value, [(TRACEPARENT_HEADER, traceparent.encode())])
            )
        acks = []
        for topic, messages in by_topic.items():
            acks += await self.enqueue_raw_many(topic, messages)
        return acks

    async def enqueue_raw_many(
        self, topic: str, messages: list[RawMessage]
    ) -> list[asyncio.Future]:
        """Encoded (key, value, headers) messages, in batches built per partition.

        A thousand urgent-alert notifications leave in a few batches: building the
        batches here costs a third of one ``send`` per message (measured: 14 ms against
        38 ms for 1,000 messages of 600 bytes). Keys go to the partition the producer's
        own partitioner would choose, so a member's notifications stay in order.
        """
        partitions = sorted(await self._producer.partitions_for(topic))
        batches: dict[int, BatchBuilder] = {}
        acks = []
        for key, value, headers in messages:
            partition = partition_for(key, partitions)
            batch = batches.get(partition)
            if batch is None:
                batch = batches[partition] = self._producer.create_batch()
            if batch.append(timestamp=None, key=key, value=value, headers=headers) is None:
                # Full: send it, and start the next one with this message.
                acks.append(await self._producer.send_batch(batch, topic, partition=partition))
                batch = batches[partition] = self._producer.create_batch()
                if batch.append(timestamp=None, key=key, value=value, headers=headers) is None:
                    del batches[partition]  # larger than a batch: on its own
                    acks.append(await self._producer.send(topic, value, key, headers=headers))
        for partition, batch in batches.items():
            acks.append(await self._producer.send_batch(batch, topic, partition=partition))
        return acks

    async def publish_many(
        self, events: list[tuple[Event, str]], *, names: TopicNames = _CATALOGUE_NAMES
    ) -> None:
        """enqueue_many, then wait for every acknowledgement."""
        for ack in await self.enqueue_many(events, names=names):
            await ack

    async def send_raw(
        self,
        topic: str,
        *,
        key: bytes | None,
        value: bytes,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        await self._producer.send_and_wait(topic, value=value, key=key, headers=headers or [])
