"""The Kafka helpers against the real broker."""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import TopicPartition

from shared.contract.envelope import decode_event
from shared.contract.events import PostCreated
from shared.runtime.kafka import ConsumerLoop, EventPublisher, build_consumer, build_producer
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.tracing import current_traceparent, new_traceparent, trace_id
from tests.factories import public_post, sample_events
from tests.integration.kafka_tools import read_topic, wait_until


@contextlib.asynccontextmanager
async def running_loop(endpoints, topic, dlq, group, handler):
    producer = build_producer(endpoints.kafka_bootstrap)
    consumer = build_consumer(endpoints.kafka_bootstrap, group, [topic])
    await producer.start()
    await consumer.start()
    loop = ConsumerLoop(
        consumer, handler, dead_letters=EventPublisher(producer), dead_letter_topic=dlq
    )
    task = asyncio.create_task(loop.run())
    try:
        yield loop, consumer
    finally:
        loop.stop()
        await asyncio.wait_for(task, 10)
        await consumer.stop()
        await producer.stop()


async def test_events_are_consumed_in_order_per_key_with_their_trace(endpoints, new_topic, unique):
    topic = await new_topic("posts", partitions=3)
    dlq = await new_topic("dlq")
    producer = build_producer(endpoints.kafka_bootstrap)
    await producer.start()
    publisher = EventPublisher(producer)
    traceparent = new_traceparent()
    sent = []
    try:
        token = current_traceparent.set(traceparent)
        for post_id in ("pa", "pb", "pc"):
            for event in sample_events(post_id)[:5]:
                await publisher.publish(event, topic=topic)
                sent.append(event)
        current_traceparent.reset(token)
    finally:
        await producer.stop()

    received: list[tuple[object, str | None]] = []

    async def handler(decoded):
        received.append((decoded.event, current_traceparent.get()))

    async with running_loop(endpoints, topic, dlq, f"g-{unique}", handler) as (loop, _):
        await wait_until(lambda: len(received) == len(sent), what="all events")

    for post_id in ("pa", "pb", "pc"):
        mine = [e for e, _ in received if e.post_id == post_id]
        assert mine == [e for e in sent if e.post_id == post_id]
    # Each hop is a child span of the trace started by the caller.
    assert {trace_id(tp) for _, tp in received} == {trace_id(traceparent)}
    assert loop.dead_lettered == 0


async def test_poison_lands_in_the_dead_letter_topic_and_later_messages_are_handled(
    endpoints, new_topic, unique
):
    topic = await new_topic("posts")
    dlq = await new_topic("dlq")
    producer = build_producer(endpoints.kafka_bootstrap)
    await producer.start()
    publisher = EventPublisher(producer)
    first = PostCreated(post_id="p-first", post=public_post("p-first"))
    last = PostCreated(post_id="p-last", post=public_post("p-last"))
    poison = b'{"specversion": "1.0", "type": "org.entraide.post.created.v1"'
    unknown = (
        b'{"specversion":"1.0","id":"01JAAAAAAAAAAAAAAAAAAAAAAA","source":"/x","type":'
        b'"org.other.thing.v1","time":"2026-01-01T00:00:00Z","subject":"s","data":{}}'
    )
    try:
        await publisher.publish(first, topic=topic)
        await publisher.send_raw(topic, key=b"p-bad", value=poison)
        await publisher.send_raw(topic, key=b"p-odd", value=unknown)
        await publisher.publish(last, topic=topic)
    finally:
        await producer.stop()

    handled = []

    async def handler(decoded):
        handled.append(decoded.event.post_id)

    group = f"g-{unique}"
    async with running_loop(endpoints, topic, dlq, group, handler) as (loop, consumer):
        await wait_until(lambda: handled == ["p-first", "p-last"], what="the good messages")
        partition = TopicPartition(topic, 0)
        await wait_until(lambda: loop.dead_lettered == 2, what="dead letters")
        # Committed past everything, poison included: a restart does not re-read it.
        committed = None
        for _ in range(50):
            committed = await consumer.committed(partition)
            if committed == 4:
                break
            await asyncio.sleep(0.1)
        assert committed == 4

    dead = await read_topic(endpoints.kafka_bootstrap, dlq, expected=2)
    assert [r.value for r in dead] == [poison, unknown]
    assert [r.key for r in dead] == [b"p-bad", b"p-odd"]
    headers = [dict(r.headers) for r in dead]
    assert headers[0]["dlq.topic"] == topic.encode()
    assert headers[0]["dlq.offset"] == b"1"
    assert b"invalid CloudEvents envelope" in headers[0]["dlq.error"]
    assert b"unknown event type" in headers[1]["dlq.error"]


async def test_a_message_whose_handler_fails_is_dead_lettered_with_the_original_bytes(
    endpoints, new_topic, unique
):
    topic = await new_topic("replies")
    dlq = await new_topic("dlq")
    events = sample_events("p-h")[:3]
    producer = build_producer(endpoints.kafka_bootstrap)
    await producer.start()
    try:
        for event in events:
            await EventPublisher(producer).publish(event, topic=topic)
    finally:
        await producer.stop()
    sent = await read_topic(endpoints.kafka_bootstrap, topic, expected=3)

    handled = []

    async def handler(decoded):
        if decoded.event.event_type.endswith("updated.v1"):
            raise RuntimeError("no handler for edits yet")
        handled.append(decoded.event.event_type)

    async with running_loop(endpoints, topic, dlq, f"g-{unique}", handler):
        await wait_until(lambda: len(handled) == 2, what="two handled events")
    dead = await read_topic(endpoints.kafka_bootstrap, dlq, expected=1)
    assert [r.value for r in dead] == [sent[1].value]
    assert decode_event(dead[0].value).event == events[1]
    assert dict(dead[0].headers)["dlq.stage"] == b"handle"


async def test_ensure_topics_grows_a_topic_with_too_few_partitions(endpoints, new_topic):
    from aiokafka.admin import AIOKafkaAdminClient

    name = await new_topic("grow", partitions=2)
    await ensure_topics(endpoints.kafka_bootstrap, [(name, 4)])
    admin = AIOKafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([name])
    finally:
        await admin.close()
    assert len(described["partitions"]) == 4
