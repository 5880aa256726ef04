"""bench/matching: from a post on Kafka to its MatchFound on Kafka, with 100,000 open
posts in the index, while requests arrive at a steady rate; CPU per request; the lag.

    .venv/bin/python -m bench.matching.run --open-posts 100000 --rate 100 --duration 20

Matching workers (real faust processes, `--workers N`) on the broker of `entraide infra
up`. The floor, in the same run: the broker's own produce-to-consume latency at the
same rate on a plain topic (what any Kafka pipeline pays).
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime

from bench.harness import cli
from bench.harness.cpu import CpuMeter
from bench.harness.kafka import GroupLag, TopicWatch, broker_floor
from bench.harness.load import open_loop
from bench.harness.session import BenchRun
from bench.harness.stats import histogram_of, new_histogram, ratio, summary_ms
from bench.matching.posts import OfferSet
from shared.contract.catalogue import MATCHES, POSTS, REPLIES, URGENT_REQUESTS
from shared.runtime.kafka import build_producer


async def sample(lag: GroupLag, samples: list[int], every_s: float = 0.5) -> None:
    while True:
        samples.append(await lag.messages())
        await asyncio.sleep(every_s)


async def run(args) -> dict:
    async with BenchRun("matching") as bench:
        await bench.topics(POSTS, MATCHES, URGENT_REQUESTS, REPLIES, ("floor", 12))
        floor = await broker_floor(bench.bootstrap, bench.names("floor"), args.rate, args.duration)
        env, module = bench.service_env(web_enabled="false"), "services.matching.entrypoints.worker"
        workers = {f"w{n}": bench.start(module, env, f"w{n}").pid for n in range(args.workers)}
        matched: dict[str, float] = {}
        offers = OfferSet(args.open_posts, random.Random(42), datetime.now(UTC))
        # MatchFound is keyed by its request: the key, not the decoded event, says which.
        watch = TopicWatch(bench.bootstrap, bench.names(MATCHES),
                           lambda rec, at: matched.setdefault(rec.key.decode(), at))  # fmt: skip
        group = GroupLag(bench.bootstrap, "entraide-matching" + bench.namespace)
        # The requests go as the floor's records do (the default 2 ms linger).
        producer = build_producer(bench.bootstrap)
        await producer.start()
        async with watch, group as lag:
            cpu = CpuMeter(workers).start()
            fill_s = await offers.fill(bench, matched, lag)
            fill_cpu, cpu = cpu.per(args.open_posts), CpuMeter(workers).start()
            sent, samples = {}, []
            sampler = asyncio.create_task(sample(lag, samples))

            async def send(i: int) -> None:
                request = offers.request_like_an_offer(f"r{i:06d}")
                sent[request.post_id] = time.perf_counter()
                await producer.send(bench.names(POSTS), **offers.record(request))

            achieved, _ = await open_loop(args.rate, args.duration, send, new_histogram(), [])
            deadline = time.monotonic() + 60
            while not set(sent) <= set(matched) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            request_cpu = cpu.per(len(sent))
            sampler.cancel()
        await producer.stop()
        waits_ms = [(matched[p] - at) * 1000 for p, at in sent.items() if p in matched]
        latency = summary_ms(histogram_of(waits_ms))
        return bench.save({
            "workers": args.workers, "open_posts_in_index": args.open_posts,
            "index_fill_s": round(fill_s, 1), "request_rate_per_s": args.rate,
            "achieved_rate_per_s": round(achieved, 1), "requests": len(sent),
            "requests_matched": len(waits_ms), "post_to_match": latency,
            "cpu_ms_per_offer_during_fill": fill_cpu, "cpu_ms_per_request": request_cpu,
            "max_lag_messages": max(samples, default=-1), "broker_floor": floor,
            "p99_vs_broker_p99": ratio(latency["p99_ms"], floor["p99_ms"]),
        })  # fmt: skip


def options(parser) -> None:
    parser.add_argument("--open-posts", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)


if __name__ == "__main__":
    cli.main(__doc__, options, run)
