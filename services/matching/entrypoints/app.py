"""The faust app: topics, tables and thin agents that delegate to ``handlers``.

Run a worker with ``python -m services.matching.entrypoints.worker``; start more to
share the partitions (the tables are rebuilt from their changelogs on the new owner).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

import faust
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

from services.matching import alerts, handlers
from services.matching.domain.index import CandidateIndex
from services.matching.domain.rings import RingPlan
from services.matching.entrypoints import faust_recovery
from services.matching.settings import MatchingSettings
from shared.contract.catalogue import (
    ALERTS,
    MATCHES,
    POSTS,
    REPLIES,
    URGENT_REQUESTS,
    dead_letter_topic,
)
from shared.contract.envelope import decode_event, encode_event
from shared.contract.events import Event
from shared.runtime.kafka.consumer import dead_letter_headers, describe_error
from shared.runtime.tracing import (
    TRACEPARENT_HEADER,
    child_traceparent,
    trace_id,
    traceparent_from_headers,
)

log = logging.getLogger(__name__)

WORKER_SESSION_TIMEOUT_S = 10
WORKER_HEARTBEAT_S = 3
PRODUCER_LINGER_S = 0.005

# Prometheus metrics, named like the other services' (entraide_*), at /metrics.
ROUTED = Counter("entraide_matching_posts_routed_total", "Post events routed by category")
MATCHES_SENT = Counter("entraide_matching_matches_total", "MatchFound events sent")
ALERT_EVENTS = Counter("entraide_matching_alert_events_total", "Urgent alert events sent",
                       ["type"])  # fmt: skip
DEAD_LETTERS = Counter("entraide_matching_dead_letters_total",
                       "Records sent to matching's dead-letter topic", ["stage"])  # fmt: skip
INDEX_POSTS = Gauge("entraide_matching_index_open_posts",
                    "Open posts in this worker's candidate index")  # fmt: skip

faust_recovery.install()
settings = MatchingSettings()
suffix = settings.topic_suffix
FAUST_DIR = settings.data_dir / "faust"
FAUST_DIR.mkdir(parents=True, exist_ok=True)  # faust creates only the last level

app = faust.App(
    settings.matching_app_id + suffix,
    broker=f"kafka://{settings.kafka_bootstrap}",
    store="memory://",  # tables live in memory and are rebuilt from their changelogs
    # faust keeps a small directory per app id; by default in the working directory,
    # where every test and benchmark app id left one behind.
    datadir=str(FAUST_DIR / "{conf.id}-data"),
    # No standby copies: a table then holds exactly the partitions this worker owns,
    # which is what the in-memory candidate index is rebuilt from.
    table_standby_replicas=0,
    topic_partitions=settings.matching_partitions,
    producer_acks=-1,
    web_enabled=settings.web_enabled,
    web_bind=settings.http_host,
    web_port=settings.http_port,
    # A killed worker's partitions move after this long without heartbeats (the
    # default 60 s would stall matching for a minute).
    broker_session_timeout=WORKER_SESSION_TIMEOUT_S,
    broker_heartbeat_interval=WORKER_HEARTBEAT_S,
    consumer_auto_offset_reset="earliest",
    # Every post makes three records (routed post, two changelog entries): sent one
    # request each, they kept the broker busier than the worker. A few milliseconds of
    # batching is small beside the latency target (50 ms p99).
    producer_linger=PRODUCER_LINGER_S,
    # On revoke, faust waits for every message it fetched to be acked, after clearing
    # the queues that held some of them: a busy worker then hung in the rebalance for
    # minutes (bench/matching with two workers, a worker joining during the index
    # fill). Not waiting only means the next owner handles those records again, which
    # routing and matching make harmless (ADR 0011).
    stream_wait_empty=False,
)

by_category = app.topic(
    f"matching-posts-by-category{suffix}",
    key_serializer="raw",
    value_serializer="json",
    partitions=settings.matching_partitions,
    internal=True,
)
matches_topic = app.topic(MATCHES.name + suffix, key_serializer="raw", value_serializer="raw")
dead_letters = app.topic(dead_letter_topic("matching").name + suffix,
                         key_serializer="raw", value_serializer="raw")  # fmt: skip

# Everything keyed by post id, co-partitioned (ADR 0006): posts.v1 feeds the router and
# ends alerts; the urgent requests, replies and ticks drive the alerts.
post_inputs = app.topic(
    URGENT_REQUESTS.name + suffix,
    REPLIES.name + suffix,
    POSTS.name + suffix,
    f"matching-alert-ticks{suffix}",
    key_serializer="raw",
    value_serializer="raw",
)
alert_ticks = app.topic(f"matching-alert-ticks{suffix}", key_serializer="raw",
                        value_serializer="raw", partitions=POSTS.partitions,
                        internal=True)  # fmt: skip
alerts_topic = app.topic(ALERTS.name + suffix, key_serializer="raw", value_serializer="raw")
ring_plan = RingPlan(radii_m=settings.alert_rings_m, waits_s=settings.alert_waits_s)

post_categories = app.Table("post-categories", default=None, partitions=POSTS.partitions)
open_posts = app.Table("open-posts", default=None, partitions=settings.matching_partitions)
alerts_table = app.Table("urgent-alerts", default=None, partitions=POSTS.partitions)


class IndexHolder:
    """The in-memory index over ``open_posts``; rebuilt after every rebalance."""

    def __init__(self) -> None:
        self.index: CandidateIndex | None = None

    def get(self) -> CandidateIndex:
        if self.index is None:
            self.index = handlers.rebuild_index(open_posts)
            log.info("candidate index rebuilt with %d open posts", len(self.index))
        return self.index

    def invalidate(self) -> None:
        self.index = None


index_holder = IndexHolder()


@app.on_rebalance_complete.connect
async def _rebuild_after_rebalance(sender, **kwargs) -> None:
    index_holder.invalidate()


async def dead_letter(event: faust.types.EventT, exc: Exception, stage: str) -> None:
    message = event.message
    error = describe_error(exc)
    log.error("dead-lettering %s[%d]@%d: %s", message.topic, message.partition,
              message.offset, error[:300])  # fmt: skip
    headers = dead_letter_headers(message, error, stage)
    await dead_letters.send(key=message.key, value=message.value or b"", headers=headers)
    DEAD_LETTERS.labels(stage).inc()


async def publish(
    topic: faust.types.TopicT, key: bytes, value: bytes, headers: list | None = None
) -> None:
    """Hand a record to faust's producer, below ``Topic.send``: the hot paths (a routed
    post, a match) cost ~150 µs of CPU per record through ``Topic.send`` and ~30 here
    (bench/matching/floor.py). Just as safe: faust flushes this producer before every
    offset commit, and ``Topic.send`` does not wait for the broker either."""
    sent = await app.producer.send(topic.get_topic_name(), key, value, None, None, headers)
    sent.add_done_callback(_log_failed_send)


def _log_failed_send(sent: asyncio.Future) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        log.error("a record was not delivered: %s", describe_error(sent.exception()))


def _traceparent(event: faust.types.EventT) -> str | None:
    return traceparent_from_headers(event.message.headers)


@app.agent(post_inputs)
async def handle_post_events(stream) -> None:
    """Routes posts.v1 to the matcher and runs the urgent alerts: one agent reads posts.v1,
    so one place decodes a post and dead-letters it."""
    ticks_name = alert_ticks.get_topic_name()
    posts_name = POSTS.name + suffix
    async for event in stream.events():
        message = event.message
        if message.topic == ticks_name:
            post_id = message.key.decode()
            await send_alert_events(
                alerts.tick(post_id, alerts_table, ring_plan, datetime.now(UTC)), None
            )
            continue
        try:
            decoded = decode_event(event.value)
        except Exception as exc:
            await dead_letter(event, exc, "decode")
            continue
        traceparent = _traceparent(event) or decoded.envelope.traceparent
        if message.topic == posts_name:
            try:
                routed = handlers.route(decoded.event, post_categories)
            except Exception as exc:
                await dead_letter(event, exc, "handle")
                continue
            for category, routed_message in routed:
                routed_message["traceparent"] = traceparent
                await publish(by_category, category.encode(), json.dumps(routed_message).encode())
            ROUTED.inc(len(routed))
            if (message.key or b"").decode() not in alerts_table:
                continue  # only the end of a post with an alert matters to the alerts
        await send_alert_events(alerts.handle(decoded.event, alerts_table, ring_plan),
                                traceparent)  # fmt: skip


async def send_alert_events(emitted: list[tuple[Event, str]], traceparent: str | None) -> None:
    for alert_event, event_id in emitted:
        child = child_traceparent(traceparent)
        log.info("%s %s trace_id=%s", alert_event.event_type, event_id, trace_id(child))
        ALERT_EVENTS.labels(alert_event.event_type).inc()
        await alerts_topic.send(
            key=alert_event.subject().encode(),
            value=encode_event(alert_event, event_id=event_id, traceparent=child),
            headers=[(TRACEPARENT_HEADER, child.encode())],
        )


@app.agent(by_category)
async def match_posts(stream) -> None:
    async for message in stream:
        try:
            found = handlers.match(message, open_posts, index_holder.get(), datetime.now(UTC))
        except Exception as exc:
            log.exception("matching failed for %s: %s", message, exc)
            continue
        if found:
            # One line per post, not per match (faust's logging showed in the profile);
            # its lines are plain text, so the trace id goes in the message.
            log.info("matches %s trace_id=%s", ",".join(m.match_id for m in found),
                     trace_id(message.get("traceparent")))  # fmt: skip
        for match in found:
            traceparent = child_traceparent(message.get("traceparent"))
            await publish(
                matches_topic,
                match.subject().encode(),
                encode_event(
                    match, event_id=handlers.match_event_id(match), traceparent=traceparent
                ),
                [(TRACEPARENT_HEADER, traceparent.encode())],
            )
        MATCHES_SENT.inc(len(found))


@app.timer(interval=settings.alert_tick_s)
async def tick_due_alerts() -> None:
    for post_id in alerts.due_post_ids(alerts_table, datetime.now(UTC)):
        await alert_ticks.send(key=post_id.encode(), value=b"tick")


@app.page("/healthz")
async def healthz(web, request):
    return web.json({"status": "ok"})


@app.page("/metrics")
async def metrics(web, request):
    INDEX_POSTS.set(len(index_holder.index) if index_holder.index is not None else 0)
    # aiohttp refuses a charset inside content_type: the header carries it whole.
    return web.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


@app.page("/readyz")
async def readyz(web, request):
    # The web server answers once the worker has started: its consumer is in the group.
    return web.json({"status": "ready"})
