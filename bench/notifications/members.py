"""The members of bench/notifications, located around one point, and its alerts."""

from __future__ import annotations

import asyncio
import math
import random
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from shared.contract.catalogue import MEMBERS
from shared.contract.envelope import encode_event
from shared.contract.events import MemberProfileChanged, UrgentAlertRaised
from shared.contract.values import Category, Point

CENTRE = Point(lat=48.8566, lon=2.3522)
RADIUS_M = 200
OUTSIDE_M = (260, 20_000)
METRES_PER_DEGREE = 111_195


def point_at(rng: random.Random, low_m: float, high_m: float) -> Point:
    distance, angle = rng.uniform(low_m, high_m), rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(angle) / METRES_PER_DEGREE
    dlon = distance * math.sin(angle) / (METRES_PER_DEGREE * math.cos(math.radians(CENTRE.lat)))
    return Point(lat=CENTRE.lat + dlat, lon=CENTRE.lon + dlon)


async def locate_members(bench, producer, count: int, inside: int) -> None:
    """``count`` consenting members, ``inside`` of them within the alert's radius; wait
    until the service has every one in its geo set."""
    rng, now, acks = random.Random(7), datetime.now(UTC), []
    for i in range(count):
        home = point_at(rng, 0, RADIUS_M * 0.95) if i < inside else point_at(rng, *OUTSIDE_M)
        profile = MemberProfileChanged(member_id=f"m{i:06d}", urgent_alerts_consent=True,
                                       home=home, changed_at=now)  # fmt: skip
        acks.append(await producer.send(bench.names(MEMBERS), key=profile.member_id.encode(),
                                        value=encode_event(profile)))  # fmt: skip
    await asyncio.gather(*acks)
    redis = aioredis.Redis.from_url(bench.settings.redis_url)
    try:
        geo_key = f"{bench.redis_prefix}:alertable:{Category.FIND_A_PERSON.value}"
        while await redis.zcard(geo_key) < count:
            if any(p.poll() is not None for p in bench.processes):
                raise RuntimeError("the service died; see its log in bench/results/")
            await asyncio.sleep(0.2)
    finally:
        await redis.aclose()


def alert_record(n: int) -> dict:
    """The n-th alert, encoded: built before its send time is taken, as the latency
    runs from the moment it is on its way to Kafka."""
    now = datetime.now(UTC)
    alert = UrgentAlertRaised(
        alert_id=f"a{n:04d}", post_id=f"p{n:04d}", author_id="author",
        category=Category.FIND_A_PERSON, point=CENTRE, radius_m=RADIUS_M, ring=0,
        expires_at=now + timedelta(hours=3), raised_at=now,
    )  # fmt: skip
    return {"key": alert.post_id.encode(), "value": encode_event(alert)}
