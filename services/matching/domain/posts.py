"""What matching keeps of an open post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.matching.domain.words import keywords
from shared.contract.events import PublicPost
from shared.contract.values import Category, Kind


@dataclass(frozen=True)
class OpenPost:
    post_id: str
    author_id: str
    kind: Kind
    category: Category
    lat: float  # the public cell centre: matching never needs the exact point
    lon: float
    radius_m: int
    language: str
    words: frozenset[str]
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, post: PublicPost) -> OpenPost:
        return cls(
            post_id=post.post_id,
            author_id=post.author_id,
            kind=post.kind,
            category=post.category,
            lat=post.location.lat,
            lon=post.location.lon,
            radius_m=post.radius_m,
            language=post.language,
            words=keywords(f"{post.title} {post.body}"),
            created_at=post.created_at,
            expires_at=post.expires_at,
        )

    def to_dict(self) -> dict:
        return {
            "post_id": self.post_id,
            "author_id": self.author_id,
            "kind": self.kind.value,
            "category": self.category.value,
            "lat": self.lat,
            "lon": self.lon,
            "radius_m": self.radius_m,
            "language": self.language,
            "words": sorted(self.words),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> OpenPost:
        return cls(
            post_id=data["post_id"],
            author_id=data["author_id"],
            kind=Kind(data["kind"]),
            category=Category(data["category"]),
            lat=data["lat"],
            lon=data["lon"],
            radius_m=data["radius_m"],
            language=data["language"],
            words=frozenset(data["words"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
        )
