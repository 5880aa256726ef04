"""Events the benchmarks put on Kafka themselves, as the services would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.contract.events import PostCreated, PublicPost
from shared.contract.values import Category, FuzzedLocation, Kind, Point, Urgency

OPEN_FOR = timedelta(days=14)
PARIS = Point(lat=48.8566, lon=2.3522)


def post_created(
    post_id: str,
    *,
    kind: Kind = Kind.OFFER,
    category: Category = Category.GOODS,
    title: str = "A sofa to give away",
    body: str = "",
    at: Point = PARIS,
    radius_m: int = 5_000,
    now: datetime | None = None,
) -> PostCreated:
    now = now or datetime.now(UTC)
    post = PublicPost(
        post_id=post_id, author_id=f"u{post_id}", kind=kind, category=category, title=title,
        body=body, language="fr", location=FuzzedLocation.of(at), radius_m=radius_m,
        urgency=Urgency.NORMAL, expires_at=now + OPEN_FOR, created_at=now, updated_at=now,
    )  # fmt: skip
    return PostCreated(post_id=post_id, post=post)
