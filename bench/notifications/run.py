"""bench/notifications: from UrgentAlertRaised on Kafka to each NotificationCreated on
Kafka, with 10,000 located members of whom about 1,000 are inside the alert's radius.

    .venv/bin/python -m bench.notifications.run --members 10000 --inside 1000 --alerts 30

One notifications service (a real process) on the real servers of `entraide infra up`.
An alert is raised every ``--interval`` seconds, each for a new post at the same point,
so each one reaches the same ~1,000 members. The latency of a notification runs from
the alert's send time to the moment the notification is read back from Kafka.

The baseline, in the same run: the broker's own produce-to-consume latency for a burst
of the same size (``--inside`` messages of the same size sent at once), the floor for
any service that turns one event into that many.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import time
from datetime import UTC, datetime, timedelta

import orjson
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer

from bench.common import (
    RESULTS_DIR,
    drop_bench_state,
    new_histogram,
    start_service,
    summary_ms,
    wait_ready,
)
from ops.infra import LocalInfra
from services.notifications.bootstrap import CONSUMED_TOPICS
from shared.contract.catalogue import MEMBERS, NOTIFICATIONS, dead_letter_topic
from shared.contract.envelope import encode_event
from shared.contract.events import MemberProfileChanged, UrgentAlertRaised
from shared.contract.values import Category, Point
from shared.runtime.kafka import build_producer
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import Settings
from tests.integration.net import free_port

CENTRE = Point(lat=48.8566, lon=2.3522)
RADIUS_M = 200
METRES_PER_DEGREE = 111_195


def point_at(rng: random.Random, low_m: float, high_m: float) -> Point:
    distance = rng.uniform(low_m, high_m)
    angle = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(angle) / METRES_PER_DEGREE
    dlon = distance * math.sin(angle) / (METRES_PER_DEGREE * math.cos(math.radians(CENTRE.lat)))
    return Point(lat=CENTRE.lat + dlat, lon=CENTRE.lon + dlon)


async def read_burst(bootstrap: str, topic: str, count: int) -> dict:
    """The broker alone: ``count`` messages sent at once, each timed to its arrival."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    await asyncio.sleep(1)
    producer = build_producer(bootstrap)
    await producer.start()
    latency = new_histogram()
    for burst in range(6):  # the first one warms the connections up: not recorded
        started = time.perf_counter()
        acks = [await producer.send(topic, key=str(i).encode(), value=b"x" * 480)
                for i in range(count)]  # fmt: skip
        received = 0
        while received < count:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for _record in records:
                    if burst:
                        latency.record_value(max(1, int((now - started) * 1e6)))
                    received += 1
        await asyncio.gather(*acks)
        await asyncio.sleep(0.5)
    await producer.stop()
    await consumer.stop()
    return summary_ms(latency)


