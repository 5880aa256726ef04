"""The consumer loop every service uses.

Offsets are committed only after a message was handled (or dead-lettered), so a crash
re-delivers rather than loses: at-least-once, and handlers are idempotent on the event
id. A message that cannot be decoded, or whose handler fails, goes to the service's
dead-letter topic with the error and the original bytes, and the loop carries on. A
RetryableError (the database is down, say) is retried instead: dead-lettering every
message during an outage would empty the topic into the DLQ.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError
from prometheus_client import Gauge

from shared.contract.envelope import DecodedEvent, decode_event
from shared.runtime.kafka.producer import EventPublisher
from shared.runtime.tracing import current_traceparent, traceparent_from_headers

log = logging.getLogger(__name__)

Handler = Callable[[DecodedEvent], Awaitable[None]]

DLQ_ERROR_HEADER_MAX_CHARS = 4_000
FETCH_TIMEOUT_MS = 500
MAX_RECORDS_PER_BATCH = 500
RETRY_BACKOFF_START_S = 0.2
RETRY_BACKOFF_MAX_S = 10.0

CONSUMER_LAG = Gauge(
    "entraide_consumer_lag_messages",
    "Messages on the partition not yet handled by this consumer",
    ["service", "topic", "partition"],
)


def describe_error(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()


def dead_letter_headers(record, error: str, stage: str) -> list[tuple[str, bytes]]:
    """The original headers plus why and where it failed (any record with topic,
    partition, offset and headers: aiokafka's or faust's message)."""
    return [
        *(record.headers or ()),
        ("dlq.error", error[:DLQ_ERROR_HEADER_MAX_CHARS].encode()),
        ("dlq.stage", stage.encode()),
        ("dlq.topic", record.topic.encode()),
        ("dlq.partition", str(record.partition).encode()),
        ("dlq.offset", str(record.offset).encode()),
        ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
    ]


class RetryableError(Exception):
    """A failure expected to pass (a dependency is down): retry, do not dead-letter."""


def build_consumer(
    bootstrap: str, group_id: str, topics: list[str], **overrides
) -> AIOKafkaConsumer:
    options = dict(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


class ConsumerLoop:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        handler: Handler,
        *,
        dead_letters: EventPublisher,
        dead_letter_topic: str,
        decode: Callable[[bytes], DecodedEvent] = decode_event,
        service: str = "unknown",
    ) -> None:
        self._service = service
        self._consumer = consumer
        self._handler = handler
        self._dead_letters = dead_letters
        self._dead_letter_topic = dead_letter_topic
        self._decode = decode
        self._stopping = asyncio.Event()
        self.handled = 0
        self.dead_lettered = 0

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stop(); the consumer must already be started."""
        while not self._stopping.is_set():
            batch = await self._consumer.getmany(
                timeout_ms=FETCH_TIMEOUT_MS, max_records=MAX_RECORDS_PER_BATCH
            )
            for partition, records in batch.items():
                for record in records:
                    await self._process(record)
                await self._commit(partition, records[-1].offset + 1)
                self._record_lag(partition, records[-1].offset + 1)

    def _record_lag(self, partition: TopicPartition, next_offset: int) -> None:
        highwater = self._consumer.highwater(partition)
        if highwater is not None:
            CONSUMER_LAG.labels(self._service, partition.topic, str(partition.partition)).set(
                max(0, highwater - next_offset)
            )

    async def _commit(self, partition: TopicPartition, next_offset: int) -> None:
        try:
            await self._consumer.commit({partition: next_offset})
        except (CommitFailedError, IllegalStateError) as exc:
            # The partition moved to another member during the batch; it will
            # re-read from the last commit, and handlers are idempotent.
            log.warning("commit of %s failed after a rebalance: %s", partition, exc)

    async def _process(self, record: ConsumerRecord) -> None:
        try:
            decoded = self._decode(record.value)
        except Exception as exc:
            await self._dead_letter(record, exc, stage="decode")
            return
        traceparent = traceparent_from_headers(record.headers) or decoded.envelope.traceparent
        token = current_traceparent.set(traceparent)
        try:
            await self._handle_with_retries(record, decoded)
        finally:
            current_traceparent.reset(token)

    async def _handle_with_retries(self, record: ConsumerRecord, decoded: DecodedEvent) -> None:
        backoff_s = RETRY_BACKOFF_START_S
        while True:
            try:
                await self._handler(decoded)
                self.handled += 1
                log.info("handled %s %s from %s[%d]@%d", decoded.envelope.type,
                         decoded.envelope.subject, record.topic, record.partition,
                         record.offset)  # fmt: skip
                return
            except RetryableError as exc:
                log.warning("retrying %s in %.1fs: %s", decoded.envelope.id, backoff_s, exc)
                await asyncio.sleep(backoff_s)
                backoff_s = min(backoff_s * 2, RETRY_BACKOFF_MAX_S)
            except Exception as exc:
                await self._dead_letter(record, exc, stage="handle")
                return

    async def _dead_letter(self, record: ConsumerRecord, exc: Exception, *, stage: str) -> None:
        error = describe_error(exc)
        log.error(
            "dead-lettering %s[%d]@%d (%s): %s",
            record.topic, record.partition, record.offset, stage, error[:300],
        )  # fmt: skip
        headers = dead_letter_headers(record, error, stage)
        # If this send fails the exception escapes: nothing is committed, and the
        # message is read again after a restart instead of being lost.
        await self._dead_letters.send_raw(
            self._dead_letter_topic, key=record.key, value=record.value or b"", headers=headers
        )
        self.dead_lettered += 1
