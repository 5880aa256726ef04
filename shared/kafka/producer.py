"""The producer every service uses: idempotent, acks=all, traceparent in the headers."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from shared.events.catalogue import topic_for
from shared.events.envelope import encode_event
from shared.events.models import Event
from shared.tracing import TRACEPARENT_HEADER, child_traceparent, current_traceparent

# Batching a few ms costs little latency and saves many requests under load.
PRODUCER_LINGER_MS = 2


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

    async def publish_many(
        self, events: list[tuple[Event, str]], *, topic_suffix: str = ""
    ) -> None:
        """Send (event, event_id) pairs together and wait for all the acknowledgements.

        One round trip for the lot instead of one per event: a thousand urgent-alert
        notifications leave in a few batches rather than a thousand waits.
        """
        pending = []
        for event, event_id in events:
            traceparent = child_traceparent(current_traceparent.get())
            value = encode_event(event, event_id=event_id, traceparent=traceparent)
            pending.append(
                await self._producer.send(
                    topic_for(event).name + topic_suffix,
                    value=value,
                    key=event.subject().encode(),
                    headers=[(TRACEPARENT_HEADER, traceparent.encode())],
                )
            )
        for ack in pending:
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
