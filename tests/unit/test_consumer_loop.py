"""The consumer loop's rules, with a fake consumer and a fake dead-letter publisher."""

import asyncio
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord, TopicPartition

from shared.contract.envelope import encode_event
from shared.runtime.kafka.consumer import ConsumerLoop, RetryableError
from shared.runtime.tracing import current_traceparent, new_traceparent
from tests.factories import sample_events

TP = TopicPartition("posts.v1", 0)


def record(offset: int, value: bytes, headers=()) -> ConsumerRecord:
    return ConsumerRecord(
        topic=TP.topic,
        partition=TP.partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=tuple(headers),
    )


@dataclass
class FakeConsumer:
    batches: list
    loop: ConsumerLoop | None = None
    commits: list = field(default_factory=list)

    async def getmany(self, timeout_ms, max_records):
        if not self.batches:
            self.loop.stop()
            return {}
        return {TP: self.batches.pop(0)}

    async def commit(self, offsets):
        self.commits.append(offsets)

    def highwater(self, partition):
        return None  # as aiokafka before its first fetch response


@dataclass
class FakeDeadLetters:
    sent: list = field(default_factory=list)

    async def send_raw(self, topic, *, key, value, headers=None):
        self.sent.append((topic, key, value, dict(headers)))


def make_loop(batches, handler):
    consumer, dead = FakeConsumer(batches), FakeDeadLetters()
    loop = ConsumerLoop(consumer, handler, dead_letters=dead, dead_letter_topic="svc.dlq.v1")
    consumer.loop = loop
    return loop, consumer, dead


async def test_poison_goes_to_the_dead_letter_topic_and_the_rest_is_handled():
    good = [encode_event(e) for e in sample_events()[:3]]
    batch = [record(0, good[0]), record(1, b"\x00poison"), record(2, good[1]), record(3, good[2])]
    seen = []

    async def handler(decoded):
        if decoded.event.event_type.endswith("updated.v1"):
            raise ValueError("cannot handle this one")
        seen.append(decoded.event.event_type)

    loop, consumer, dead = make_loop([batch], handler)
    await loop.run()

    assert seen == ["org.entraide.post.created.v1", "org.entraide.post.resolved.v1"]
    assert [(d[0], d[2], d[3]["dlq.stage"]) for d in dead.sent] == [
        ("svc.dlq.v1", b"\x00poison", b"decode"),
        ("svc.dlq.v1", good[1], b"handle"),
    ]
    assert b"cannot handle this one" in dead.sent[1][3]["dlq.error"]
    assert dead.sent[1][3]["dlq.offset"] == b"2"
    assert consumer.commits == [{TP: 4}]


async def test_a_retryable_error_is_retried_not_dead_lettered(monkeypatch):
    monkeypatch.setattr("shared.runtime.kafka.consumer.RETRY_BACKOFF_START_S", 0.001)
    attempts = []

    async def handler(decoded):
        attempts.append(decoded.envelope.id)
        if len(attempts) < 3:
            raise RetryableError("database restarting")

    loop, _consumer, dead = make_loop([[record(0, encode_event(sample_events()[0]))]], handler)
    await loop.run()
    assert len(attempts) == 3 and len(set(attempts)) == 1
    assert dead.sent == []
    assert loop.handled == 1


async def test_nothing_is_committed_when_the_handler_is_still_running():
    """Commit after handling: a crash mid-handler must leave the offset uncommitted."""
    started = asyncio.Event()

    async def handler(decoded):
        started.set()
        await asyncio.sleep(3600)

    loop, consumer, _ = make_loop([[record(0, encode_event(sample_events()[0]))]], handler)
    task = asyncio.create_task(loop.run())
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    assert consumer.commits == []


async def test_the_handler_sees_the_traceparent_of_the_message():
    traceparent = new_traceparent()
    seen = []

    async def handler(decoded):
        seen.append(current_traceparent.get())

    raw = encode_event(sample_events()[0])
    loop, _, _ = make_loop([[record(0, raw, [("traceparent", traceparent.encode())])]], handler)
    await loop.run()
    assert seen == [traceparent]
    assert current_traceparent.get() is None
