"""bench/ingest: sustained posts per second through the posts API, with HTTP latency, CPU
per post, and the delay from the outbox row to the event on Kafka.

    .venv/bin/python -m bench.ingest.run --rate 300 --duration 30

Its floor is bench/ingest/floor.py (the cheapest POST this stack serves), run apart
under the same load; here, in the same run, a bare asyncpg insert loop at the same
concurrency: the database's own price for a write.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime

import aiohttp

from bench.harness import cli
from bench.harness.http import POST, add_load_options, http_load, post_for_id, register_members
from bench.harness.kafka import TopicWatch
from bench.harness.session import BenchRun, wait_ready
from bench.harness.stats import new_histogram, summary_ms
from bench.ingest.floor import bare_inserts
from shared.contract.catalogue import POSTS, TOPICS
from shared.contract.envelope import decode_event

PORT = 18101


async def run(args) -> dict:
    async with BenchRun("ingest") as bench:
        await bench.topics(*TOPICS)  # every topic the outbox may write to
        schema = await bench.schema()
        baseline = await bare_inserts(bench.settings.postgres_dsn, schema, 10, args.concurrency)
        env = bench.service_env(
            postgres_schema=schema, http_port=str(PORT), posts_per_hour="1000000",
            logins_per_window="1000000", db_pool_max=str(args.concurrency),
            http_workers=str(args.workers), run_relay="false" if args.relays else "true",
        )  # fmt: skip
        api = bench.start("services.posts.entrypoints.main", env, "api")
        relays = [bench.start("services.posts.entrypoints.relay", env, f"relay{k}")
                  for k in range(args.relays)]  # fmt: skip
        url = f"http://127.0.0.1:{PORT}"
        await asyncio.to_thread(wait_ready, url)
        lag, seen, sent = new_histogram(), set(), Counter()

        def on_kafka(record, _arrived: float) -> None:
            envelope = decode_event(record.value).envelope
            seen.add(envelope.subject)
            sent[envelope.id] += 1
            age_s = (datetime.now(UTC) - envelope.time).total_seconds()
            lag.record_value(max(1, int(age_s * 1e6)))

        connector = aiohttp.TCPConnector(limit=args.connections)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            TopicWatch(bench.bootstrap, bench.names(POSTS), on_kafka, start_at="latest"),
        ):
            tokens = await register_members(session, url, args.members, bench.tag)
            await asyncio.sleep(2)  # the watcher joins at "latest" before the load starts

            async def send(i: int) -> str:
                headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
                return await post_for_id(session, f"{url}/posts", POST, headers)

            services = {"api": api.pid} | {f"relay{k}": r.pid for k, r in enumerate(relays)}
            created, load = await http_load(args, send, services)
            deadline = time.monotonic() + 30
            while not set(created) <= seen and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        return bench.save({
            "target_rate_per_s": args.rate, "api_workers": args.workers,
            "separate_relays": args.relays, **load,
            "missing_on_kafka": len(set(created) - seen),
            # An event id read more than once: a re-send, allowed after a crash only.
            "events_sent_twice": sum(1 for n in sent.values() if n > 1),
            "outbox_to_kafka": summary_ms(lag), "baseline_bare_asyncpg_insert": baseline,
        })  # fmt: skip


def options(parser) -> None:
    add_load_options(parser, duration_s=30)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--relays", type=int, default=0,
                        help="relay processes of their own (0: the API workers relay)")  # fmt: skip


if __name__ == "__main__":
    cli.main(__doc__, options, run)
