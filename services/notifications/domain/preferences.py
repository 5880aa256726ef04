"""A member's notification preferences, and what they decide. Pure: no I/O.

Urgent alerts (and the news that one ended) are never held: someone is lost in a
crowd now. Everything else respects the member's categories, quiet hours and daily
cap; what is held stays in the inbox and is announced by one digest later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.notifications.domain.notices import Notice, Reason
from shared.contract.values import Category

DEFAULT_TIMEZONE = "Europe/Paris"


class Decision(StrEnum):
    DELIVER = "deliver"  # stored and pushed now
    HOLD = "hold"  # stored, pushed later inside a digest
    DROP = "drop"  # the member asked not to hear about this


@dataclass(frozen=True)
class Preferences:
    # Empty: every category. Applies to matches only: replies to one's own post or
    # thread are always wanted.
    categories: frozenset[Category] = frozenset()
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = DEFAULT_TIMEZONE
    daily_cap: int | None = None

    def local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.timezone))

    def in_quiet_hours(self, now: datetime) -> bool:
        if self.quiet_start is None or self.quiet_end is None:
            return False
        clock = self.local(now).time().replace(tzinfo=None)
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= clock < self.quiet_end
        return clock >= self.quiet_start or clock < self.quiet_end  # across midnight

    def day_start(self, now: datetime) -> datetime:
        """The start of the member's local day: the daily cap counts from there."""
        local = self.local(now)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    def next_day_start(self, now: datetime) -> datetime:
        return self.day_start(now) + timedelta(days=1)


def decide(prefs: Preferences, notice: Notice, now: datetime, pushed_today: int) -> Decision:
    """``pushed_today``: ordinary notifications already pushed since the local midnight."""
    if notice.urgent:
        return Decision.DELIVER
    if (
        notice.reason is Reason.MATCH
        and prefs.categories
        and notice.category is not None
        and notice.category not in prefs.categories
    ):
        return Decision.DROP
    if prefs.in_quiet_hours(now):
        return Decision.HOLD
    if prefs.daily_cap is not None and pushed_today >= prefs.daily_cap:
        return Decision.HOLD
    return Decision.DELIVER


def digest_due(prefs: Preferences, now: datetime, pushed_today: int) -> bool:
    """May the held notifications be announced now?"""
    if prefs.in_quiet_hours(now):
        return False
    return prefs.daily_cap is None or pushed_today < prefs.daily_cap


def digest_title(held: int) -> str:
    return f"{held} notification{'s' if held != 1 else ''} while you were away"
