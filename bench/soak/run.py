"""bench/soak: an hour at a moderate rate, every service's memory, open descriptors and
consumer lag sampled each minute, and plotted.

    .venv/bin/pip install -e '.[bench]'       # matplotlib, for the plot
    .venv/bin/python -m bench.soak.run --minutes 60 --rate 10

A deployment of its own (bench/chaos/deployment.py: `entraide up` in a data folder of
its own), feed clients that stay connected, and posts at ``--rate`` a second, each
resolved ``--open-for`` seconds later, so that the open posts (matching's index) reach
a steady number instead of growing for ever, as on a real platform.
It takes the machine: the default ports must be free (`entraide down` first).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from bench.chaos.clients import open_clients
from bench.chaos.deployment import SERVICE_NAMES, Deployment, children
from bench.chaos.load import Load, session
from bench.harness import cli
from bench.harness.cpu import rss_kib
from bench.harness.session import RESULTS_DIR
from bench.soak.plot import plot
from ops.local import scrape
from shared.runtime.kafka.lag import group_lags

GROUPS = ("entraide-matching", "entraide-notifications")
WATCHED = (*SERVICE_NAMES, "kafka", "postgres", "redis")


def family(pid: int) -> list[int]:
    """A process and its children (the posts API's workers, PostgreSQL's backends)."""
    return [pid, *children(pid)]


def sample(deployment: Deployment, started: float) -> dict:
    row: dict = {"minute": round((time.monotonic() - started) / 60, 1), "rss_mib": {}, "fds": {}}
    for name in WATCHED:
        pid = deployment.pid(name)
        if pid is None:
            continue
        pids = family(pid)
        row["rss_mib"][name] = round(sum(_quiet(rss_kib, p) for p in pids) / 1024, 1)
        row["fds"][name] = sum(_quiet(lambda p: len(list(Path(f"/proc/{p}/fd").iterdir())), p)
                               for p in pids)  # fmt: skip
    row["outbox_backlog"] = scrape(deployment.url("posts"), "entraide_outbox_backlog_rows")
    row["matching_index_posts"] = scrape(
        deployment.url("matching"), "entraide_matching_index_open_posts"
    )
    return row


def _quiet(measure, pid: int) -> int:
    try:
        return measure(pid)
    except (OSError, RuntimeError):
        return 0  # gone meanwhile


async def resolve_later(load: Load, http, open_for_s: float, stop: asyncio.Event) -> None:
    """Resolve each post ``open_for_s`` after it was acknowledged."""
    done: set[str] = set()
    while not stop.is_set():
        due = [p for p, at in list(load.acked.items()) if p not in done
               and time.monotonic() - at > open_for_s]  # fmt: skip
        for post_id in due:
            author = load.author_of.get(post_id)
            if author:
                headers = {"Authorization": f"Bearer {load.tokens[author]}"}
                url = f"{load.posts_url}/posts/{post_id}/resolve"
                await http.post(url, json={"outcome": "helped"}, headers=headers)
            done.add(post_id)
        await asyncio.sleep(1)


async def run(args) -> dict:
    tag = f"soak{int(time.time())}"
    deployment = Deployment(RESULTS_DIR / tag, brokers=1)
    await asyncio.to_thread(deployment.up)
    stop, rows = asyncio.Event(), []
    try:
        async with session() as http:
            load = Load(deployment.url("posts"))
            await load.register(http, args.members, tag, deployment)
            gateway = deployment.url("gateway").replace("http:", "ws:") + "/ws"
            _, tasks = await open_clients(gateway, args.clients, stop)
            loading = asyncio.create_task(load.run(http, args.rate, args.minutes * 60))
            resolving = asyncio.create_task(resolve_later(load, http, args.open_for, stop))
            started = time.monotonic()
            while not loading.done():
                lags = await group_lags(deployment.settings.kafka_bootstrap, GROUPS)
                rows.append({**sample(deployment, started), "lag": lags})
                print(rows[-1], flush=True)
                await asyncio.wait([loading], timeout=args.every)
            stop.set()
            await asyncio.wait([resolving, *tasks], timeout=10)
    finally:
        stop.set()
        await asyncio.to_thread(deployment.down)
    result = {"minutes": args.minutes, "rate_per_s": args.rate, "open_for_s": args.open_for,
              "clients": args.clients, "posts_acknowledged": len(load.acked),
              "samples": rows}  # fmt: skip
    (RESULTS_DIR / f"{tag}.json").write_text(json.dumps(result, indent=2))
    plot(result, RESULTS_DIR / tag)
    return result


def options(parser) -> None:
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--rate", type=float, default=10, help="posts per second")
    parser.add_argument("--open-for", type=float, default=120, help="seconds before resolving")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--every", type=float, default=60, help="seconds between samples")


if __name__ == "__main__":
    cli.main(__doc__, options, run, hidden=("samples",))
