"""What the notifications handlers need from the world, as protocols. The adapters
implement them (PostgreSQL, Redis, Kafka, HTTP); the unit tier's fakes
(``tests/fakes/notifications.py``) implement them too."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from services.notifications.domain.notices import AlertFacts, KnownPost, NearbyMember, Stored
from services.notifications.domain.outcomes import Cell, Resolution
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.webhooks import Delivery, Endpoint
from shared.contract.events import AlertReached, MatchFound, MemberLocated, MemberProfileChanged
from shared.contract.values import Category, Point


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class Inbox(Protocol):
    """What notifications remembers of posts and alerts, thread followers, the inbox and
    the members' preferences."""

    async def remember_post(self, post: KnownPost) -> None:
        """Keep the post's facts, and its author as its first follower."""

    async def posts(self, post_ids: Iterable[str]) -> dict[str, KnownPost]: ...

    async def post(self, post_id: str) -> KnownPost | None: ...

    async def remember_match(self, match: MatchFound) -> None:
        """Keep the pair's latest match (one per request and offer)."""

    async def matches(self, post_id: str) -> list[MatchFound]:
        """The matches of this post, on either side, best first."""

    async def forget_matches(self, post_id: str) -> None:
        """A removed or withdrawn post: its pairs are listed to nobody any more."""

    async def remember_alert(self, alert: AlertFacts) -> None: ...

    async def alert(self, post_id: str) -> AlertFacts | None: ...

    async def follow(self, post_id: str, member_ids: Iterable[str]) -> None: ...

    async def followers(self, post_id: str) -> list[str]: ...

    async def alerted(self, post_id: str) -> set[str]:
        """Everyone an urgent alert about this post reached, over all its rings."""

    async def save(self, rows: Sequence[Stored]) -> None:
        """Store each notification once per member and cause; a row already there stays."""

    async def inbox(
        self, member_id: str, before: str | None, limit: int, unread_only: bool
    ) -> list[Stored]: ...

    async def unread_count(self, member_id: str) -> int: ...

    async def mark_read(self, member_id: str, ids: Sequence[str] | None, now: datetime) -> int:
        """These items (None: every item) read; how many changed."""

    async def unread_conversation(self, member_id: str, conversation_id: str) -> bool:
        """Has the member an unread notification of a message in this conversation?"""

    async def read_conversation(self, member_id: str, conversation_id: str, now: datetime) -> int:
        """The member read the conversation: its message notifications are read too."""

    async def pushed_since(self, day_starts: dict[str, datetime]) -> dict[str, int]:
        """Ordinary notifications pushed to each member since their local day began."""

    async def held_count(self, member_id: str) -> int: ...

    async def members_with_held(self, limit: int) -> list[str]: ...

    async def release_held(self, member_id: str) -> int: ...

    async def preferences(self, member_ids: Iterable[str]) -> dict[str, Preferences]: ...

    async def save_preferences(self, member_id: str, prefs: Preferences) -> None: ...


class Directory(Protocol):
    """Who may be alerted, and where: consent, interests, last known points."""

    async def apply_profile(self, profile: MemberProfileChanged) -> None: ...

    async def apply_location(self, located: MemberLocated) -> None: ...

    async def near(self, category: Category, point: Point, radius_m: int) -> list[NearbyMember]:
        """The members to alert for ``category`` within ``radius_m``, nearest first."""


class Pusher(Protocol):
    async def __call__(self, rows: list[Stored]) -> list[asyncio.Future]:
        """Hand the notifications to the broker; return the acknowledgements to await."""


class AlertRooms(Protocol):
    async def reached(self, reached: AlertReached, event_id: str) -> None:
        """Say who a ring reached, on the search rooms' topic (they may answer), and
        wait for the broker's acknowledgement."""


class Outcomes(Protocol):
    """Resolved posts, counted for funders."""

    async def record(self, resolution: Resolution) -> None:
        """Once per post: a re-delivered resolution changes nothing."""

    async def cells(self, first: date, last: date, at_least: int) -> list[Cell]:
        """The days' cells counting ``at_least`` resolutions; the others never leave."""


class WebhookStore(Protocol):
    """Partner endpoints and the persistent delivery queue."""

    async def add_endpoint(self, endpoint: Endpoint) -> None: ...

    async def endpoint(self, endpoint_id: str) -> Endpoint | None: ...

    async def endpoints_of(self, partner_id: str) -> list[Endpoint]: ...

    async def receiving_endpoints(self) -> list[Endpoint]:
        """Those that take new deliveries: enabled, or paused by their partner."""

    async def delete_endpoint(self, endpoint_id: str) -> None: ...

    async def rotate_secret(self, endpoint_id: str, secret: str, grace_until: datetime) -> None:
        """The new secret signs from now on; the old one too until ``grace_until``."""

    async def set_enabled(self, endpoint_id: str, enabled: bool, reason: str | None) -> None: ...

    async def enqueue(
        self, endpoint_ids: Sequence[str], message_id: str, event_type: str, payload: str
    ) -> int:
        """One delivery per endpoint, none again for a message seen; how many are new."""

    async def claim_due(
        self,
        now: datetime,
        lease: timedelta,
        limit: int,
        *,
        per_endpoint: int,
        busy: Sequence[str] = (),
    ) -> list[Delivery]: ...

    async def next_due_at(self) -> datetime | None: ...

    async def delivered(self, seq: int, status: int, now: datetime) -> None: ...

    async def failed(
        self, seq: int, status: int | None, error: str, retry_at: datetime | None
    ) -> None:
        """One failed try: retry at ``retry_at``, or (None) the delivery is dead."""

    async def release(self, seqs: Sequence[int]) -> None: ...

    async def deliveries(self, endpoint_id: str, after: int, limit: int) -> list[Delivery]: ...

    async def last_seq_before(self, endpoint_id: str, moment: datetime) -> int:
        """The seq of the endpoint's last delivery queued before ``moment`` (0: none)."""

    async def replay(self, endpoint_id: str, after: int, now: datetime) -> int: ...


@dataclass(frozen=True)
class Attempt:
    """One try at a delivery: the answer's status (None: no answer) and the error (None:
    delivered)."""

    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None


class WebhookSender(Protocol):
    async def address_problem(self, url: str) -> str | None:
        """Why ``url`` may not receive webhooks, or None."""

    async def send(
        self, url: str, secrets: list[str], message_id: str, payload: str
    ) -> Attempt: ...


class SecretMaker(Protocol):
    def __call__(self) -> str: ...
