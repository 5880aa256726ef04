"""bench/gateway: deliveries per second with p99 <= 100 ms, memory per idle connection,
and the replay of 10,000 missed events; against a bare ``websockets`` broadcast server
fed from the same Kafka topic in the same run.

    .venv/bin/python -m bench.gateway.run --clients 5000 10000 --rates 2 5 10 20 40

For each server (bare, then gateway) and each client count: the server starts alone;
client processes connect (raw sockets that read and discard, plus 100 probes that
parse frames and time them from the send time in the post's body); the server's RSS
is read before and after, idle; then posts are produced on the topic at each rate for
``--step`` seconds, until the probes' p99 passes 100 ms or sockets are lost.
Deliveries per second = rate x connected clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from websockets.asyncio.client import connect

from bench.common import RESULTS_DIR, drop_bench_state, new_histogram, summary_ms, wait_ready
from ops.infra import LocalInfra
from shared.contract.catalogue import MEMBER_LOCATIONS, NOTIFICATIONS, POSTS, REPLIES
from shared.contract.envelope import encode_event
from shared.contract.events import PostCreated, PublicPost
from shared.contract.values import Category, FuzzedLocation, Kind, Point, Urgency
from shared.runtime.kafka import build_producer
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import PROJECT_ROOT, Settings
from tests.integration.net import free_port

RAW_PROCESSES = 2
PROBES = 100
P99_LIMIT_MS = 100.0  # the target
# On 2 shared cores even the bare server's p99 passes 100 ms at 5,000 sockets (one
# broadcast to all of them takes that long), so the rate at p99 <= 500 ms is reported
# too, and the steps go on until p99 passes STOP_MS or sockets are lost.
SATURATION_P99_MS = 500.0
STOP_MS = 1_000.0
PARIS = Point(lat=48.8566, lon=2.3522)


def a_post(n: int) -> PostCreated:
    now = datetime.now(UTC)
    post_id = f"b{n:08d}"
    return PostCreated(
        post_id=post_id,
        post=PublicPost(
            post_id=post_id, author_id="bench", kind=Kind.OFFER, category=Category.GOODS,
            title="A sofa to give away", body=f"t={time.time()!r}", language="fr",
            location=FuzzedLocation.of(PARIS), radius_m=5_000, urgency=Urgency.NORMAL,
            expires_at=now + timedelta(days=7), created_at=now, updated_at=now,
        ),
    )  # fmt: skip


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start(args: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    environment = {**os.environ, **(env or {})}
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environment,
        )


class Clients:
    """Raw readers in RAW_PROCESSES processes, and one process of PROBES probes."""

    def __init__(self, url: str, count: int, areas: int = 0) -> None:
        """``areas``: spread the sockets' feed subscriptions over that many areas
        (bench/e2e); 0: every socket takes the whole feed."""
        per = (count - PROBES) // RAW_PROCESSES
        commands = [["raw", url, str(per), str(areas), str(PROBES + k * per)]
                    for k in range(RAW_PROCESSES)]  # fmt: skip
        commands.append(["probe", url, str(PROBES), str(areas)])
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.gateway.clients", *command],
                cwd=PROJECT_ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]

    def connected(self) -> int:
        return sum(json.loads(p.stdout.readline())["connected"] for p in self.procs)

    def measure(self, seconds: float) -> tuple[list[float], int, int]:
        """The probes' latencies (first frame of each post), duplicate frames, open sockets."""
        for p in self.procs:
            p.stdin.write(f"measure {seconds}\n")
            p.stdin.flush()
        latencies, duplicates, alive = [], 0, 0
        for p in self.procs:
            report = json.loads(p.stdout.readline())
            latencies += report["latencies_ms"]
            duplicates += report["duplicates"]
            alive += report["alive"]
        return latencies, duplicates, alive

    def stop(self) -> None:
        for p in self.procs:
            p.kill()
            p.wait()


async def produce(producer, topic: str, rate: float, seconds: float, start_n: int) -> int:
    interval = 1.0 / rate
    began = time.perf_counter()
    n = 0
    while time.perf_counter() - began < seconds:
        post = a_post(start_n + n)
        await producer.send(topic, key=post.post_id.encode(), value=encode_event(post))
        n += 1
        delay = began + n * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    return start_n + n


async def measure_server(name, server, url, clients_n, args, producer, topic, n0):
    rates, step = args.rates, args.step
    idle_before = rss_kib(server.pid)
    clients = Clients(url, clients_n)
    connected = await asyncio.to_thread(clients.connected)
    await asyncio.sleep(2)
    idle_after = rss_kib(server.pid)
    result = {
        "server": name, "clients": clients_n, "connected": connected,
        "rss_idle_before_kib": idle_before, "rss_idle_after_kib": idle_after,
        "kib_per_idle_connection": round((idle_after - idle_before) / max(connected, 1), 1),
        "steps": [],
    }  # fmt: skip
    print(name, clients_n, "connected", connected, "KiB/conn",
          result["kib_per_idle_connection"], flush=True)  # fmt: skip
    try:
        for rate in rates:
            measuring = asyncio.create_task(asyncio.to_thread(clients.measure, step - 1))
            n0 = await produce(producer, topic, rate, step, n0)
            latencies, duplicates, alive = await measuring
            histogram = new_histogram()
            for ms in latencies:
                histogram.record_value(max(1, int(ms * 1000)))
            summary = summary_ms(histogram)
            row = {"events_per_s": rate, "deliveries_per_s": rate * alive, "alive": alive,
                   "probe_frames": len(latencies), "duplicates": duplicates,
                   "p50_ms": summary["p50_ms"],
                   "p99_ms": summary["p99_ms"]}  # fmt: skip
            print(name, clients_n, row, flush=True)
            result["steps"].append(row)
            if summary["p99_ms"] > STOP_MS or alive < connected * 0.99 or not latencies:
                break
            await asyncio.sleep(1)
    finally:
        clients.stop()
    for name, limit in (("p99_100ms", P99_LIMIT_MS), ("p99_500ms", SATURATION_P99_MS)):
        ok = [step["deliveries_per_s"] for step in result["steps"]
              if step["probe_frames"] and step["p99_ms"] <= limit
              and step["alive"] >= connected * 0.99]  # fmt: skip
        result[f"best_deliveries_per_s_{name}"] = max(ok, default=0)
    return result, n0


