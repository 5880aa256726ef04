"""The chaos suite's load: posts at a steady rate, open loop, of three sorts: plain
offers, matching pairs (a request, then an offer of the same words beside it), and
urgent requests beside members who said yes to urgent alerts."""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field

import aiohttp

from bench.harness.load import open_loop
from bench.harness.stats import new_histogram

PASSWORD = "chaos password 1234"
VILLETTE = (48.8937, 2.3934)
METRES_PER_DEGREE = 111_195
PAIR_EVERY = 10
URGENT_EVERY = 40
HELPERS = 3  # consenting members ~100 m from each urgent point
HTTP_TIMEOUT_S = 10


def north(point: tuple[float, float], metres: float) -> dict:
    return {"lat": point[0] + metres / METRES_PER_DEGREE, "lon": point[1]}


@dataclass
class Load:
    posts_url: str
    members: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    helpers: list[str] = field(default_factory=list)
    acked: dict[str, float] = field(default_factory=dict)  # post id -> its 201's time
    author_of: dict[str, str] = field(default_factory=dict)  # post id -> member id
    answers: list[tuple[float, int]] = field(default_factory=list)  # (time, status or 0)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (request, offer) ids
    urgent: list[str] = field(default_factory=list)

    async def register(self, http: aiohttp.ClientSession, count: int, tag: str, deployment):
        for n in range(count + HELPERS):
            helper = n >= count
            body = {"email": f"m{n}@{tag}.example.org", "password": PASSWORD,
                    "display_name": f"m{n}"}  # fmt: skip
            if helper:
                body |= {"home": north(VILLETTE, 100 + 10 * n - 10 * count),
                         "urgent_alerts_consent": True}  # fmt: skip
            async with http.post(f"{self.posts_url}/auth/register", json=body) as response:
                response.raise_for_status()
                member_id = (await response.json())["id"]
            self.tokens[member_id] = deployment.token(member_id)
            (self.helpers if helper else self.members).append(member_id)

    async def _post(self, http, member: str, body: dict) -> str | None:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"}
        try:
            async with http.post(f"{self.posts_url}/posts", json=body, headers=headers) as r:
                self.answers.append((time.monotonic(), r.status))
                if r.status != 201:
                    return None
                post_id = (await r.json())["id"]
        except (aiohttp.ClientError, TimeoutError):
            self.answers.append((time.monotonic(), 0))
            return None
        self.acked[post_id] = time.monotonic()
        self.author_of[post_id] = member
        return post_id

    async def run(self, http, rate: float, duration_s: float) -> None:
        rng, pairs = random.Random(11), itertools.count()
        members = self.members

        async def send(i: int) -> None:
            member = members[i % len(members)]
            if i % URGENT_EVERY == URGENT_EVERY - 1:
                body = post_body("request", "find_a_person", f"Lost child {i}", VILLETTE)
                body["urgency"] = "urgent"
                if post_id := await self._post(http, member, body):
                    self.urgent.append(post_id)
            elif i % PAIR_EVERY == PAIR_EVERY - 1:
                n, at = next(pairs), (rng.uniform(43, 50), rng.uniform(-1, 7))
                title = f"Deux places concert {n} samedi velo{n}"
                asked = await self._post(
                    http, member, post_body("request", "tickets_events", title, at)
                )
                other = members[(i + 1) % len(members)]
                offered = await self._post(
                    http, other, post_body("offer", "tickets_events", title, at)
                )
                if asked and offered:
                    self.pairs.append((asked, offered))
            else:
                at = (rng.uniform(43, 50), rng.uniform(-1, 7))
                await self._post(http, member, post_body("offer", "goods", f"Sofa {i}", at))

        await open_loop(rate, duration_s, send, new_histogram(), [])


def post_body(kind: str, category: str, title: str, at) -> dict:
    lat, lon = at
    return {"kind": kind, "category": category, "title": title, "language": "fr",
            "body": "", "location": {"lat": lat, "lon": lon}, "radius_m": 2000}  # fmt: skip


def session() -> aiohttp.ClientSession:
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200), timeout=timeout)
