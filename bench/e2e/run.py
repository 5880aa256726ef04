"""bench/e2e: from the HTTP post to the frame on the sockets of the subscribed clients,
and the CPU per post of every process.

    .venv/bin/pip install -e '.[bench]'       # matplotlib, for the plots
    .venv/bin/python -m bench.e2e.run --rate 200 --duration 60 --clients 5000

The whole system as processes (posts with 2 HTTP workers, matching, notifications, a
gateway) on the real servers. ``--clients`` sockets (raw readers and 100 probes) are
spread over 100 areas, each subscribed to the feed around its area, so a post (placed in
one area) reaches ``clients / 100`` sockets, one of them a probe. Posts are sent open
loop, each timed from its intended send time (written in its body) to the frame on the
probe. The broker's own produce-to-consume latency at the same rate is measured first,
in the same run: the floor. Writes the figures and, with matplotlib, plots.
"""

from __future__ import annotations

import asyncio
import os
import time

import aiohttp

from bench.e2e.hops import hops
from bench.e2e.plots import plot
from bench.e2e.posts import members, send_posts
from bench.gateway.sockets import Clients
from bench.harness import cli
from bench.harness.cpu import CpuMeter
from bench.harness.kafka import broker_floor
from bench.harness.session import RESULTS_DIR, BenchRun
from bench.harness.stats import histogram_of, new_histogram, summary_ms
from shared.contract.catalogue import TOPICS
from shared.runtime.auth import KeyRing
from tests.e2e.conftest import System
from tests.integration.net import free_port

AREAS = 100
WINDOW_S = 10.0
TAIL_MAX_S = 90.0
HTTP_CONNECTIONS = 200  # aiohttp: httpx's pool cost the generator ~14 ms a request
HTTP_TIMEOUT_S = 30


async def run(args) -> dict:
    async with BenchRun("e2e") as bench:
        await bench.topics(*TOPICS, ("floor", 12))
        floor = await broker_floor(bench.bootstrap, bench.names("floor"), args.rate,
                                   min(args.duration, 20))  # fmt: skip
        home = RESULTS_DIR / f"e2e-{bench.tag}"
        KeyRing(home / "keys").ensure()
        schema = await bench.schema()
        bench.schemas.append(f"{schema}_notifications")
        env = {**os.environ, **bench.service_env(
            postgres_schema=schema, keys_dir=str(home / "keys"), data_dir=str(home / "data"),
            http_workers="2", consumer_group=f"bench-notifications-{bench.tag}",
            posts_per_hour="100000000", ping_interval_s="100000")}  # fmt: skip
        system, clients = System(env, home), None
        try:
            for name in ("posts", "matching", "notifications", "gateway"):
                await asyncio.to_thread(system.start, name, free_port())
            connector = aiohttp.TCPConnector(limit=HTTP_CONNECTIONS)
            timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
                url = system.url("posts")
                tokens = await members(http, url, KeyRing(home / "keys").signer(), bench.tag)
                gateway = system.url("gateway").replace("http:", "ws:") + "/ws"
                clients = Clients(gateway, args.clients, AREAS)
                print(f"{clients.connected()} sockets connected", flush=True)
                watched = {p.name: p.popen.pid for p in system.processes} | {
                    f"clients{k}": proc.pid for k, proc in enumerate(clients.procs)}  # fmt: skip
                cpu, http_latency, errors = CpuMeter(watched).start(), new_histogram(), []
                load = asyncio.create_task(
                    send_posts(http, url, tokens, args, AREAS, http_latency, errors)
                )
                windows, latencies, duplicates = await watch(clients, load)
                acked = await load
                cpu_per_post = cpu.per(acked)
                duplicates += await tail(clients, latencies, acked)
        finally:
            if clients is not None:
                clients.stop()
            system.stop()
        result = bench.save({
            "rate_per_s": args.rate, "duration_s": args.duration, "sockets": args.clients,
            "recipients_per_post": args.clients // AREAS, "posts_acknowledged": acked,
            "errors": len(errors), "error_kinds": sorted(set(errors))[:10],
            "frames_on_probes": len(latencies), "lost": acked - len(latencies),
            "duplicate_frames": duplicates, "http_post": summary_ms(http_latency),
            "post_to_socket": summary_ms(histogram_of(latencies)), "broker_floor": floor,
            "cpu_ms_per_post": cpu_per_post,
            # Where the time went, from the trace ids in the services' logs.
            "hops": hops(p.log for p in system.processes if p.name in ("posts", "gateway")),
            "windows": windows,
        })  # fmt: skip
        plot(result, latencies, RESULTS_DIR / f"e2e-{bench.tag}")
        return result


async def watch(clients: Clients, load: asyncio.Task) -> tuple[list, list, int]:
    """The probes' figures, a window at a time, while the load runs."""
    windows, latencies, duplicates, started = [], [], 0, time.perf_counter()
    while not load.done():
        window, doubled, alive = await asyncio.to_thread(clients.measure, WINDOW_S)
        latencies += window
        duplicates += doubled
        s = summary_ms(histogram_of(window))
        windows.append({"t_s": round(time.perf_counter() - started, 1), "frames": len(window),
                        "p50_ms": s["p50_ms"], "p99_ms": s["p99_ms"], "alive": alive})  # fmt: skip
        print(windows[-1], flush=True)
    return windows, latencies, duplicates


async def tail(clients: Clients, latencies: list[float], acked: int) -> int:
    """The frames of acknowledged posts still on their way; the duplicates among them."""
    duplicates, deadline = 0, time.monotonic() + TAIL_MAX_S
    while len(latencies) < acked and time.monotonic() < deadline:
        window, doubled, _ = await asyncio.to_thread(clients.measure, 5.0)
        latencies += window
        duplicates += doubled
    return duplicates


def options(parser) -> None:
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--clients", type=int, default=5_000)


if __name__ == "__main__":
    cli.main(__doc__, options, run, hidden=("windows",))
