"""bench/ingest/limiter.py: the CPU one rate-limit hit costs the posts API's process.

    .venv/bin/python -m bench.ingest.limiter --hits 20000

Every ``POST /posts`` counts one hit in Redis (``services/posts/adapters/ratelimit.py``).
The baseline, measured in the same run, is the limiter's earlier form: a MULTI, INCR,
EXPIRE, EXEC pipeline. The two alternate in rounds on one client and one Redis (of
``entraide infra up``), so the machine's noise falls on both; the figure is this
process's CPU per hit (``time.process_time``), the part that competes with the API.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from bench.harness import cli
from bench.harness.session import BenchRun
from services.posts.adapters.ratelimit import RedisLimiter
from services.posts.ports import Limit

ROUNDS = 10
MEMBERS = 100  # hits spread over this many keys, as members' hits are
LIMIT = Limit("posts", max_hits=10**9, window_s=3600)  # never refuses: only the cost


class PipelineLimiter:
    """The baseline: how ``RedisLimiter.hit`` counted before the script."""

    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, limit: Limit, who: str) -> None:
        window = int(time.time() // limit.window_s)
        key = f"{self._prefix}:rl:{limit.name}:{who}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, limit.window_s + 1)
            await pipe.execute()


async def cpu_us_per_hit(limiter, hits: int) -> float:
    started = time.process_time()
    for n in range(hits):
        await limiter.hit(LIMIT, f"m{n % MEMBERS}")
    return (time.process_time() - started) * 1e6 / hits


async def run(args) -> dict:
    hits = args.hits
    async with BenchRun("limiter") as bench:
        redis = aioredis.Redis.from_url(bench.settings.redis_url)
        prefix = bench.redis_prefix
        limiters = {
            "script": RedisLimiter(redis, prefix),
            "pipeline": PipelineLimiter(redis, prefix),
        }
        costs: dict[str, list[float]] = {name: [] for name in limiters}
        try:
            for limiter in limiters.values():
                await cpu_us_per_hit(limiter, MEMBERS)  # connections open, script loaded
            for _ in range(ROUNDS):
                for name, limiter in limiters.items():
                    costs[name].append(await cpu_us_per_hit(limiter, hits // ROUNDS))
        finally:
            await redis.aclose()
    median = {name: sorted(values)[len(values) // 2] for name, values in costs.items()}
    return {
        "hits_each": hits,
        "cpu_us_per_hit_median_of_rounds": {k: round(v, 1) for k, v in median.items()},
        "cpu_us_per_hit_rounds": {k: [round(v) for v in vs] for k, vs in costs.items()},
        "script_vs_pipeline": round(median["script"] / median["pipeline"], 2),
    }


if __name__ == "__main__":
    cli.main(__doc__, lambda parser: parser.add_argument("--hits", type=int, default=20_000), run)
