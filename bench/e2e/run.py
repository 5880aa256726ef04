"""bench/e2e: from the HTTP post to the frame on the sockets of the subscribed clients.

    .venv/bin/pip install -e '.[bench]'       # matplotlib, for the plots
    .venv/bin/python -m bench.e2e.run --rate 200 --duration 600 --clients 5000

The whole system as processes (posts with 2 HTTP workers, matching, notifications, a
gateway) on the real servers. ``--clients`` sockets (raw readers and 100 probes) are
spread over 100 areas, each subscribed to the feed around its area, so a post (placed in
one area) reaches ``clients / 100`` sockets, one of them a probe. Posts are sent open
loop: request i is sent at its intended time whatever happened to the others, and its
latency is measured from that intended time (written in the post's body) to the frame
on the probe. The broker's own produce-to-consume latency at the same rate is measured
first, in the same run: the floor. Writes the figures (JSON) and, with matplotlib, a
latency-over-time plot and a histogram (PNG) to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bench.common import (
    RESULTS_DIR,
    cpu_ms_per_item,
    cpu_seconds_by_group,
    drop_bench_state,
    new_histogram,
    summary_ms,
)
from bench.e2e.hops import hops
from bench.gateway.clients import area_point
from bench.gateway.run import Clients
from bench.matching.run import broker_baseline
from ops.infra import LocalInfra
from shared.contract.catalogue import TOPICS
from shared.runtime.auth import KeyRing, Role
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import Settings
from tests.e2e.conftest import System
from tests.integration.net import free_ports

AREAS = 100
MEMBERS = 50
WINDOW_S = 10.0
TAIL_MAX_S = 90.0
HTTP_CONNECTIONS = 200
HTTP_TIMEOUT_S = 30


async def run(args: argparse.Namespace) -> dict:
    settings = Settings()
    await LocalInfra(settings).up()
    tag = f"bench{int(time.time())}"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    home = RESULTS_DIR / f"e2e-{tag}"
    home.mkdir()
    suffix = f".{tag}"
    floor_topic = f"e2e-floor{suffix}"
    await ensure_topics(
        settings.kafka_bootstrap,
        [(t.name + suffix, t.partitions) for t in TOPICS] + [(floor_topic, 12)],
    )
    floor = await broker_baseline(
        settings.kafka_bootstrap,
        floor_topic,
        args.rate,
        min(args.duration, 20),
    )
    print("broker floor", floor, flush=True)
    keys = home / "keys"
    KeyRing(keys).ensure()
    gateway_port, posts_port, notifications_port = free_ports(3)
    env = {
        **os.environ,
        "ENTRAIDE_TOPIC_NAMESPACE": suffix,
        "ENTRAIDE_POSTGRES_SCHEMA": f"bench_{tag}",
        "ENTRAIDE_REDIS_PREFIX": f"bench:{tag}",
        "ENTRAIDE_KEYS_DIR": str(keys),
        "ENTRAIDE_DATA_DIR": str(home / "data"),
        "ENTRAIDE_HTTP_WORKERS": "2",
        "ENTRAIDE_CONSUMER_GROUP": f"bench-notifications-{tag}",
        "ENTRAIDE_POSTS_PER_HOUR": "100000000",
        "ENTRAIDE_PING_INTERVAL_S": "100000",
    }
    system = System(env, home)
    clients: Clients | None = None
    try:
        for name, port in (
            ("posts", posts_port),
            ("matching", None),
            ("notifications", notifications_port),
            ("gateway", gateway_port),
        ):
            await asyncio.to_thread(system.start, name, port)
        signer = KeyRing(keys).signer()
        # aiohttp, not httpx: under load httpx's pool took ~14 ms of the generator's CPU
        # per request (71 % of a core at 50 posts/s), and its queue became the latency.
        posts_url = system.url("posts")
        connector = aiohttp.TCPConnector(limit=HTTP_CONNECTIONS)
        timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            tokens = []
            for n in range(MEMBERS):
                account = {
                    "email": f"m{n}@{tag}.example.org",
                    "password": "bench password 1",
                    "display_name": f"m{n}",
                }
                async with http.post(f"{posts_url}/auth/register", json=account) as registered:
                    registered.raise_for_status()
                    member_id = (await registered.json())["id"]
                tokens.append(signer.issue(member_id, Role.MEMBER))
            clients = Clients(f"ws://127.0.0.1:{gateway_port}/ws", args.clients, AREAS)
            connected = clients.connected()
            print(f"{connected} sockets connected", flush=True)

            rng = random.Random(3)
            acked, errors, http_latency = 0, [], new_histogram()
            in_flight: set[asyncio.Task] = set()

            async def send(intended_wall: float, intended_perf: float) -> None:
                nonlocal acked
                lat, lon = area_point(rng.randrange(AREAS))
                body = {
                    "kind": "offer",
                    "category": "goods",
                    "title": "A sofa to give away",
                    "body": f"t={intended_wall!r}",
                    "language": "fr",
                    "location": {"lat": lat, "lon": lon},
                    "radius_m": 2000,
                }
                token = tokens[rng.randrange(MEMBERS)]
                headers = {"Authorization": f"Bearer {token}"}
                try:
                    async with http.post(f"{posts_url}/posts", json=body, headers=headers) as r:
                        await r.read()
                        status = r.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    errors.append(type(exc).__name__)
                    return
                if status == 201:
                    acked += 1
                    http_latency.record_value(
                        max(1, int((time.perf_counter() - intended_perf) * 1e6))
                    )
                else:
                    errors.append(f"HTTP {status}")

            async def load() -> None:
                interval = 1.0 / args.rate
                wall0, perf0 = time.time(), time.perf_counter()
                for i in range(int(args.rate * args.duration)):
                    delay = perf0 + i * interval - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    task = asyncio.create_task(send(wall0 + i * interval, perf0 + i * interval))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                await asyncio.gather(*in_flight)

            # Whose CPU the load costs: each service, the socket clients, the servers.
            watched = {p.name: p.popen.pid for p in system.processes} | {
                f"clients{k}": proc.pid for k, proc in enumerate(clients.procs)
            }
            cpu_before = cpu_seconds_by_group(watched)
            loader = asyncio.create_task(load())
            windows, all_latencies, started = [], [], time.perf_counter()
            duplicates = 0
            while not loader.done():
                latencies, doubled, alive = await asyncio.to_thread(clients.measure, WINDOW_S)
                all_latencies += latencies
                duplicates += doubled
                h = new_histogram()
                for ms in latencies:
                    h.record_value(max(1, int(ms * 1000)))
                s = summary_ms(h)
                windows.append(
                    {
                        "t_s": round(time.perf_counter() - started, 1),
                        "frames": len(latencies),
                        "p50_ms": s["p50_ms"],
                        "p99_ms": s["p99_ms"],
                        "alive": alive,
                    }
                )
                print(windows[-1], flush=True)
            await loader
            cpu = cpu_ms_per_item(cpu_before, cpu_seconds_by_group(watched), acked)
            # The tail: frames of acknowledged posts still on their way.
            deadline = time.monotonic() + TAIL_MAX_S
            while len(all_latencies) < acked and time.monotonic() < deadline:
                latencies, doubled, _ = await asyncio.to_thread(clients.measure, 5.0)
                all_latencies += latencies
                duplicates += doubled
    finally:
        if clients is not None:
            clients.stop()
        system.stop()
        await drop_bench_state(
            settings, tag, [f"bench_{tag}", f"bench_{tag}_notifications"], f"bench:{tag}"
        )

    histogram = new_histogram()
    for ms in all_latencies:
        histogram.record_value(max(1, int(ms * 1000)))
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rate_per_s": args.rate,
        "duration_s": args.duration,
        "sockets": args.clients,
        "recipients_per_post": args.clients // AREAS,
        "posts_acknowledged": acked,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "frames_on_probes": len(all_latencies),
        "lost": acked - len(all_latencies),
        "duplicate_frames": duplicates,
        "http_post": summary_ms(http_latency),
        "post_to_socket": summary_ms(histogram),
        "broker_floor": floor,
        "cpu_ms_per_post": cpu,
        # Where the time went, from the trace ids in the services' logs.
        "hops": hops(p.log for p in system.processes if p.name in ("posts", "gateway")),
        "windows": windows,
    }
    (RESULTS_DIR / f"e2e-{tag}.json").write_text(json.dumps(result, indent=2))
    plot(result, all_latencies, RESULTS_DIR / f"e2e-{tag}")
    return result


def plot(result: dict, latencies: list[float], stem: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: pip install -e '.[bench]' for the plots")
        return
    figure, axis = plt.subplots(figsize=(8, 4))
    times = [w["t_s"] for w in result["windows"]]
    axis.plot(times, [w["p50_ms"] for w in result["windows"]], label="p50")
    axis.plot(times, [w["p99_ms"] for w in result["windows"]], label="p99")
    axis.axhline(100, linestyle="--", color="grey", label="target p99")
    axis.set(
        xlabel="time (s)",
        ylabel="post to socket (ms)",
        yscale="log",
        title=f"{result['rate_per_s']:g} posts/s, {result['sockets']} sockets",
    )
    axis.legend()
    figure.savefig(f"{stem}-latency.png", dpi=100, bbox_inches="tight")
    figure, axis = plt.subplots(figsize=(8, 4))
    axis.hist(latencies, bins=60)
    axis.set(xlabel="post to socket (ms)", ylabel="frames", title="latency histogram")
    figure.savefig(f"{stem}-histogram.png", dpi=100, bbox_inches="tight")
    print(f"plots: {stem}-latency.png, {stem}-histogram.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--clients", type=int, default=5_000)
    summary = asyncio.run(run(parser.parse_args()))
    print(json.dumps({k: v for k, v in summary.items() if k != "windows"}, indent=2))


if __name__ == "__main__":
    main()
