"""bench/notifications: from UrgentAlertRaised on Kafka to each NotificationCreated on
Kafka, with 10,000 located members of whom about 1,000 are inside the alert's radius.

    .venv/bin/python -m bench.notifications.run --members 10000 --inside 1000 --alerts 30

One notifications service (a real process) on the servers of `entraide infra up`. An
alert is raised every ``--interval`` seconds, each for a new post at the same point, so
each reaches the same ~1,000 members; a notification's latency runs from its alert's
send time to its arrival on Kafka. The floor, in the same run: the broker's own
produce-to-consume latency for a burst of the same size sent at once.
"""

from __future__ import annotations

import asyncio
import time

import orjson

from bench.harness import cli
from bench.harness.kafka import TopicWatch, burst_floor
from bench.harness.session import BenchRun, wait_ready
from bench.harness.stats import histogram_of, new_histogram, ratio, summary_ms
from bench.notifications.members import alert_record, locate_members
from shared.contract.catalogue import ALERTS, NOTIFICATIONS, TOPICS
from shared.runtime.kafka import build_producer
from tests.integration.net import free_port


def received(arrivals: dict[str, list[float]]) -> int:
    return sum(map(len, arrivals.values()))


async def run(args) -> dict:
    async with BenchRun("notifications") as bench:
        await bench.topics(*TOPICS, ("floor", 12))
        floor = await burst_floor(bench.bootstrap, bench.names("floor"), args.inside)
        port, schema = free_port(), await bench.schema()
        env = bench.service_env(postgres_schema=schema, http_port=str(port),
                                consumer_group=f"bench-notifications-{bench.tag}")  # fmt: skip
        bench.start("services.notifications.entrypoints.main", env, "service")
        await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{port}", 60)
        # No linger: the latency runs from the moment the alert is on Kafka.
        producer = build_producer(bench.bootstrap, linger_ms=0)
        await producer.start()
        sent, arrivals, latency = {}, {}, new_histogram()

        def arrived(record, at: float) -> None:
            # orjson, not decode_event: the watcher shares the 2 cores with the service.
            post_id = orjson.loads(record.value)["data"]["post_id"]
            arrivals.setdefault(post_id, []).append(at)
            if int(post_id[1:]) >= args.warmup:
                latency.record_value(max(1, int((at - sent[post_id]) * 1e6)))

        await locate_members(bench, producer, args.members, args.inside)
        async with TopicWatch(bench.bootstrap, bench.names(NOTIFICATIONS), arrived, poll_ms=50):
            await asyncio.sleep(1)
            for n in range(args.warmup + args.alerts):
                record = alert_record(n)
                sent[f"p{n:04d}"] = time.perf_counter()
                await producer.send_and_wait(bench.names(ALERTS), **record)
                await asyncio.sleep(args.interval)
            expected, deadline = (args.warmup + args.alerts) * args.inside, time.monotonic() + 30
            while received(arrivals) < expected and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        await producer.stop()
        measured = summary_ms(latency)
        alerts = {p: times for p, times in arrivals.items() if int(p[1:]) >= args.warmup}

        def per_alert(pick) -> dict:
            return summary_ms(histogram_of((pick(t) - sent[p]) * 1000 for p, t in alerts.items()))

        return bench.save({
            "members_located": args.members, "members_inside_radius": args.inside,
            "alerts": args.alerts, "interval_s": args.interval, "warmup_not_measured": args.warmup,
            "notifications_expected": expected,
            "notifications_received": received(arrivals),
            "alert_to_notification": measured, "alert_to_its_first": per_alert(min),
            "alert_to_its_last": per_alert(max), "broker_burst_floor": floor,
            "p99_vs_floor_p99": ratio(measured["p99_ms"], floor["p99_ms"]),
        })  # fmt: skip


def options(parser) -> None:
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--inside", type=int, default=1_000)
    parser.add_argument("--alerts", type=int, default=30)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--warmup", type=int, default=3, help="alerts sent first, not measured")


if __name__ == "__main__":
    cli.main(__doc__, options, run)
