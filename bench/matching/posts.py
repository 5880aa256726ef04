"""The posts of bench/matching: offers all over France, and requests each beside an
offer and sharing its words (so each request has a match)."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime

from bench.harness.events import post_created
from shared.contract.catalogue import POSTS
from shared.contract.envelope import encode_event
from shared.contract.events import PostCreated
from shared.contract.values import Category, Kind, Point
from shared.runtime.kafka import build_producer

WORDS = (
    "velo voiture camion billet concert festival lit chambre travail stage cours meuble "
    "frigo canape ordinateur telephone garde enfant courses demenagement bike car van "
    "ticket room job desk fridge sofa laptop phone babysitting moving"
).split()
RADII_M = (2_000, 5_000, 10_000)
FILL_BATCH_BYTES = 256 * 1024
FILL_LINGER_MS = 20


class OfferSet:
    def __init__(self, count: int, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.offers = [self._anywhere(f"o{i:06d}") for i in range(count)]

    def _anywhere(self, post_id: str) -> PostCreated:
        at = Point(lat=self.rng.uniform(43.0, 50.5), lon=self.rng.uniform(-1.5, 7.5))
        return post_created(post_id, kind=Kind.OFFER, category=self.rng.choice(list(Category)),
                            title=" ".join(self.rng.sample(WORDS, 3)), at=at,
                            radius_m=self.rng.choice(RADII_M), now=self.now)  # fmt: skip

    def request_like_an_offer(self, post_id: str, offer: PostCreated | None = None) -> PostCreated:
        like = (offer or self.offers[self.rng.randrange(len(self.offers))]).post
        at = Point(lat=like.location.lat, lon=like.location.lon)
        return post_created(post_id, kind=Kind.REQUEST, category=like.category, title=like.title,
                            at=at, radius_m=self.rng.choice(RADII_M), now=self.now)  # fmt: skip

    @staticmethod
    def record(post: PostCreated) -> dict:
        return {"key": post.post_id.encode(), "value": encode_event(post)}

    async def fill(self, bench, matched: dict, lag) -> float:
        """Send every offer, then a sentinel request; wait until it is matched and the
        group has read everything (the routed topic too); the seconds it took."""
        started = time.perf_counter()
        producer = build_producer(bench.bootstrap, linger_ms=FILL_LINGER_MS,
                                  max_batch_size=FILL_BATCH_BYTES)  # fmt: skip
        await producer.start()
        try:
            topic = bench.names(POSTS)
            acks = [await producer.send(topic, **self.record(o)) for o in self.offers]
            await asyncio.gather(*acks)
            sentinel = self.request_like_an_offer("rsentinel", self.offers[-1])
            await producer.send_and_wait(topic, **self.record(sentinel))
        finally:
            await producer.stop()
        while "rsentinel" not in matched or await lag.messages() != 0:
            if any(p.poll() is not None for p in bench.processes):
                raise RuntimeError("a worker died; see its log in bench/results/")
            await asyncio.sleep(0.5)
        return time.perf_counter() - started
