"""Urgent alerts widen by rings on a timer, and end for everyone at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RingPlan:
    """Radii in metres, how long to wait at each ring before widening, and how many
    helpers coming are enough to stop widening (it resumes if fewer come)."""

    radii_m: tuple[int, ...] = (500, 1_000, 3_000)
    waits_s: tuple[float, ...] = (60.0, 60.0)
    wanted_helpers: int = 3

    def __post_init__(self) -> None:
        if len(self.waits_s) != len(self.radii_m) - 1:
            raise ValueError("one wait between each pair of rings")
        if list(self.radii_m) != sorted(set(self.radii_m)):
            raise ValueError("rings must widen")


@dataclass(frozen=True)
class AlertState:
    alert_id: str
    post_id: str
    ring: int
    next_escalation_at: datetime | None  # None: the widest ring is reached
    expires_at: datetime
    ended: bool = False


def start(alert_id: str, post_id: str, plan: RingPlan, now: datetime, expires_at: datetime):
    return AlertState(alert_id, post_id, 0, _next_at(plan, 0, now), expires_at)


def due_escalation(
    state: AlertState, plan: RingPlan, now: datetime, coming: int = 0
) -> AlertState | None:
    """The next ring if it is time to widen; the same ring, its wait started again, if
    enough helpers are coming (paused); else None."""
    if state.ended or state.next_escalation_at is None or now < state.next_escalation_at:
        return None
    if coming >= plan.wanted_helpers:
        return replace(state, next_escalation_at=_next_at(plan, state.ring, now))
    ring = state.ring + 1
    return replace(state, ring=ring, next_escalation_at=_next_at(plan, ring, now))


def is_expired(state: AlertState, now: datetime) -> bool:
    return not state.ended and now >= state.expires_at


def _next_at(plan: RingPlan, ring: int, now: datetime) -> datetime | None:
    if ring >= len(plan.waits_s):
        return None
    return now + timedelta(seconds=plan.waits_s[ring])
