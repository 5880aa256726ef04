"""Topic creation from the catalogue, a readiness check that asks for real metadata, and
the removal of a run's own topics."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from shared.contract.catalogue import Topic

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


async def wait_for_kafka(bootstrap: str, timeout_s: float = 60.0) -> dict:
    """Return the cluster metadata once a client gets it; raise TimeoutError otherwise.

    An open port is not readiness: a KRaft broker accepts connections before its
    controller quorum has elected a leader, and metadata requests fail until then.
    """
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            if cluster.get("brokers") and cluster.get("controller_id", -1) >= 0:
                return cluster
            last_error = RuntimeError(f"no controller yet: {cluster}")
        except (TimeoutError, KafkaError, OSError) as exc:
            last_error = exc
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    raise TimeoutError(f"Kafka at {bootstrap} gave no metadata in {timeout_s:.0f}s: {last_error}")


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[Topic | tuple[str, int] | tuple[str, int, dict[str, str]]],
    replication_factor: int = 1,
) -> None:
    """Create the topics that do not exist yet (a Topic, or name, partitions and optional
    configs). An existing topic with fewer partitions than asked gets more (a broker
    kept from an older version of the catalogue); nothing else about it changes."""
    new_topics = []
    for topic in topics:
        if isinstance(topic, Topic):
            name, partitions = topic.name, topic.partitions
            config = topic.config
        else:
            name, partitions, config = (*topic, {})[:3]
        new_topics.append(
            NewTopic(name, partitions, replication_factor, topic_configs=dict(config))
        )
    if not new_topics:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        response = await admin.create_topics(new_topics)
        for error in response.topic_errors:
            name, code = error[0], error[1]
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise for_code(code)(f"could not create topic {name}: {error[2:]}")
        await _grow_partitions(admin, {t.name: t.num_partitions for t in new_topics})
    finally:
        await admin.close()
    await _wait_for_leaders(bootstrap, [t.name for t in new_topics])


async def _grow_partitions(admin: AIOKafkaAdminClient, wanted: dict[str, int]) -> None:
    # Co-partitioned topics (posts, replies and urgent requests, read together by
    # matching's alert agent) must have equal counts, or faust refuses to start. Adding
    # partitions moves later events of a key to another partition; on a kept local
    # broker that is acceptable, so it is done and logged.
    described = await admin.describe_topics(list(wanted))
    grow = {}
    for topic in described:
        have = len(topic["partitions"])
        if topic["error_code"] == 0 and 0 < have < wanted[topic["topic"]]:
            grow[topic["topic"]] = NewPartitions(wanted[topic["topic"]])
            log.warning("topic %s has %d partitions, growing to %d", topic["topic"], have,
                        wanted[topic["topic"]])  # fmt: skip
    if grow:
        await admin.create_partitions(grow)


async def _wait_for_leaders(bootstrap: str, names: list[str], timeout_s: float = 30.0) -> None:
    # A topic is created before its partitions have leaders; producing in that gap
    # fails with LEADER_NOT_AVAILABLE, which makes the first test of a run flaky.
    deadline = time.monotonic() + timeout_s
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        while True:
            described = await admin.describe_topics(names)
            if all(_has_leaders(t) for t in described):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics without leaders after {timeout_s}s: {described}")
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


def _has_leaders(topic: dict) -> bool:
    partitions = topic["partitions"]
    return (
        topic["error_code"] == 0 and bool(partitions) and all(p["leader"] >= 0 for p in partitions)
    )


async def delete_topics_named_with(bootstrap: str, part: str) -> list[str]:
    """Delete every topic whose name contains ``part``: the unique suffix of a test or a
    benchmark run, which the services (and faust, for its own topics) put in theirs.
    Returns the names deleted."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if part in name]
        if names:
            await admin.delete_topics(names)
        return names
    finally:
        await admin.close()
