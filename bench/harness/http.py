"""HTTP load on the posts API (or its floor): members, a post, an open-loop run of them."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Awaitable, Callable

import aiohttp

from bench.harness.cpu import CpuMeter
from bench.harness.load import open_loop
from bench.harness.stats import new_histogram, summary_ms

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


def add_load_options(parser: argparse.ArgumentParser, duration_s: float) -> None:
    """The options of the load, the same for the posts API and its floor."""
    parser.add_argument("--rate", type=float, default=1000, help="posts per second offered")
    parser.add_argument("--duration", type=float, default=duration_s, help="seconds of load")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=20, help="database connections")
    parser.add_argument("--workers", type=int, default=2, help="server processes")


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


async def register_members(session: aiohttp.ClientSession, url: str, count: int, tag: str):
    """``count`` members registered and logged in; their tokens."""
    tokens = []
    for i in range(count):
        email = f"bench{i}@{tag}.example.org"
        account = {"email": email, "password": PASSWORD, "display_name": f"bench {i}"}
        async with session.post(f"{url}/auth/register", json=account) as response:
            assert response.status == 201, await response.text()
        login = {"email": email, "password": PASSWORD}
        async with session.post(f"{url}/auth/login", json=login) as response:
            tokens.append((await response.json())["access_token"])
    return tokens


async def http_load(
    args: argparse.Namespace, send: Callable[[int], Awaitable[str]], services: dict[str, int]
) -> tuple[list[str], dict]:
    """Offer ``args.rate`` posts a second for ``args.duration`` s, open loop; the ids
    created and the figures of the load (rates, errors, HTTP latency, CPU per post)."""
    latency, errors, created = new_histogram(), [], []

    async def one(i: int) -> None:
        created.append(await send(i))

    cpu = CpuMeter(services).start()
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
        "cpu_ms_per_post": cpu.per(len(created)),
    }
