"""The posts of bench/e2e: members, and posts sent open loop into one of the areas, each
carrying its intended send time for the probes."""

from __future__ import annotations

import random
import time

import aiohttp

from bench.gateway.clients import area_point
from bench.harness.load import open_loop
from shared.contract.identity import Role
from shared.runtime.auth import TokenSigner

MEMBERS = 50
PASSWORD = "bench password 1"


async def members(http: aiohttp.ClientSession, url: str, signer: TokenSigner, tag: str):
    tokens = []
    for n in range(MEMBERS):
        account = {"email": f"m{n}@{tag}.example.org", "password": PASSWORD,
                   "display_name": f"m{n}"}  # fmt: skip
        async with http.post(f"{url}/auth/register", json=account) as registered:
            registered.raise_for_status()
            tokens.append(signer.issue((await registered.json())["id"], Role.MEMBER))
    return tokens


async def send_posts(http, url: str, tokens: list[str], args, areas: int, latency, errors):
    """Post ``args.rate`` a second for ``args.duration`` s; the number acknowledged."""
    rng, acked, started_wall = random.Random(3), [], time.time()

    async def send(i: int) -> None:
        lat, lon = area_point(rng.randrange(areas))
        intended = started_wall + i / args.rate
        body = {"kind": "offer", "category": "goods", "title": "A sofa to give away",
                "body": f"t={intended!r}", "language": "fr",
                "location": {"lat": lat, "lon": lon}, "radius_m": 2000}  # fmt: skip
        headers = {"Authorization": f"Bearer {tokens[rng.randrange(len(tokens))]}"}
        async with http.post(f"{url}/posts", json=body, headers=headers) as response:
            await response.read()
            if response.status != 201:
                raise RuntimeError(f"HTTP {response.status}")
        acked.append(i)

    await open_loop(args.rate, args.duration, send, latency, errors)
    return len(acked)
