"""Read every partition of the gateway's topics (no consumer group: each gateway reads
all of it) from the start of the resume window, and turn records into entries."""

from __future__ import annotations

import logging
from datetime import UTC

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Counter

from services.gateway.domain.streams import CONVERSATION, NOTIFICATION, POST, REPLY, Entry, Streams
from services.gateway.domain.subscriptions import RoutingFacts
from shared.contract.envelope import UndecodableEventError, decode_event
from shared.contract.events import (
    ConversationRead,
    ConversationStarted,
    MessageSent,
    NotificationCreated,
    PostCreated,
    PostRestored,
    PostUpdated,
    ReplyAnswered,
    ReplyCreated,
)
from shared.contract.values import Urgency
from shared.runtime.tracing import trace_id, traceparent_from_headers

log = logging.getLogger(__name__)

UNDECODABLE = Counter(
    "entraide_gateway_undecodable_total", "Records the gateway could not decode (skipped)"
)
# Facts of posts seen, to route their later events (resolved, expired...) by filter.
POST_FACTS_KEPT = 200_000


def _time(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class RecordReader:
    """Records to entries; remembers each post's routing facts from its projection."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams
        self.post_facts: dict[str, RoutingFacts] = {}

    def entry(self, record: ConsumerRecord) -> Entry | None:
        try:
            decoded = decode_event(record.value)
        except UndecodableEventError as exc:
            # Not dead-lettered: every gateway reads every record, so each would write
            # the same poison to the DLQ; the producing service's consumers report it.
            UNDECODABLE.inc()
            log.warning("skipping undecodable %s@%d: %s", record.topic, record.offset, exc)
            return None
        event = decoded.event
        payload = orjson.dumps({
            "type": decoded.envelope.type, "id": decoded.envelope.id,
            "time": _time(decoded.envelope.time), "data": event.model_dump(mode="json"),
        })  # fmt: skip
        slot = self.streams.slot_of[(record.topic, record.partition)]
        traceparent = traceparent_from_headers(record.headers) or decoded.envelope.traceparent
        common = dict(slot=slot, offset=record.offset, timestamp_ms=record.timestamp,
                      event_id=decoded.envelope.id, payload=payload,
                      trace_id=trace_id(traceparent))  # fmt: skip
        if isinstance(event, NotificationCreated):
            return Entry(kind=NOTIFICATION, post_id=event.post_id, member_id=event.member_id,
                         facts=None, **common)  # fmt: skip
        if isinstance(event, ConversationStarted | MessageSent | ConversationRead):
            return Entry(kind=CONVERSATION, post_id=getattr(event, "post_id", None),
                         member_id=None, facts=None, members=event.members, **common)  # fmt: skip
        if isinstance(event, ReplyCreated | ReplyAnswered):
            return Entry(kind=REPLY, post_id=event.post_id, member_id=None, facts=None, **common)
        post_id = getattr(event, "post_id", None)
        if post_id is None:
            return None  # not an event the gateway serves
        if isinstance(event, PostCreated | PostUpdated | PostRestored):
            p = event.post
            self._remember(RoutingFacts(p.post_id, p.category, p.kind, p.urgency is Urgency.URGENT,
                                     p.location.lat, p.location.lon))  # fmt: skip
        facts = self.post_facts.get(post_id)
        return Entry(kind=POST, post_id=post_id, member_id=None, facts=facts, **common)

    def _remember(self, facts: RoutingFacts) -> None:
        self.post_facts.pop(facts.post_id, None)
        self.post_facts[facts.post_id] = facts
        if len(self.post_facts) > POST_FACTS_KEPT:
            del self.post_facts[next(iter(self.post_facts))]


async def assign_from_window(consumer: AIOKafkaConsumer, streams: Streams) -> dict:
    """Assign every partition, positioned ``window`` records before its end; return the
    end offsets at start (the gateway is ready once it has read up to them)."""
    partitions = [TopicPartition(topic, p) for topic, p in streams.partitions]
    consumer.assign(partitions)
    ends = await consumer.end_offsets(partitions)
    starts = await consumer.beginning_offsets(partitions)
    for tp in partitions:
        start = max(starts[tp], ends[tp] - streams.window)
        consumer.seek(tp, start)
        streams.start_at(streams.slot_of[(tp.topic, tp.partition)], start)
    return ends


async def assign_from_start(
    consumer: AIOKafkaConsumer, topics: list[tuple[str, int]]
) -> tuple[dict, dict]:
    """Assign these partitions from their first retained record (the search rooms' topics:
    short-lived, read whole); return their end offsets at start, and the position of each
    as read so far: just before its first retained record (a partition its retention
    emptied has nothing to read, and is read up to its end already)."""
    partitions = [TopicPartition(topic, p) for topic, p in topics]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(partitions)
    starts = await consumer.beginning_offsets(partitions)
    return (
        {(tp.topic, tp.partition): end for tp, end in ends.items()},
        {(tp.topic, tp.partition): start - 1 for tp, start in starts.items()},
    )


def room_event(record: ConsumerRecord):
    """The event of a search-room record, or None (undecodable: skipped, as above)."""
    try:
        return decode_event(record.value).event
    except UndecodableEventError as exc:
        UNDECODABLE.inc()
        log.warning("skipping undecodable %s@%d: %s", record.topic, record.offset, exc)
        return None


async def partitions_of(bootstrap: str, topics: list[str]) -> list[tuple[str, int]]:
    """(topic, partition) for every partition of ``topics``, in a fixed order."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    found = []
    for topic in described:
        if topic["error_code"] != 0 or not topic["partitions"]:
            raise RuntimeError(f"topic {topic['topic']} is missing (entraide infra up creates it)")
        found += [(topic["topic"], p["partition"]) for p in topic["partitions"]]
    order = {name: n for n, name in enumerate(topics)}
    return sorted(found, key=lambda tp: (order[tp[0]], tp[1]))
