"""bench/matching: from a post on Kafka to its MatchFound on Kafka, with 100,000 open
posts in the index, while requests arrive at a steady rate; and the worker's lag.

    .venv/bin/python -m bench.matching.run --open-posts 100000 --rate 1000 --duration 20

Matching workers (real faust processes, one by default, `--workers N`) on the real
broker of `entraide infra up`.
The baseline, measured in the same run, is the broker's own produce-to-consume latency
for the same message rate on a plain topic: the floor any Kafka pipeline pays.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import subprocess
import time
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from bench.common import (
    RESULTS_DIR,
    cpu_ms_per_item,
    cpu_seconds_by_group,
    drop_bench_state,
    new_histogram,
    open_loop,
    start_service,
    summary_ms,
)
from ops.infra import LocalInfra
from shared.contract.catalogue import MATCHES, POSTS, REPLIES, URGENT_REQUESTS
from shared.contract.envelope import encode_event
from shared.contract.events import PostCreated, PublicPost
from shared.contract.values import Category, FuzzedLocation, Kind, Point, Urgency
from shared.runtime.kafka import build_producer
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import Settings

WORDS = (
    "velo voiture camion billet concert festival lit chambre travail stage cours meuble "
    "frigo canape ordinateur telephone garde enfant courses demenagement bike car van "
    "ticket room job desk fridge sofa laptop phone babysitting moving"
).split()
CATEGORIES = list(Category)


def a_post(post_id: str, kind: Kind, rng: random.Random, now: datetime, like=None):
    """A post somewhere in France, or (``like`` given) beside that post, sharing its words."""
    if like is None:
        lat, lon = rng.uniform(43.0, 50.5), rng.uniform(-1.5, 7.5)
        category, text = rng.choice(CATEGORIES), " ".join(rng.sample(WORDS, 3))
    else:
        lat, lon = like.location.lat, like.location.lon
        category, text = like.category, like.title
    return PostCreated(
        post_id=post_id,
        post=PublicPost(
            post_id=post_id,
            author_id=f"u{post_id}",
            kind=kind,
            category=category,
            title=text,
            body="",
            language="fr",
            location=FuzzedLocation.of(Point(lat=lat, lon=lon)),
            radius_m=rng.choice((2_000, 5_000, 10_000)),
            urgency=Urgency.NORMAL,
            expires_at=now + timedelta(days=14),
            created_at=now,
            updated_at=now,
        ),
    )


async def broker_baseline(bootstrap: str, topic: str, rate: float, duration: float) -> dict:
    latency = new_histogram()
    sent: dict[bytes, float] = {}
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    await asyncio.sleep(1)
    producer = build_producer(bootstrap)
    await producer.start()
    received = 0

    async def consume() -> None:
        nonlocal received
        while received < int(rate * duration):
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    latency.record_value(max(1, int((now - sent[record.key]) * 1e6)))
                    received += 1

    reader = asyncio.create_task(consume())

    async def send(i: int) -> None:
        key = str(i).encode()
        sent[key] = time.perf_counter()
        await producer.send(topic, key=key, value=b"x" * 600)

    await open_loop(rate, duration, send, new_histogram(), [])
    await asyncio.wait_for(reader, 60)
    await producer.stop()
    await consumer.stop()
    return summary_ms(latency)


class GroupLag:
    """A consumer group's committed-offset lag over every topic it reads. One admin
    client and one consumer for all the samples: a pair per sample (two a second) cost
    this process CPU that the worker shares."""

    def __init__(self, bootstrap: str, group: str) -> None:
        self.group = group
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)

    async def __aenter__(self) -> GroupLag:
        await self.admin.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def messages(self) -> int:
        """-1 until the group has committed an offset."""
        committed = await self.admin.list_consumer_group_offsets(self.group)
        if not committed:
            return -1
        ends = await self.consumer.end_offsets(list(committed))
        return sum(ends[tp] - offset.offset for tp, offset in committed.items())


async def run(args: argparse.Namespace) -> dict:
    settings = Settings()
    await LocalInfra(settings).up()
    tag = f"bench{int(time.time())}"
    suffix = f".{tag}"
    posts_topic, matches_topic = POSTS.name + suffix, MATCHES.name + suffix
    await ensure_topics(settings.kafka_bootstrap, [
        (posts_topic, POSTS.partitions), (matches_topic, MATCHES.partitions),
        (URGENT_REQUESTS.name + suffix, URGENT_REQUESTS.partitions),
        (REPLIES.name + suffix, REPLIES.partitions), (f"baseline{suffix}", POSTS.partitions),
    ])  # fmt: skip

    baseline = await broker_baseline(settings.kafka_bootstrap, f"baseline{suffix}", args.rate,
                                     args.duration)  # fmt: skip
    print("broker baseline", baseline, flush=True)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    workers = [
        start_service(
            "services.matching.entrypoints.worker",
            {"ENTRAIDE_TOPIC_NAMESPACE": suffix, "ENTRAIDE_WEB_ENABLED": "false"},
            RESULTS_DIR / f"matching-{tag}-{n}.log",
        )
        for n in range(args.workers)
    ]
    rng = random.Random(42)
    now = datetime.now(UTC)
    # The fill goes in big batches; the requests go as the baseline's records do (the
    # default 2 ms linger): a 20 ms linger on them was 20 ms of latency not matching's.
    producer = build_producer(settings.kafka_bootstrap, linger_ms=20, max_batch_size=256 * 1024)
    request_producer = build_producer(settings.kafka_bootstrap)
    await producer.start()
    await request_producer.start()
    first_match: dict[str, float] = {}
    sent_at: dict[str, float] = {}
    matches_seen = 0
    stop = asyncio.Event()

    async def watch_matches() -> None:
        nonlocal matches_seen
        consumer = AIOKafkaConsumer(matches_topic, bootstrap_servers=settings.kafka_bootstrap,
                                    auto_offset_reset="earliest")  # fmt: skip
        await consumer.start()
        try:
            while not stop.is_set():
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    arrived = time.perf_counter()
                    for record in records:
                        matches_seen += 1
                        # MatchFound is keyed by its request id: reading the key, not
                        # decoding every match, keeps this process off the worker's CPU.
                        first_match.setdefault(record.key.decode(), arrived)
        finally:
            await consumer.stop()

    watcher = asyncio.create_task(watch_matches())
    stack = contextlib.AsyncExitStack()
    try:
        # 1. Fill the index with offers, then wait for a sentinel request to match.
        started = time.perf_counter()
        services = {f"worker{n}": worker.pid for n, worker in enumerate(workers)}
        cpu_started = cpu_seconds_by_group(services)
        offers = [a_post(f"o{i:06d}", Kind.OFFER, rng, now) for i in range(args.open_posts)]
        futures = [await producer.send(posts_topic, key=o.post_id.encode(), value=encode_event(o))
                   for o in offers]  # fmt: skip
        await asyncio.gather(*futures)
        anchor = offers[-1].post
        sentinel = a_post("rsentinel", Kind.REQUEST, rng, now, like=anchor)
        await producer.send_and_wait(posts_topic, key=b"rsentinel", value=encode_event(sentinel))
        while "rsentinel" not in first_match:
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError("a worker died; see its log in bench/results/")
            await asyncio.sleep(0.5)
        # The sentinel proves only its own category's partition is done (and with several
        # workers, only one worker): wait until the group has read everything, the
        # routed topic included, so the requests do not queue behind the fill.
        group_lag = await stack.enter_async_context(
            GroupLag(settings.kafka_bootstrap, "entraide-matching" + suffix)
        )
        while await group_lag.messages() != 0:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        preload_s = time.perf_counter() - started
        print(f"index filled with {args.open_posts} offers in {preload_s:.1f}s", flush=True)
        cpu_filled = cpu_seconds_by_group(services)

        # 2. Requests at a steady rate, each near an offer and sharing its words.
        lags: list[int] = []
        latency, errors = new_histogram(), []

        async def sample_lag() -> None:
            while not stop.is_set():
                lags.append(await group_lag.messages())
                await asyncio.sleep(0.5)

        sampler = asyncio.create_task(sample_lag())

        async def send(i: int) -> None:
            offer = offers[rng.randrange(len(offers))].post
            request = a_post(f"r{i:06d}", Kind.REQUEST, rng, now, like=offer)
            sent_at[request.post_id] = time.perf_counter()
            await request_producer.send(posts_topic, key=request.post_id.encode(),
                                        value=encode_event(request))  # fmt: skip

        achieved, _ = await open_loop(args.rate, args.duration, send, new_histogram(), errors)
        deadline = time.monotonic() + 60
        while not set(sent_at) <= set(first_match) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        # From the first request until the last is matched (a worker behind keeps working).
        cpu_requests = cpu_ms_per_item(cpu_filled, cpu_seconds_by_group(services), len(sent_at))
        for post_id, sent in sent_at.items():
            if post_id in first_match:
                latency.record_value(max(1, int((first_match[post_id] - sent) * 1e6)))
        stop.set()
        await sampler
    finally:
        stop.set()
        await watcher
        await producer.stop()
        await request_producer.stop()
        await stack.aclose()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()  # a worker stuck in faust's shutdown must not outlive the run
        await drop_bench_state(settings, tag)

    valid_lags = [lag for lag in lags if lag >= 0]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": args.workers,
        "open_posts_in_index": args.open_posts,
        "index_fill_s": round(preload_s, 1),
        "request_rate_per_s": args.rate,
        "achieved_rate_per_s": round(achieved, 1),
        "duration_s": args.duration,
        "requests": len(sent_at),
        "requests_matched": len(set(sent_at) & set(first_match)),
        "post_to_match": summary_ms(latency),
        "cpu_ms_per_offer_during_fill": cpu_ms_per_item(cpu_started, cpu_filled, args.open_posts),
        "cpu_ms_per_request": cpu_requests,
        # Records not yet committed on posts.v1 and the routed topic: faust commits every
        # 2.8 s, so this counts at least that much traffic (post_to_match is the wait).
        "max_lag_messages": max(valid_lags, default=-1),
        "broker_produce_to_consume": baseline,
        "p99_vs_broker_p99": round(
            summary_ms(latency)["p99_ms"] / max(baseline["p99_ms"], 0.01), 1
        ),
    }
    (RESULTS_DIR / f"matching-{tag}.json").write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open-posts", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
