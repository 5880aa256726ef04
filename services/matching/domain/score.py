"""The score of a request against an offer, with the reasons that make it up.

Hard rules first (same category, opposite kinds, within reach, overlapping in time),
then a weighted sum. The weights and threshold are constants here, tuned by reading
matches on the demo data, not by a model.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.matching.domain.posts import OpenPost
from shared.contract import geo
from shared.contract.values import Kind, MatchReason

WEIGHTS = {"category": 0.2, "distance": 0.3, "words": 0.3, "time": 0.1, "language": 0.1}
MATCH_THRESHOLD = 0.45
# Public locations are cell centres, up to ~700 m from the point: allow for it.
LOCATION_SLACK_M = geo.CELL_SIZE_M
BEST_CANDIDATES = 5


@dataclass(frozen=True)
class Scored:
    request: OpenPost
    offer: OpenPost
    score: float
    reasons: tuple[MatchReason, ...]


def reach_m(a: OpenPost, b: OpenPost) -> float:
    return max(a.radius_m, b.radius_m) + LOCATION_SLACK_M


@dataclass(frozen=True)
class _Candidate:
    """A pair past the hard rules, with its factors but no reasons yet: most candidates
    of a new post are dropped by the threshold or the ranking, so the reasons (text and
    validated models) are built only for the few kept."""

    request: OpenPost
    offer: OpenPost
    distance_m: float
    reach_m: float
    shared_words: list[str]
    factors: dict[str, float]
    score: float


def score(a: OpenPost, b: OpenPost) -> Scored | None:
    """Score two open posts in either order; None if they cannot match at all."""
    candidate = _candidate(a, b)
    return _with_reasons(candidate) if candidate else None


def best_matches(new: OpenPost, candidates: list[OpenPost]) -> list[Scored]:
    """The best candidates above the threshold, best first (ties: older candidate first)."""
    kept = [c for o in candidates if (c := _candidate(new, o)) and c.score >= MATCH_THRESHOLD]
    kept.sort(key=lambda c: (-c.score, _other(new, c).created_at, _other(new, c).post_id))
    return [_with_reasons(c) for c in kept[:BEST_CANDIDATES]]


def _candidate(a: OpenPost, b: OpenPost) -> _Candidate | None:
    if a.category != b.category or a.kind == b.kind or a.author_id == b.author_id:
        return None
    request, offer = (a, b) if a.kind is Kind.REQUEST else (b, a)
    distance = geo.haversine_m(a.lat, a.lon, b.lat, b.lon)
    reach = reach_m(a, b)
    if distance > reach:
        return None
    overlap_start = max(a.created_at, b.created_at)
    overlap_end = min(a.expires_at, b.expires_at)
    if overlap_end <= overlap_start:
        return None

    shared_words = sorted(request.words & offer.words)
    union = request.words | offer.words
    factors = {
        "category": 1.0,
        "distance": 1.0 - distance / reach,
        "words": len(shared_words) / len(union) if union else 0.0,
        # How much of the shorter-lived post's life the two share.
        "time": _ratio(overlap_end - overlap_start, min(_life(a), _life(b))),
        "language": 1.0 if a.language == b.language else 0.0,
    }
    total = sum(WEIGHTS[name] * value for name, value in factors.items())
    return _Candidate(request, offer, distance, reach, shared_words, factors,
                      round(min(total, 1.0), 4))  # fmt: skip


def _with_reasons(c: _Candidate) -> Scored:
    request, offer, words = c.request, c.offer, c.shared_words
    details = {
        "category": f"both in {request.category.value}",
        "distance": f"about {round(c.distance_m / 100) / 10:g} km apart, "
        f"reach {c.reach_m / 1000:g} km",
        "words": f"words in common: {', '.join(words[:8])}" if words else "no words in common",
        "time": "open at the same time",
        "language": f"both in {request.language}" if request.language == offer.language
        else f"{request.language} and {offer.language}",
    }  # fmt: skip
    # What each reason is about, for clients to say it in the reader's language.
    about: dict[str, dict] = {
        "distance": {"distance_m": round(c.distance_m)},
        "words": {"words": tuple(w[:40] for w in words[:8])},
        "language": {"languages": tuple(dict.fromkeys((request.language, offer.language)))},
    }
    reasons = tuple(
        MatchReason(
            factor=name,
            weight=round(WEIGHTS[name] * value, 4),
            detail=details[name],
            **about.get(name, {}),
        )
        for name, value in c.factors.items()
    )
    return Scored(request, offer, c.score, reasons)


def _other(new: OpenPost, pair: _Candidate) -> OpenPost:
    return pair.offer if pair.request.post_id == new.post_id else pair.request


def _life(post: OpenPost):
    return post.expires_at - post.created_at


def _ratio(part, whole) -> float:
    seconds = whole.total_seconds()
    return max(0.0, min(1.0, part.total_seconds() / seconds)) if seconds > 0 else 0.0
