"""Fakes of the notifications service's ports (services/notifications/ports.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from services.notifications.domain.notices import AlertFacts, KnownPost, NearbyMember, Stored
from services.notifications.domain.outcomes import Cell, Resolution
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.webhooks import PAUSED, Delivery, Endpoint
from services.notifications.ports import Attempt
from shared.contract import geo
from shared.contract.events import AlertReached, MatchFound, MemberLocated, MemberProfileChanged
from shared.contract.values import Category, Point


class FakeInbox:
    def __init__(self) -> None:
        self.known: dict[str, KnownPost] = {}
        self.alerts: dict[str, AlertFacts] = {}
        self.following: dict[str, set[str]] = {}
        self.rows: dict[str, Stored] = {}
        self.prefs: dict[str, Preferences] = {}
        self.pairs: dict[tuple[str, str], MatchFound] = {}

    async def remember_post(self, post: KnownPost) -> None:
        self.known[post.post_id] = post
        self.following.setdefault(post.post_id, set()).add(post.author_id)

    async def posts(self, post_ids: Iterable[str]) -> dict[str, KnownPost]:
        return {i: self.known[i] for i in post_ids if i in self.known}

    async def post(self, post_id: str) -> KnownPost | None:
        return self.known.get(post_id)

    async def remember_match(self, match: MatchFound) -> None:
        known = self.pairs.get((match.request_id, match.offer_id))
        if known is None or known.found_at <= match.found_at:
            self.pairs[(match.request_id, match.offer_id)] = match

    async def matches(self, post_id: str) -> list[MatchFound]:
        found = [m for m in self.pairs.values() if post_id in (m.request_id, m.offer_id)]
        return sorted(found, key=lambda m: (-m.score, m.found_at))

    async def forget_matches(self, post_id: str) -> None:
        for pair in [p for p in self.pairs if post_id in p]:
            del self.pairs[pair]

    async def remember_alert(self, alert: AlertFacts) -> None:
        self.alerts.setdefault(alert.post_id, alert)

    async def alert(self, post_id: str) -> AlertFacts | None:
        return self.alerts.get(post_id)

    async def follow(self, post_id: str, member_ids: Iterable[str]) -> None:
        self.following.setdefault(post_id, set()).update(member_ids)

    async def followers(self, post_id: str) -> list[str]:
        return sorted(self.following.get(post_id, ()))

    async def alerted(self, post_id: str) -> set[str]:
        return {r.member_id for r in self.rows.values()
                if r.post_id == post_id and r.reason.value == "urgent_alert"}  # fmt: skip

    async def save(self, rows: Sequence[Stored]) -> None:
        for row in rows:
            self.rows.setdefault(row.id, dataclasses.replace(row))

    async def inbox(
        self, member_id: str, before: str | None, limit: int, unread_only: bool
    ) -> list[Stored]:
        mine = sorted((r for r in self.rows.values() if r.member_id == member_id),
                      key=lambda r: r.id, reverse=True)  # fmt: skip
        mine = [r for r in mine if (before is None or r.id < before)]
        return [r for r in mine if not unread_only or r.read_at is None][:limit]

    async def unread_count(self, member_id: str) -> int:
        return sum(r.member_id == member_id and r.read_at is None for r in self.rows.values())

    async def mark_read(self, member_id: str, ids: Sequence[str] | None, now: datetime) -> int:
        marked = 0
        for row in self.rows.values():
            wanted = ids is None or row.id in ids
            if row.member_id == member_id and row.read_at is None and wanted:
                row.read_at = now
                marked += 1
        return marked

    def _about(self, member_id: str, conversation_id: str) -> list[Stored]:
        return [r for r in self.rows.values() if r.member_id == member_id and r.read_at is None
                and r.title_params.get("conversation") == conversation_id]  # fmt: skip

    async def unread_conversation(self, member_id: str, conversation_id: str) -> bool:
        return bool(self._about(member_id, conversation_id))

    async def read_conversation(self, member_id: str, conversation_id: str, now: datetime) -> int:
        unread = self._about(member_id, conversation_id)
        for row in unread:
            row.read_at = now
        return len(unread)

    async def pushed_since(self, day_starts: dict[str, datetime]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.rows.values():
            since = day_starts.get(r.member_id)
            ordinary = not r.held and not r.urgent and r.reason.value != "digest"
            if since is not None and r.created_at >= since and ordinary:
                counts[r.member_id] = counts.get(r.member_id, 0) + 1
        return counts

    async def held_count(self, member_id: str) -> int:
        return sum(r.member_id == member_id and r.held for r in self.rows.values())

    async def members_with_held(self, limit: int) -> list[str]:
        return sorted({r.member_id for r in self.rows.values() if r.held})[:limit]

    async def release_held(self, member_id: str) -> int:
        held = [r for r in self.rows.values() if r.member_id == member_id and r.held]
        for row in held:
            row.held = False
        return len(held)

    async def preferences(self, member_ids: Iterable[str]) -> dict[str, Preferences]:
        return {m: self.prefs.get(m, Preferences()) for m in member_ids}

    async def save_preferences(self, member_id: str, prefs: Preferences) -> None:
        self.prefs[member_id] = prefs


class FakeDirectory:
    """Members at points; ``near`` measures as Redis GEOSEARCH would, nearest first."""

    def __init__(self) -> None:
        self.profiles: dict[str, MemberProfileChanged] = {}
        self.points: dict[str, Point] = {}

    async def apply_profile(self, profile: MemberProfileChanged) -> None:
        self.profiles[profile.member_id] = profile

    async def apply_location(self, located: MemberLocated) -> None:
        self.points[located.member_id] = located.point

    async def near(self, category: Category, point: Point, radius_m: int) -> list[NearbyMember]:
        found = []
        for member_id, profile in self.profiles.items():
            at = self.points.get(member_id) or profile.home
            interested = not profile.interests or category in profile.interests
            if not (profile.urgent_alerts_consent and interested and at):
                continue
            distance = geo.haversine_m(point.lat, point.lon, at.lat, at.lon)
            if distance <= min(radius_m, profile.alert_radius_m):
                found.append((distance, NearbyMember(member_id, at.lat, at.lon)))
        return [member for _, member in sorted(found, key=lambda pair: pair[0])]


class FakeAlertRooms:
    """Keeps who each ring reached, as the search rooms' topic would."""

    def __init__(self) -> None:
        self.sent: dict[str, AlertReached] = {}  # by event id: a re-send is one

    async def reached_members(self, post_id: str) -> set[str]:
        return {m for r in self.sent.values() if r.post_id == post_id for m in r.member_ids}

    async def reached(self, reached: AlertReached, event_id: str) -> None:
        self.sent[event_id] = reached


