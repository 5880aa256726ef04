"""What was resolved, for funders: each resolved post counted once in its day, category,
kind and area; a cell is published only when it counts ``K_ANONYMITY`` posts or more
(ADR 0022). Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from services.notifications.domain.notices import KnownPost
from shared.contract.geo import cell_centre, cell_of
from shared.contract.partner import OUTCOME_AREA_M
from shared.contract.values import Category, Kind, Outcome

# A need met: here, or elsewhere (the member says so). "No longer needed" is not help.
RESOLVED_OUTCOMES = frozenset({Outcome.HELPED, Outcome.HELPED_ELSEWHERE})
# A day is sent once it has been over this long: the resolutions of its last minutes,
# still on their way through the topics, are counted.
DAY_CLOSES_AFTER = timedelta(hours=1)
# Each round sends the last few closed days again (deliveries are unique per endpoint
# and day, so only what is missing is queued): a service down over a midnight loses none.
DAYS_RESENT = 3


@dataclass(frozen=True)
class Resolution:
    post_id: str
    day: date
    category: Category
    kind: Kind
    area: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Cell:
    day: date
    category: Category
    kind: Kind
    area: str
    lat: float
    lon: float
    resolved: int


def resolution_of(post: KnownPost, outcome: Outcome, resolved_at: datetime) -> Resolution | None:
    """The post's resolution as the outcomes count it, or None when nobody's need was met."""
    if outcome not in RESOLVED_OUTCOMES:
        return None
    row, col = cell_of(post.lat, post.lon, OUTCOME_AREA_M)
    lat, lon = cell_centre(row, col, OUTCOME_AREA_M)
    day = resolved_at.astimezone(UTC).date()
    return Resolution(post.post_id, day, post.category, post.kind, f"{row}:{col}", lat, lon)


def closed_days(now: datetime) -> list[date]:
    """The last ``DAYS_RESENT`` UTC days that are closed, oldest first."""
    last = (now.astimezone(UTC) - DAY_CLOSES_AFTER).date() - timedelta(days=1)
    return [last - timedelta(days=n) for n in reversed(range(DAYS_RESENT))]
