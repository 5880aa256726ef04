"""bench/gateway: deliveries per second at p99 <= 100 ms (and 500 ms), memory per idle
connection, and the replay of 10,000 missed events; beside a bare ``websockets``
broadcast server and a floor server (one ``send`` per socket) fed from the same Kafka
topic in the same run.

    .venv/bin/python -m bench.gateway.run --clients 5000 10000 --rates 2 5 10 20 40

For each client count and server: the server starts alone; client processes connect
(raw sockets that read and discard, and 100 probes that time each frame from the send
time in the post's body); its RSS is read idle; then posts go on the topic at each
rate for ``--step`` seconds, until the probes' p99 passes 1 s or sockets are lost.
"""

from __future__ import annotations

import asyncio

from bench.gateway.steps import Posts, measure_server, resume_check
from bench.harness import cli
from bench.harness.session import BenchRun, wait_ready
from bench.harness.stats import ratio
from shared.contract.catalogue import MEMBER_LOCATIONS, NOTIFICATIONS, POSTS, REPLIES
from shared.runtime.kafka import build_producer
from tests.integration.net import free_port


async def start_server(bench: BenchRun, name: str, clients_n: int) -> tuple[object, str]:
    port, log = free_port(), f"{name}-{clients_n}"
    if name == "gateway":
        env = bench.service_env(http_port=str(port), ping_interval_s="100000")
        server = bench.start("services.gateway.entrypoints.main", env, log)
        await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{port}", 60)
    else:
        args = [str(port), bench.names(POSTS), bench.bootstrap]
        server = bench.start(f"bench.gateway.{name}", {}, log, args)
        await asyncio.sleep(3)
    return server, f"ws://127.0.0.1:{port}/ws"


async def run(args) -> dict:
    async with BenchRun("gateway") as bench:
        await bench.topics(POSTS, REPLIES, NOTIFICATIONS, MEMBER_LOCATIONS)
        producer = build_producer(bench.bootstrap, linger_ms=0)
        await producer.start()
        posts, runs, result = Posts(producer, bench.names(POSTS)), [], {}
        for clients_n in args.clients:
            for name in args.servers:
                server, url = await start_server(bench, name, clients_n)
                runs.append(await measure_server(name, server.pid, url, clients_n, args, posts))
                if name == "gateway" and clients_n == args.clients[0]:
                    result["resume"] = await resume_check(url, posts, args.missed)
                server.terminate()
                server.wait(20)
        await producer.stop()
        for label in ("p99_100ms", "p99_500ms"):
            for clients_n in args.clients:
                best = {r["server"]: r[f"best_deliveries_per_s_{label}"]
                        for r in runs if r["clients"] == clients_n}  # fmt: skip
                vs = {f"gateway_vs_{s}": ratio(best["gateway"], best[s])
                      for s in ("floor", "bare") if s in best and "gateway" in best}  # fmt: skip
                result[f"{clients_n}_clients_{label}"] = {**best, **vs}
        result["kib_per_idle_connection"] = {
            f"{r['server']}_{r['clients']}": r["kib_per_idle_connection"] for r in runs
        }
        return bench.save({**result, "runs": runs})


def options(parser) -> None:
    parser.add_argument("--clients", type=int, nargs="+", default=[5_000, 10_000])
    parser.add_argument("--rates", type=float, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--step", type=float, default=8.0)
    parser.add_argument("--missed", type=int, default=10_000)
    parser.add_argument("--servers", nargs="+", default=["floor", "bare", "gateway"],
                        choices=["floor", "bare", "gateway"])  # fmt: skip


if __name__ == "__main__":
    cli.main(__doc__, options, run, hidden=("runs",))
