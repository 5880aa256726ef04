"""bench/ingest: sustained posts per second through the posts API, with HTTP latency and
the delay from the outbox row to the event being readable on Kafka.

    .venv/bin/python -m bench.ingest.run --rate 1000 --duration 30

Everything runs on this machine, on loopback, against the real servers of
`entraide infra up`. The baseline, measured in the same run, is a bare asyncpg loop
inserting one row per transaction at the same concurrency: the database's own price
for a write, without HTTP, validation, rate limits, outbox or Kafka.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer

from bench.common import (
    RESULTS_DIR,
    cpu_ms_per_item,
    cpu_seconds_by_group,
    drop_bench_state,
    new_histogram,
    open_loop,
    post_for_id,
    start_service,
    summary_ms,
    wait_ready,
)
from ops.infra import LocalInfra
from shared.contract.catalogue import POSTS, TOPICS
from shared.contract.envelope import decode_event
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import Settings

PASSWORD = "bench password 1234"
POST = {
    "kind": "offer",
    "category": "tickets_events",
    "title": "Two tickets for Saturday at face value",
    "body": "Can't go any more; selling at the price I paid.",
    "language": "en",
    "location": {"lat": 48.8937, "lon": 2.3934},
    "radius_m": 5000,
}


async def baseline_inserts(dsn: str, schema: str, seconds: float, concurrency: int) -> dict:
    pool = await asyncpg.create_pool(
        dsn, min_size=concurrency, max_size=concurrency, server_settings={"search_path": schema}
    )
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE baseline (id bigserial PRIMARY KEY, title text, body text,"
            " created_at timestamptz DEFAULT now())"
        )
    latency = new_histogram()
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO baseline (title, body) VALUES ($1, $2)",
                    POST["title"],
                    POST["body"],
                )
            latency.record_value(max(1, int((time.perf_counter() - started) * 1e6)))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return {"rows_per_s": round(done / elapsed), **summary_ms(latency)}


async def register_members(session: aiohttp.ClientSession, url: str, count: int, tag: str):
    tokens = []
    for i in range(count):
        email = f"bench{i}@{tag}.example.org"
        account = {"email": email, "password": PASSWORD, "display_name": f"bench {i}"}
        async with session.post(f"{url}/auth/register", json=account) as response:
            assert response.status == 201, await response.text()
        async with session.post(
            f"{url}/auth/login", json={"email": email, "password": PASSWORD}
        ) as response:
            tokens.append((await response.json())["access_token"])
    return tokens


def add_load_arguments(parser: argparse.ArgumentParser, duration_s: float) -> None:
    """The options of the load, the same for the posts API and its floor."""
    parser.add_argument("--rate", type=float, default=1000, help="posts per second offered")
    parser.add_argument("--duration", type=float, default=duration_s, help="seconds of load")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=20, help="database connections")
    parser.add_argument("--workers", type=int, default=2, help="server processes")


async def http_load(
    args: argparse.Namespace,
    send: Callable[[int], Awaitable[str]],
    services: dict[str, int],
) -> tuple[list[str], dict]:
    """Offer ``args.rate`` posts a second for ``args.duration`` s, open loop; the ids
    created and the figures of the load (rates, errors, HTTP latency, CPU per post)."""
    latency, errors, created = new_histogram(), [], []

    async def one(i: int) -> None:
        created.append(await send(i))

    cpu_before = cpu_seconds_by_group(services)
    started = time.perf_counter()
    achieved, saturated = await open_loop(args.rate, args.duration, one, latency, errors)
    ended = time.perf_counter()
    return created, {
        "achieved_start_rate_per_s": round(achieved, 1),
        "duration_s": args.duration,
        "created": len(created),
        "served_per_s": round(len(created) / (ended - started), 1),
        "generator_waited_for_a_slot": saturated,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "http": summary_ms(latency),
        "cpu_ms_per_post": cpu_ms_per_item(
            cpu_before, cpu_seconds_by_group(services), len(created)
        ),
    }


async def watch_kafka(
    bootstrap: str, topic: str, lag, seen: set, event_ids: Counter, stop: asyncio.Event
) -> None:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            now = datetime.now(UTC)
            for records in batch.values():
                for record in records:
                    envelope = decode_event(record.value).envelope
                    seen.add(envelope.subject)
                    event_ids[envelope.id] += 1
                    lag.record_value(max(1, int((now - envelope.time).total_seconds() * 1e6)))
    finally:
        await consumer.stop()


async def run(args: argparse.Namespace) -> dict:
    settings = Settings()
    await LocalInfra(settings).up()
    tag = f"bench{int(time.time())}"
    conn = await asyncpg.connect(settings.postgres_dsn)
    await conn.execute(f'CREATE SCHEMA "{tag}"')
    await conn.close()
    suffix = f".{tag}"
    await ensure_topics(
        settings.kafka_bootstrap,
        # Every topic the outbox may write to (members.v1 too: registration publishes).
        [(t.name + suffix, t.partitions) for t in TOPICS],
    )

    baseline = await baseline_inserts(settings.postgres_dsn, tag, 10, args.concurrency)
    print("baseline", baseline, flush=True)

    port = 18101
    url = f"http://127.0.0.1:{port}"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    environment = {
        "ENTRAIDE_POSTGRES_SCHEMA": tag,
        "ENTRAIDE_TOPIC_NAMESPACE": suffix,
        "ENTRAIDE_REDIS_PREFIX": tag,
        "ENTRAIDE_HTTP_PORT": str(port),
        "ENTRAIDE_POSTS_PER_HOUR": "1000000",
        "ENTRAIDE_LOGINS_PER_WINDOW": "1000000",
        "ENTRAIDE_DB_POOL_MAX": str(args.concurrency),
        "ENTRAIDE_HTTP_WORKERS": str(args.workers),
        # --relays 0: each API worker runs a relay (the default deployment).
        "ENTRAIDE_RUN_RELAY": "false" if args.relays else "true",
    }
    process = start_service(
        "services.posts.entrypoints.main", environment, RESULTS_DIR / f"ingest-{tag}.log"
    )
    relays = [
        start_service("services.posts.entrypoints.relay", environment,
                      RESULTS_DIR / f"ingest-{tag}-relay{k}.log")
        for k in range(args.relays)
    ]  # fmt: skip
    services = {"api": process.pid} | {f"relay{k}": r.pid for k, r in enumerate(relays)}
    try:
        await asyncio.to_thread(wait_ready, url)
        connector = aiohttp.TCPConnector(limit=args.connections)
        async with aiohttp.ClientSession(connector=connector) as session:
            tokens = await register_members(session, url, args.members, tag)
            lag, seen, event_ids, stop = new_histogram(), set(), Counter(), asyncio.Event()
            topic = POSTS.name + suffix
            watcher = asyncio.create_task(
                watch_kafka(settings.kafka_bootstrap, topic, lag, seen, event_ids, stop)
            )
            await asyncio.sleep(2)  # the watcher joins at "latest" before the load starts

            async def send(i: int) -> str:
                headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
                return await post_for_id(session, f"{url}/posts", POST, headers)

            created, load = await http_load(args, send, services)
            deadline = time.monotonic() + 30
            while not set(created) <= seen and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            stop.set()
            await watcher
    finally:
        for each in (process, *relays):
            each.terminate()
            each.wait(30)
        await drop_bench_state(settings, tag, [tag], tag)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "target_rate_per_s": args.rate,
        "api_workers": args.workers,
        "separate_relays": args.relays,
        **load,
        "missing_on_kafka": len(set(created) - seen),
        # An event id read more than once: a re-send, allowed after a crash, not otherwise.
        "events_sent_twice": sum(1 for n in event_ids.values() if n > 1),
        "outbox_to_kafka": summary_ms(lag),
        "baseline_bare_asyncpg_insert": baseline,
        "http_rate_vs_baseline": round(len(created) / args.duration / baseline["rows_per_s"], 3),
    }
    (RESULTS_DIR / f"ingest-{tag}.json").write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_load_arguments(parser, duration_s=30)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--relays", type=int, default=0,
                        help="relay processes of their own (0: the API workers relay)")  # fmt: skip
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