class FakePusher:
    """Acknowledges every notification at once, and keeps what it was handed."""

    def __init__(self) -> None:
        self.pushed: list[Stored] = []

    async def __call__(self, rows: list[Stored]) -> list[asyncio.Future]:
        self.pushed += rows
        ack = asyncio.get_running_loop().create_future()
        ack.set_result(None)
        return [ack]


class FakeWebhookStore:
    def __init__(self) -> None:
        self.endpoints: dict[str, Endpoint] = {}
        self.queue: dict[int, Delivery] = {}
        self._seq = itertools.count(1)
        self.now = datetime.min.replace(tzinfo=UTC)  # when the next deliveries are queued

    async def add_endpoint(self, endpoint: Endpoint) -> None:
        self.endpoints[endpoint.id] = endpoint

    async def endpoint(self, endpoint_id: str) -> Endpoint | None:
        return self.endpoints.get(endpoint_id)

    async def endpoints_of(self, partner_id: str) -> list[Endpoint]:
        return [e for e in self.endpoints.values() if e.partner_id == partner_id]

    async def receiving_endpoints(self) -> list[Endpoint]:
        return [e for e in self.endpoints.values() if e.enabled or e.disabled_reason == PAUSED]

    async def delete_endpoint(self, endpoint_id: str) -> None:
        self.endpoints.pop(endpoint_id, None)

    async def rotate_secret(self, endpoint_id: str, secret: str, grace_until: datetime) -> None:
        e = self.endpoints[endpoint_id]
        self.endpoints[endpoint_id] = dataclasses.replace(
            e, secret=secret, previous_secret=e.secret, previous_until=grace_until
        )

    async def set_enabled(self, endpoint_id: str, enabled: bool, reason: str | None) -> None:
        self.endpoints[endpoint_id] = dataclasses.replace(
            self.endpoints[endpoint_id], enabled=enabled, disabled_reason=reason
        )

    async def enqueue(
        self, endpoint_ids: Sequence[str], message_id: str, event_type: str, payload: str
    ) -> int:
        added = 0
        for endpoint_id in endpoint_ids:
            if any(d.endpoint_id == endpoint_id and d.message_id == message_id
                   for d in self.queue.values()):  # fmt: skip
                continue
            seq = next(self._seq)
            self.queue[seq] = Delivery(seq, endpoint_id, message_id, event_type, payload,
                                       "pending", 0, datetime.min, None, None,
                                       self.now, None)  # fmt: skip
            added += 1
        return added

    async def claim_due(self, now, lease, limit, *, per_endpoint, busy=()) -> list[Delivery]:
        return [d for d in self.queue.values() if d.status == "pending"][:limit]

    async def next_due_at(self) -> datetime | None:
        return None

    async def delivered(self, seq: int, status: int, now: datetime) -> None:
        d = self.queue[seq]
        self.queue[seq] = dataclasses.replace(
            d, status="delivered", attempts=d.attempts + 1, last_status=status, delivered_at=now
        )

    async def failed(self, seq: int, status: int | None, error: str, retry_at) -> None:
        d = self.queue[seq]
        self.queue[seq] = dataclasses.replace(
            d, status="pending" if retry_at else "dead", attempts=d.attempts + 1,
            last_status=status, last_error=error, next_attempt_at=retry_at or d.next_attempt_at,
        )  # fmt: skip

    async def release(self, seqs: Sequence[int]) -> None:
        pass

    async def deliveries(self, endpoint_id: str, after: int, limit: int) -> list[Delivery]:
        mine = [d for s, d in sorted(self.queue.items()) if d.endpoint_id == endpoint_id]
        return [d for d in mine if d.seq > after][:limit]

    async def last_seq_before(self, endpoint_id: str, moment: datetime) -> int:
        mine = [d for d in self.queue.values() if d.endpoint_id == endpoint_id]
        return max((d.seq for d in mine if d.created_at < moment), default=0)

    async def replay(self, endpoint_id: str, after: int, now: datetime) -> int:
        again = [d for d in self.queue.values() if d.endpoint_id == endpoint_id and d.seq > after]
        for d in again:
            self.queue[d.seq] = dataclasses.replace(d, status="pending", attempts=0)
        return len(again)


