"""Shared pieces of the benchmarks: open-loop pacing, histograms, a service process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import aiohttp
import asyncpg
import redis.asyncio as aioredis
from hdrh.histogram import HdrHistogram

from ops.local import wait_until_ready
from shared.runtime.kafka.admin import delete_topics_named_with
from shared.runtime.settings import PROJECT_ROOT, Settings

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
REDIS_SCAN_COUNT = 1_000  # keys a SCAN step returns, and an UNLINK removes


def new_histogram() -> HdrHistogram:
    # 1 µs to 60 s, 3 significant digits; values recorded in microseconds.
    return HdrHistogram(1, 60_000_000, 3)


def summary_ms(histogram: HdrHistogram) -> dict[str, float]:
    def at(p: float) -> float:
        return round(histogram.get_value_at_percentile(p) / 1000, 2)

    return {
        "count": histogram.get_total_count(),
        "p50_ms": at(50),
        "p90_ms": at(90),
        "p99_ms": at(99),
        "p999_ms": at(99.9),
        "max_ms": round(histogram.get_max_value() / 1000, 2),
    }


async def open_loop(
    rate_per_s: float,
    duration_s: float,
    send: Callable[[int], Awaitable[None]],
    latency: HdrHistogram,
    errors: list[str],
    max_in_flight: int = 2_000,
) -> tuple[float, int]:
    """Start request i at its intended time, whatever happened to the others, and
    measure from that intended time: a slow server cannot slow the load down and hide
    its own queueing (coordinated omission). Returns the achieved start rate and how
    often the generator had to wait for a free slot (the server was that far behind)."""
    interval_s = 1.0 / rate_per_s
    total = int(rate_per_s * duration_s)
    in_flight: set[asyncio.Task] = set()
    saturated = 0
    started_at = time.perf_counter()

    async def one(i: int, intended: float) -> None:
        try:
            await send(i)
        except Exception as exc:  # counted, not raised: the run goes on
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return
        latency.record_value(max(1, int((time.perf_counter() - intended) * 1_000_000)))

    for i in range(total):
        intended = started_at + i * interval_s
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(in_flight) >= max_in_flight:
            saturated += 1
            await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        task = asyncio.create_task(one(i, intended))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    last_start = time.perf_counter()
    await asyncio.gather(*in_flight)
    return total / max(last_start - started_at, 1e-9), saturated


def start_service(
    module: str, env: dict[str, str], log: Path, args: Sequence[str] = ()
) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env={**os.environ, **env},
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def post_for_id(
    session: aiohttp.ClientSession, url: str, body: dict, headers: dict | None = None
) -> str:
    """POST ``body`` as JSON; the new resource's id. Anything but a 201 raises (the
    open loop counts it as an error)."""
    async with session.post(url, json=body, headers=headers) as response:
        raw = await response.read()
        if response.status != 201:
            raise RuntimeError(f"HTTP {response.status}: {raw[:100]!r}")
        return json.loads(raw)["id"]


def wait_ready(url: str, timeout_s: float = 60) -> None:
    if not wait_until_ready(url, timeout_s):
        raise TimeoutError(f"{url} not ready in {timeout_s}s")


async def drop_bench_state(
    settings: Settings, tag: str, schemas: Sequence[str] = (), redis_prefix: str | None = None
) -> None:
    """Remove what a run left in the shared servers: the Kafka topics whose name holds
    its ``tag`` (its own and those faust made for it), its PostgreSQL schemas and its
    Redis keys. Left behind, they had grown to 906 topics (~10,000 partitions on one
    broker) and 700,000 Redis keys (838 MB) that every later run shared."""
    await delete_topics_named_with(settings.kafka_bootstrap, tag)
    if schemas:
        conn = await asyncpg.connect(settings.postgres_dsn)
        try:
            for schema in schemas:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()
    if redis_prefix is None:
        return
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        batch = []
        async for key in redis.scan_iter(match=f"{redis_prefix}:*", count=REDIS_SCAN_COUNT):
            batch.append(key)
            if len(batch) >= REDIS_SCAN_COUNT:
                await redis.unlink(*batch)
                batch = []
        if batch:
            await redis.unlink(*batch)
    finally:
        await redis.aclose()


# CPU time per process, from /proc: the figure that moves least from run to run on this
# shared, noisy machine (latency tails move by 2x; CPU per request by a few percent).
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, CPU ticks, command line) for every process we can read."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]), command)
    return found


def cpu_seconds_by_group(services: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of: each named service (its pid and descendants), the servers
    (PostgreSQL, Kafka, Redis) and this benchmark process."""
    processes = _processes()
    groups = dict.fromkeys([*services, "postgres", "kafka", "redis"], 0.0)
    owner = {pid: name for name, pid in services.items()}
    for pid in sorted(processes):  # parents are older, so seen first
        parent = processes[pid][0]
        if parent in owner:
            owner[pid] = owner[parent]
    for pid, (_, ticks, command) in processes.items():
        seconds = ticks / CLOCK_TICKS_PER_S
        if pid in owner:
            groups[owner[pid]] += seconds
        elif command.startswith("postgres"):
            groups["postgres"] += seconds
        elif command.startswith("java") and "kafka" in command:
            groups["kafka"] += seconds
        elif command.startswith("redis-server"):
            groups["redis"] += seconds
    groups["benchmark"] = processes[os.getpid()][1] / CLOCK_TICKS_PER_S
    return groups


def cpu_ms_per_item(before: dict[str, float], after: dict[str, float], items: int) -> dict:
    """CPU milliseconds per item (post, request...) of each group between two readings."""
    return {group: round((after[group] - before[group]) * 1000 / max(items, 1), 2)
            for group in after}  # fmt: skip