async def resume_check(url: str, producer, topic: str, n0: int, missed: int) -> dict:
    async with connect(url, compression=None, max_size=2**22) as ws:
        await ws.send('{"type":"subscribe","channel":"feed"}')
        post = a_post(n0)
        await producer.send_and_wait(topic, key=post.post_id.encode(), value=encode_event(post))
        cursor = None
        while cursor is None:
            frame = orjson.loads(await ws.recv())
            cursor = frame.get("cursor") if frame["type"] == "event" else None
    futures = []
    for n in range(missed):
        post = a_post(n0 + 1 + n)
        futures.append(await producer.send(topic, key=post.post_id.encode(),
                                           value=encode_event(post)))  # fmt: skip
    await asyncio.gather(*futures)
    await asyncio.sleep(3)  # the gateway reads them
    async with connect(url, compression=None, max_size=2**22) as ws:
        started = time.perf_counter()
        await ws.send(json.dumps({"type": "subscribe", "channel": "feed", "cursor": cursor}))
        received = 0
        while received < missed:
            frame = orjson.loads(await ws.recv())
            if frame["type"] == "event":
                received += 1
            elif frame["type"] == "snapshot_required":
                return {"missed": missed, "outcome": "snapshot_required"}
        elapsed = time.perf_counter() - started
    return {"missed": missed, "replayed": received, "seconds": round(elapsed, 3)}


async def run(args: argparse.Namespace) -> dict:
    settings = Settings()
    await LocalInfra(settings).up()
    tag = f"bench{int(time.time())}"
    suffix = f".{tag}"
    topic = POSTS.name + suffix
    await ensure_topics(settings.kafka_bootstrap, [
        (t.name + suffix, t.partitions) for t in (POSTS, REPLIES, NOTIFICATIONS, MEMBER_LOCATIONS)
    ])  # fmt: skip
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    producer = build_producer(settings.kafka_bootstrap, linger_ms=0)
    await producer.start()
    results, n0 = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "runs": []}, 0
    try:
        for clients_n in args.clients:
            for name in args.servers:
                port = free_port()
                log = RESULTS_DIR / f"gateway-{tag}-{name}-{clients_n}.log"
                if name in ("floor", "bare"):
                    server = start(["-m", f"bench.gateway.{name}", str(port), topic,
                                    settings.kafka_bootstrap], log)  # fmt: skip
                    await asyncio.sleep(3)
                else:
                    server = start(["-m", "services.gateway.entrypoints.main"], log, {
                        "ENTRAIDE_HTTP_PORT": str(port), "ENTRAIDE_TOPIC_NAMESPACE": suffix,
                        "ENTRAIDE_PING_INTERVAL_S": "100000",
                    })  # fmt: skip
                    await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{port}", 60)
                try:
                    url = f"ws://127.0.0.1:{port}/ws"
                    result, n0 = await measure_server(
                        name, server, url, clients_n, args, producer, topic, n0
                    )
                    if name == "gateway" and clients_n == args.clients[0]:
                        results["resume"] = await resume_check(url, producer, topic, n0 + 1,
                                                               args.missed)  # fmt: skip
                        n0 += args.missed + 2
                        print("resume", results["resume"], flush=True)
                    results["runs"].append(result)
                finally:
                    server.terminate()
                    server.wait(20)
    finally:
        await producer.stop()
        await drop_bench_state(settings, tag)
    for name in ("p99_100ms", "p99_500ms"):
        best = {(r["server"], r["clients"]): r[f"best_deliveries_per_s_{name}"]
                for r in results["runs"]}  # fmt: skip
        for clients_n in args.clients:
            rates = {server: best.get((server, clients_n)) for server in args.servers}
            bare, ours = rates.get("bare"), rates.get("gateway")
            ratio = round(ours / bare, 2) if bare and ours is not None else None
            results[f"{clients_n}_clients_{name}"] = {**rates, "ratio": ratio}
    results["kib_per_idle_connection"] = {
        f"{r['server']}_{r['clients']}": r["kib_per_idle_connection"] for r in results["runs"]
    }
    (RESULTS_DIR / f"gateway-{tag}.json").write_text(json.dumps(results, indent=2))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[5_000, 10_000])
    parser.add_argument("--rates", type=float, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--step", type=float, default=8.0)
    parser.add_argument("--missed", type=int, default=10_000)
    parser.add_argument("--servers", nargs="+", default=["floor", "bare", "gateway"],
                        choices=["floor", "bare", "gateway"])  # fmt: skip
    summary = asyncio.run(run(parser.parse_args()))
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