class FakeOutcomes:
    """Resolutions in memory, counted as the PostgreSQL adapter counts them."""

    def __init__(self) -> None:
        self.rows: dict[str, Resolution] = {}

    async def record(self, resolution: Resolution) -> None:
        self.rows.setdefault(resolution.post_id, resolution)

    async def cells(self, first: date, last: date, at_least: int) -> list[Cell]:
        counts = Counter(
            (r.day, r.category, r.kind, r.area, r.lat, r.lon)
            for r in self.rows.values() if first <= r.day <= last
        )  # fmt: skip
        return [Cell(*key, resolved=n) for key, n in sorted(counts.items()) if n >= at_least]


class FakeSender:
    """Answers each send from a script ("200", "500", "410", "none" for no answer), then
    200; refuses the addresses it is told to."""

    def __init__(self, *script: str, refused: dict[str, str] | None = None) -> None:
        self.script = list(script)
        self.refused = refused or {}
        self.sent: list[tuple[str, list[str], str]] = []

    async def address_problem(self, url: str) -> str | None:
        return self.refused.get(url)

    async def send(self, url: str, secrets: list[str], message_id: str, payload: str) -> Attempt:
        self.sent.append((url, secrets, message_id))
        answer = self.script.pop(0) if self.script else "200"
        if answer == "none":
            return Attempt(None, "timed out")
        status = int(answer)
        return Attempt(status, None if 200 <= status < 300 else f"HTTP {status}")


class FakeSecrets:
    def __init__(self) -> None:
        self.made = itertools.count(1)

    def __call__(self) -> str:
        return f"whsec_fake{next(self.made)}"


GRACE = timedelta(hours=24)