async def run(args: argparse.Namespace) -> dict:
    settings = Settings()
    await LocalInfra(settings).up()
    tag = f"bench{int(time.time())}"
    suffix = f".{tag}"
    names = [t.name + suffix for t in (*CONSUMED_TOPICS, NOTIFICATIONS)]
    names += [dead_letter_topic("notifications").name + suffix, f"baseline{suffix}"]
    await ensure_topics(settings.kafka_bootstrap, [(n, 12) for n in names])

    baseline = await read_burst(settings.kafka_bootstrap, f"baseline{suffix}", args.inside)
    print("broker burst baseline", baseline, flush=True)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    schema = f"bench_{tag}"
    prefix = f"bench:{tag}"
    service = start_service(
        "services.notifications.entrypoints.main",
        {
            "ENTRAIDE_TOPIC_NAMESPACE": suffix,
            "ENTRAIDE_POSTGRES_SCHEMA": schema,
            "ENTRAIDE_REDIS_PREFIX": prefix,
            "ENTRAIDE_HTTP_PORT": str(port),
            "ENTRAIDE_CONSUMER_GROUP": f"bench-notifications-{tag}",
        },
        RESULTS_DIR / f"notifications-{tag}.log",
    )
    redis = aioredis.Redis.from_url(settings.redis_url)
    # No linger: the latency runs from the moment the alert is on Kafka.
    producer = build_producer(settings.kafka_bootstrap, linger_ms=0)
    await producer.start()
    sent_at: dict[str, float] = {}
    latency = new_histogram()
    per_alert: dict[str, int] = {}
    first_of_alert: dict[str, float] = {}
    last_of_alert: dict[str, float] = {}
    warmup = {f"p{n:04d}" for n in range(args.warmup)}
    stop = asyncio.Event()

    async def watch() -> None:
        consumer = AIOKafkaConsumer(NOTIFICATIONS.name + suffix, auto_offset_reset="earliest",
                                    bootstrap_servers=settings.kafka_bootstrap)  # fmt: skip
        await consumer.start()
        try:
            while not stop.is_set():
                for records in (await consumer.getmany(timeout_ms=50)).values():
                    arrived = time.perf_counter()
                    for record in records:
                        # orjson, not decode_event: the watcher shares the 2 cores with
                        # the service, and full validation of 1,000 events would slow it.
                        post_id = orjson.loads(record.value)["data"]["post_id"]
                        per_alert[post_id] = per_alert.get(post_id, 0) + 1
                        first_of_alert.setdefault(post_id, arrived)
                        last_of_alert[post_id] = arrived
                        if post_id not in warmup:
                            elapsed = arrived - sent_at[post_id]
                            latency.record_value(max(1, int(elapsed * 1e6)))
        finally:
            await consumer.stop()

    try:
        wait_ready(f"http://127.0.0.1:{port}", 60)
        rng = random.Random(7)
        now = datetime.now(UTC)
        started = time.perf_counter()
        acks = []
        for i in range(args.members):
            inside = i < args.inside
            home = point_at(rng, 0, RADIUS_M * 0.95) if inside else point_at(rng, 260, 20_000)
            profile = MemberProfileChanged(
                member_id=f"m{i:06d}", urgent_alerts_consent=True, home=home, changed_at=now
            )
            acks.append(await producer.send(MEMBERS.name + suffix, key=profile.member_id.encode(),
                                            value=encode_event(profile)))  # fmt: skip
        await asyncio.gather(*acks)
        geo_key = f"{prefix}:alertable:{Category.FIND_A_PERSON.value}"
        while await redis.zcard(geo_key) < args.members:
            if service.poll() is not None:
                raise RuntimeError("the service died; see its log in bench/results/")
            await asyncio.sleep(0.2)
        print(f"{args.members} members located in {time.perf_counter() - started:.1f}s",
              flush=True)  # fmt: skip

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(1)
        for n in range(args.warmup + args.alerts):
            post_id = f"p{n:04d}"
            alert = UrgentAlertRaised(
                alert_id=f"a{n:04d}", post_id=post_id, author_id="author",
                category=Category.FIND_A_PERSON, point=CENTRE, radius_m=RADIUS_M, ring=0,
                expires_at=now + timedelta(hours=3), raised_at=now,
            )  # fmt: skip
            sent_at[post_id] = time.perf_counter()
            await producer.send_and_wait(
                "alerts.v1" + suffix, key=post_id.encode(), value=encode_event(alert)
            )
            await asyncio.sleep(args.interval)
        deadline = time.monotonic() + 30
        expected = (args.warmup + args.alerts) * args.inside
        while sum(per_alert.values()) < expected and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        stop.set()
        await watcher
    finally:
        stop.set()
        await producer.stop()
        await redis.aclose()
        service.terminate()
        service.wait(30)
        await drop_bench_state(settings, tag, [schema], prefix)

    measured = summary_ms(latency)

    def per_alert_ms(arrivals: dict[str, float]) -> dict:
        histogram = new_histogram()
        for post_id, arrived in arrivals.items():
            if post_id not in warmup:
                histogram.record_value(max(1, int((arrived - sent_at[post_id]) * 1e6)))
        return summary_ms(histogram)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "members_located": args.members,
        "members_inside_radius": args.inside,
        "alerts": args.alerts,
        "interval_s": args.interval,
        "warmup_alerts_not_measured": args.warmup,
        "notifications_expected": (args.warmup + args.alerts) * args.inside,
        "notifications_received": sum(per_alert.values()),
        "alert_to_notification": measured,
        "alert_to_its_first_notification": per_alert_ms(first_of_alert),
        "alert_to_its_last_notification": per_alert_ms(last_of_alert),
        "broker_burst_produce_to_consume": baseline,
        "p99_vs_broker_p99": round(measured["p99_ms"] / max(baseline["p99_ms"], 0.01), 1),
    }
    (RESULTS_DIR / f"notifications-{tag}.json").write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--inside", type=int, default=1_000)
    parser.add_argument("--alerts", type=int, default=30)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--warmup", type=int, default=3, help="alerts sent first, not measured")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
