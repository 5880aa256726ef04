"""The matches a post had, as its author sees them. Pure: no I/O.

Only the two authors of a pair ever see it: a match says what someone asked for and
who offered it, which is theirs to know, not the public's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.notifications.domain.notices import KnownPost
from shared.contract.events import MatchFound
from shared.contract.values import MatchReason


@dataclass(frozen=True)
class PostMatch:
    """One match of a post: the other post, how well it matches and why."""

    match_id: str
    post_id: str
    other_post_id: str
    score: float
    reasons: tuple[MatchReason, ...]
    found_at: datetime
    other: KnownPost | None  # None: the other post was never seen (before this service)


def as_seen_by(
    match: MatchFound, post_id: str, member_id: str, other: KnownPost | None
) -> PostMatch | None:
    """The match as the author of ``post_id`` sees it; None for anyone else."""
    if post_id == match.request_id and member_id == match.request_author_id:
        other_id = match.offer_id
    elif post_id == match.offer_id and member_id == match.offer_author_id:
        other_id = match.request_id
    else:
        return None
    return PostMatch(
        match.match_id, post_id, other_id, match.score, match.reasons, match.found_at, other
    )
