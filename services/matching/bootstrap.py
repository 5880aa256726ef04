"""Wire the matching service: its faust app, topics and tables, built in a function
(``build``). Importing this module starts and writes nothing; the agents are attached
by ``entrypoints/agents.py`` and the worker runs them (``entrypoints/worker.py``)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import faust

from services.matching import handlers
from services.matching.adapters import faust_recovery
from services.matching.domain.index import CandidateIndex
from services.matching.domain.rings import RingPlan
from services.matching.ports import Clock
from services.matching.settings import MatchingSettings
from shared.contract.catalogue import (
    ALERT_ROOMS,
    ALERTS,
    MATCHES,
    POSTS,
    URGENT_REQUESTS,
    dead_letter_topic,
)
from shared.runtime.clock import utcnow
from shared.runtime.kafka.consumer import describe_error
from shared.runtime.topics import TopicNames

log = logging.getLogger(__name__)

WORKER_SESSION_TIMEOUT_S = 10
WORKER_HEARTBEAT_S = 3
PRODUCER_LINGER_S = 0.005
BY_CATEGORY = "matching-posts-by-category"
ALERT_TICKS = "matching-alert-ticks"


class IndexHolder:
    """The in-memory index over the open posts table; rebuilt after every rebalance."""

    def __init__(self, open_posts) -> None:
        self.open_posts = open_posts
        self.index: CandidateIndex | None = None

    def get(self) -> CandidateIndex:
        if self.index is None:
            self.index = handlers.rebuild_index(self.open_posts)
            log.info("candidate index rebuilt with %d open posts", len(self.index))
        return self.index

    def invalidate(self) -> None:
        self.index = None


@dataclass
class Matching:
    """The faust app with its topics and tables, and the producer path below them."""

    settings: MatchingSettings
    app: faust.App
    names: TopicNames
    by_category: faust.types.TopicT
    matches: faust.types.TopicT
    dead_letters: faust.types.TopicT
    post_inputs: faust.types.TopicT
    alert_ticks: faust.types.TopicT
    alerts: faust.types.TopicT
    post_categories: faust.Table
    open_posts: faust.Table
    alerts_table: faust.Table
    ring_plan: RingPlan
    clock: Clock = utcnow
    index_holder: IndexHolder = field(init=False)

    def __post_init__(self) -> None:
        self.index_holder = IndexHolder(self.open_posts)

    async def publish(
        self, topic: faust.types.TopicT, key: bytes, value: bytes, headers: list | None = None
    ) -> None:
        """Hand a record to faust's producer, below ``Topic.send``: the hot paths (a routed
        post, a match) cost ~150 µs of CPU per record through ``Topic.send`` and ~30 here
        (bench/matching/floor.py). Just as safe: faust flushes this producer before every
        offset commit, and ``Topic.send`` does not wait for the broker either."""
        sent = await self.app.producer.send(topic.get_topic_name(), key, value, None, None, headers)
        sent.add_done_callback(_log_failed_send)

    def internal_topics(self) -> list[tuple]:
        """Every internal topic and changelog, to create before faust starts."""
        changelogs = [
            (t.changelog_topic.get_topic_name(), t.partitions, {"cleanup.policy": "compact"})
            for t in self.app.tables.values()
        ]
        return [
            (self.by_category.get_topic_name(), self.settings.matching_partitions),
            (self.alert_ticks.get_topic_name(), self.alert_ticks.partitions),
            *changelogs,
        ]


def _log_failed_send(sent: asyncio.Future) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        log.error("a record was not delivered: %s", describe_error(sent.exception()))


def faust_app(settings: MatchingSettings, names: TopicNames) -> faust.App:
    faust_dir = settings.data_dir / "faust"
    faust_dir.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    return faust.App(
        names(settings.matching_app_id),
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",  # tables live in memory and are rebuilt from their changelogs
        # faust keeps a small directory per app id; by default in the working directory,
        # where every test and benchmark app id left one behind.
        datadir=str(faust_dir / "{conf.id}-data"),
        # No standby copies: a table then holds exactly the partitions this worker owns,
        # which is what the in-memory candidate index is rebuilt from.
        table_standby_replicas=0,
        topic_partitions=settings.matching_partitions,
        producer_acks=-1,
        # What faust creates itself (none, normally: the worker makes its topics first).
        topic_replication_factor=settings.kafka_replication_factor,
        web_enabled=settings.web_enabled,
        web_bind=settings.http_host,
        web_port=settings.http_port,
        # A killed worker's partitions move after this long without heartbeats (the
        # default 60 s would stall matching for a minute).
        broker_session_timeout=WORKER_SESSION_TIMEOUT_S,
        broker_heartbeat_interval=WORKER_HEARTBEAT_S,
        # A worker restarted under its name takes its partitions back at once.
        consumer_group_instance_id=settings.consumer_instance_id,
        consumer_auto_offset_reset="earliest",
        # Every post makes three records (routed post, two changelog entries): sent one
        # request each, they kept the broker busier than the worker. A few milliseconds
        # of batching is small beside the latency target (50 ms p99).
        producer_linger=PRODUCER_LINGER_S,
        # On revoke, faust waits for every message it fetched to be acked, after clearing
        # the queues that held some of them: a busy worker then hung in the rebalance for
        # minutes (bench/matching with two workers, a worker joining during the index
        # fill). Not waiting only means the next owner handles those records again,
        # which routing and matching make harmless (ADR 0011).
        stream_wait_empty=False,
    )


def build(settings: MatchingSettings) -> Matching:
    faust_recovery.install()
    names = TopicNames(settings.topic_namespace)
    app = faust_app(settings, names)

    def raw(*names: str, **options) -> faust.types.TopicT:
        return app.topic(*names, key_serializer="raw", value_serializer="raw", **options)

    return Matching(
        settings=settings,
        app=app,
        names=names,
        by_category=app.topic(
            names(BY_CATEGORY),
            key_serializer="raw",
            value_serializer="json",
            partitions=settings.matching_partitions,
            internal=True,
        ),
        matches=raw(names(MATCHES)),
        dead_letters=raw(names(dead_letter_topic("matching"))),
        # Everything keyed by post id, co-partitioned (ADR 0006): posts.v1 feeds the router
        # and ends alerts; the urgent requests, the answers of helpers (alert-rooms.v1)
        # and ticks drive the alerts. Replies do not: only the post's own end ends one.
        post_inputs=raw(
            names(URGENT_REQUESTS), names(POSTS), names(ALERT_ROOMS), names(ALERT_TICKS)
        ),
        alert_ticks=raw(names(ALERT_TICKS), partitions=POSTS.partitions, internal=True),
        alerts=raw(names(ALERTS)),
        post_categories=app.Table("post-categories", default=None, partitions=POSTS.partitions),
        open_posts=app.Table("open-posts", default=None, partitions=settings.matching_partitions),
        alerts_table=app.Table("urgent-alerts", default=None, partitions=POSTS.partitions),
        ring_plan=RingPlan(
            radii_m=settings.alert_rings_m,
            waits_s=settings.alert_waits_s,
            wanted_helpers=settings.alert_wanted_helpers,
        ),
    )
