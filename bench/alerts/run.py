"""bench/alerts: from an urgent request's 201 to the alert on the sockets of the helpers
nearby, beside the same path for an ordinary post (its 201 to its feed frame), in the
same run, on the same sockets; and the CPU per alert of every process.

    .venv/bin/python -m bench.alerts.run --located 10000 --helpers 20 --alerts 30

The whole system as processes (posts, matching, notifications, a gateway) on the servers
of `entraide infra up`. ``--located`` consenting members are on members.v1 (a tenth of
them within the first ring, 500 m); ``--helpers`` real members, also within it, keep a
socket subscribed to their notifications and to the feed around the point. Each round an
urgent request and an ordinary post are sent at the same point; each helper's socket
times the alert (a ``NotificationCreated`` of reason ``urgent_alert``) and the post's
``PostCreated`` from the 201 of its request. The ordinary post is the floor: the live
path every post takes (posts → outbox → Kafka → gateway), which the alert adds matching,
notifications and a second Kafka hop to.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import UTC, datetime

import aiohttp
import orjson
import websockets

from bench.harness import cli
from bench.harness.cpu import CpuMeter
from bench.harness.session import RESULTS_DIR, BenchRun
from bench.harness.stats import histogram_of, ratio, summary_ms
from bench.notifications.members import CENTRE, point_at
from shared.contract.catalogue import MEMBERS, TOPICS
from shared.contract.envelope import encode_event
from shared.contract.events import MemberProfileChanged
from shared.contract.identity import Role
from shared.runtime.auth import KeyRing
from shared.runtime.kafka import build_producer
from tests.e2e.conftest import System
from tests.integration.net import free_port, with_token

FIRST_RING_M = 500
PASSWORD = "bench password 1"
ROUND_S = 2.0  # between rounds: each alert's notifications are out before the next
WAIT_S = 30.0  # for the last frames


async def run(args) -> dict:
    async with BenchRun("alerts") as bench:
        await bench.topics(*TOPICS)
        home = RESULTS_DIR / f"alerts-{bench.tag}"
        KeyRing(home / "keys").ensure()
        signer = KeyRing(home / "keys").signer()
        schema = await bench.schema()
        bench.schemas.append(f"{schema}_notifications")
        env = {**os.environ, **bench.service_env(
            postgres_schema=schema, keys_dir=str(home / "keys"), data_dir=str(home / "data"),
            consumer_group=f"bench-notifications-{bench.tag}", urgent_per_day="100000",
            posts_per_hour="100000")}  # fmt: skip
        system = System(env, home)
        sockets: list = []
        try:
            for name in ("posts", "matching", "notifications", "gateway"):
                await asyncio.to_thread(system.start, name, free_port())
            await locate(bench, args.located)
            async with aiohttp.ClientSession() as http:
                url = system.url("posts")
                helpers = await members(http, url, signer, bench.tag, args.helpers)
                author = await members(http, url, signer, f"{bench.tag}a", 1)
                gateway = system.url("gateway").replace("http:", "ws:") + "/ws"
                arrivals: dict[str, list[float]] = {}
                for token in helpers:
                    socket = await websockets.connect(gateway, **with_token(token))
                    for frame in (
                        {"type": "subscribe", "channel": "notifications"},
                        {"type": "subscribe", "channel": "feed", "filters": {"area": {
                            "lat": CENTRE.lat, "lon": CENTRE.lon, "radius_m": 1000}}},
                    ):  # fmt: skip
                        await socket.send(orjson.dumps(frame).decode())
                    sockets.append(asyncio.create_task(listen(socket, arrivals)))
                await asyncio.sleep(3)  # the helpers' profiles reach the directory
                watched = {p.name: p.popen.pid for p in system.processes}
                cpu = CpuMeter(watched).start()
                acked: dict[str, float] = {}
                kinds: dict[str, str] = {}
                for n in range(args.alerts):
                    for kind in ("urgent", "ordinary"):
                        post_id, at = await send(http, url, author[0], kind, n)
                        acked[post_id], kinds[post_id] = at, kind
                    await asyncio.sleep(ROUND_S)
                deadline = time.monotonic() + WAIT_S
                # A poll, not an event: the listeners only fill a dict.
                while time.monotonic() < deadline and not all_in(arrivals, acked, len(helpers)):  # noqa: ASYNC110
                    await asyncio.sleep(0.5)
                cpu_per_alert = cpu.per(args.alerts)
        finally:
            for task in sockets:
                task.cancel()
            system.stop()
        latencies = {"urgent": [], "ordinary": []}
        for post_id, times in arrivals.items():
            if post_id in acked:
                latencies[kinds[post_id]] += [(t - acked[post_id]) * 1000 for t in times]
        expected = args.alerts * len(helpers)
        alert, ordinary = (summary_ms(histogram_of(latencies[k])) for k in ("urgent", "ordinary"))
        return bench.save({
            "located_members": args.located, "helpers": len(helpers), "alerts": args.alerts,
            "alerts_on_sockets": len(latencies["urgent"]), "expected_per_kind": expected,
            "posts_on_sockets": len(latencies["ordinary"]),
            "post_201_to_alert_on_socket": alert, "post_201_to_feed_frame": ordinary,
            "p99_ratio": ratio(alert["p99_ms"], ordinary["p99_ms"]),
            "cpu_ms_per_alert_round": cpu_per_alert,
        })  # fmt: skip


async def locate(bench: BenchRun, count: int) -> None:
    """``count`` consenting members on members.v1, a tenth within the first ring."""
    producer = build_producer(bench.bootstrap, linger_ms=5)
    await producer.start()
    try:
        rng, now, acks = random.Random(11), datetime.now(UTC), []
        for i in range(count):
            near = i % 10 == 0
            home = point_at(rng, 0, FIRST_RING_M * 0.9) if near else point_at(rng, 600, 20_000)
            profile = MemberProfileChanged(member_id=f"m{i:06d}", urgent_alerts_consent=True,
                                           home=home, changed_at=now)  # fmt: skip
            acks.append(await producer.send(bench.names(MEMBERS), key=profile.member_id.encode(),
                                            value=encode_event(profile)))  # fmt: skip
        await asyncio.gather(*acks)
    finally:
        await producer.stop()


async def members(http, url: str, signer, tag: str, count: int) -> list[str]:
    """Real members within the first ring, consenting, each with an hour's token."""
    rng, tokens = random.Random(5), []
    for n in range(count):
        account = {"email": f"h{n}@{tag}.example.org", "password": PASSWORD,
                   "display_name": f"h{n}"}  # fmt: skip
        async with http.post(f"{url}/auth/register", json=account) as registered:
            registered.raise_for_status()
            member_id = (await registered.json())["id"]
        token = signer.issue(member_id, Role.MEMBER, ttl_s=3600, name=f"h{n}")
        home = point_at(rng, 0, 300).model_dump()
        profile = {"home": home, "urgent_alerts_consent": True}
        async with http.patch(f"{url}/me", json=profile,
                              headers={"Authorization": f"Bearer {token}"}) as changed:  # fmt: skip
            changed.raise_for_status()
        tokens.append(token)
    return tokens


