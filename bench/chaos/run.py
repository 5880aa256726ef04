"""bench/chaos: nothing lost when anything dies. A whole deployment of its own
(`entraide up` in a data folder of its own, with its supervisor), an open-loop load of
posts (matching pairs and urgent requests among them) and feed clients that resume with
their cursors; one at a time, kill -9 of each process, which the supervisor restarts;
then what was lost, doubled or late, counted from Kafka and from the clients.

    .venv/bin/python -m bench.chaos.run                      # every fault, one broker
    .venv/bin/python -m bench.chaos.run --brokers 3          # the partition leader dies

It takes the machine: the default ports must be free (`entraide down` first).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time

from bench.chaos.clients import open_clients
from bench.chaos.deployment import SERVICE_NAMES, Deployment
from bench.chaos.load import Load, session
from bench.chaos.verify import counts
from bench.harness import cli
from bench.harness.session import RESULTS_DIR

FAULTS = ("posts", "matching", "notifications", "gateway", "kafka", "postgres", "redis")
WAIT_S = 60.0  # the longest a recovery is waited for
DRAIN_S = 60.0
POLL_S = 0.2


async def none() -> None:
    return None


def serving_again_s(load: Load, killed_at: float, until: float) -> float:
    """From the kill to the first 201 after the last failed answer (0: none failed)."""
    answers = [(t, status) for t, status in load.answers if killed_at <= t <= until]
    failures = [t for t, status in answers if status != 201]
    if not failures:
        return 0.0
    after = [t for t, status in answers if status == 201 and t > max(failures)]
    return round(min(after) - killed_at, 2) if after else None


def longest_gap_s(probe, since: float, until: float) -> float:
    """The longest wait between two posts reaching the probe client in the window (at 30
    posts a second, normally tens of milliseconds): how long deliveries stopped."""
    times = sorted(t for t in probe.arrived.values() if since <= t <= until)
    return round(max((b - a for a, b in itertools.pairwise(times)), default=0.0), 2)


async def inject(deployment: Deployment, fault: str, load: Load, probe, slot_s: float) -> dict:
    target = fault
    if fault == "kafka" and deployment.settings.kafka_brokers > 1:
        target = await deployment.leader_broker()
    killed_at = time.monotonic()
    pid = deployment.kill(target)
    # A killed posts worker is replaced by its master (the port never closes): its
    # recovery is the next 201, not a new process.
    waits_for_process = target in SERVICE_NAMES and fault != "posts"
    ready_s = await deployment.wait_ready(target, pid, WAIT_S) if waits_for_process else None
    await asyncio.sleep(max(0.0, killed_at + slot_s - time.monotonic()))
    until = time.monotonic()
    answers = [status for t, status in load.answers if killed_at <= t <= until]
    row = {"fault": fault, "killed": target, "ready_again_s": ready_s and round(ready_s, 2),
           "serving_again_s": serving_again_s(load, killed_at, until),
           "longest_delivery_gap_s": longest_gap_s(probe, killed_at - 1, until),
           "http_500": answers.count(500), "http_503": answers.count(503),
           "refused_or_timed_out": answers.count(0)}  # fmt: skip
    print(row, flush=True)
    return row


async def run(args) -> dict:
    tag = f"chaos{int(time.time())}"
    deployment = Deployment(RESULTS_DIR / tag, args.brokers)
    faults = [f for f in args.faults if f in FAULTS]
    duration_s = args.warmup + len(faults) * args.per_fault
    await asyncio.to_thread(deployment.up)
    stop = asyncio.Event()
    try:
        async with session() as http:
            load = Load(deployment.url("posts"))
            await load.register(http, args.members, tag, deployment)
            gateway = deployment.url("gateway").replace("http:", "ws:") + "/ws"
            clients, tasks = await open_clients(gateway, args.clients, stop)
            loading = asyncio.create_task(load.run(http, args.rate, duration_s))
            await asyncio.sleep(args.warmup)
            rows = []
            for fault in faults:
                rows.append(await inject(deployment, fault, load, clients[0], args.per_fault))
            await loading
            deadline = time.monotonic() + DRAIN_S
            while not set(load.acked) <= set(clients[0].arrived) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(POLL_S)
            stop.set()
            await asyncio.wait(tasks, timeout=10)
            figures = await counts(deployment.settings.kafka_bootstrap, load, clients)
    finally:
        stop.set()
        await asyncio.to_thread(deployment.down)
    result = {"rate_per_s": args.rate, "clients": args.clients, "brokers": args.brokers,
              **figures, "faults": rows}  # fmt: skip
    (RESULTS_DIR / f"{tag}.json").write_text(json.dumps(result, indent=2))
    return result


def options(parser) -> None:
    parser.add_argument("--rate", type=float, default=30, help="posts per second")
    parser.add_argument("--clients", type=int, default=50, help="feed sockets")
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--brokers", type=int, choices=[1, 3], default=1)
    parser.add_argument("--faults", nargs="+", default=list(FAULTS), choices=FAULTS)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--per-fault", type=float, default=45.0, help="seconds each")


if __name__ == "__main__":
    cli.main(__doc__, options, run)