async def send(http, url: str, token: str, kind: str, n: int) -> tuple[str, float]:
    body = {"kind": "request", "category": "find_a_person", "title": f"Bench {kind} {n}",
            "body": "", "language": "fr", "location": CENTRE.model_dump(),
            "urgency": "urgent" if kind == "urgent" else "normal"}  # fmt: skip
    async with http.post(f"{url}/posts", json=body,
                         headers={"Authorization": f"Bearer {token}"}) as created:  # fmt: skip
        at = time.perf_counter()
        created.raise_for_status()
        return (await created.json())["id"], at


async def listen(socket, arrivals: dict[str, list[float]]) -> None:
    """Each alert's and each post's arrival on this socket (the first of each only)."""
    seen: set[str] = set()
    async for text in socket:
        frame = orjson.loads(text)
        if frame.get("type") != "event":
            continue
        event = frame["event"]
        data = event["data"]
        if event["type"].endswith("notification.created.v1"):
            if data.get("reason") != "urgent_alert":
                continue
        elif not event["type"].endswith("post.created.v1"):
            continue
        post_id = data["post_id"]
        if post_id not in seen:
            seen.add(post_id)
            arrivals.setdefault(post_id, []).append(time.perf_counter())


def all_in(arrivals: dict[str, list[float]], acked: dict[str, float], helpers: int) -> bool:
    return all(len(arrivals.get(post_id, ())) >= helpers for post_id in acked)


def options(parser) -> None:
    parser.add_argument("--located", type=int, default=10_000)
    parser.add_argument("--helpers", type=int, default=20)
    parser.add_argument("--alerts", type=int, default=30)


if __name__ == "__main__":
    cli.main(__doc__, options, run)
