"""Urgent alerts' search rooms: who may enter, what they may say, what they see. Pure.

A room opens when its alert is raised (alerts.v1 names the requester and the exact
point). The members a ring reached (``AlertReached``) may answer; those who say they are
coming enter it with the requester. A released helper leaves for good. When the alert
ends the room is dropped, and the exact points with it: only its id is kept, so that a
later subscribe gets the same refusal as a forged id (ADR 0002).

Every gateway builds the same rooms from the same events, in the order of their
partition (all of one alert's events share its key), so a helper's sector is the same
whichever gateway holds their socket.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shared.contract import events as E
from shared.contract.values import Answer, Point, SearchUpdate

# The area around the last-seen point is split into this many sectors, this far out:
# about what a few people on foot search in the first quarter of an hour.
SECTOR_COUNT = 8
SECTOR_RADIUS_M = 400
MESSAGES_KEPT = 30  # the room's chat as a newcomer sees it
ENDED_KEPT = 10_000  # ended rooms remembered (ids only), to refuse them like forged ones
# Kafka orders records within a partition, not across topics: a room's events read before
# its alert's raise wait for it (so many posts, so many events each, the oldest dropped).
EARLY_POSTS_KEPT = 1_000
EARLY_EVENTS_PER_POST = 500
# A room whose end never came (matching's expiry lost) closes this long after it expires.
EXPIRY_GRACE = timedelta(minutes=10)
# Who may say what in a room.
REQUESTER_UPDATES = frozenset({SearchUpdate.LAST_SEEN, SearchUpdate.DESCRIPTION})
HELPER_UPDATES = frozenset({SearchUpdate.POSITION, SearchUpdate.SEARCHED})

# Refusals, as the protocol's error codes (docs/protocol.md).
FORBIDDEN = "forbidden"
ALERT_ENDED = "alert_ended"


@dataclass
class Helper:
    member_id: str
    name: str
    sector: int | None
    position: Point | None = None

    def view(self) -> dict:
        position = self.position.model_dump() if self.position else None
        return {"member_id": self.member_id, "name": self.name, "sector": self.sector,
                "position": position}  # fmt: skip


@dataclass
class Room:
    alert_id: str
    post_id: str
    author_id: str
    point: Point  # the last-seen point: the exact point until the requester moves it
    expires_at: datetime
    ring: int = 0
    reached_by_ring: dict[int, int] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)
    helpers: dict[str, Helper] = field(default_factory=dict)  # coming, in order of answer
    declined: set[str] = field(default_factory=set)
    released: set[str] = field(default_factory=set)
    description: str = ""
    searched: set[int] = field(default_factory=set)
    messages: deque = field(default_factory=lambda: deque(maxlen=MESSAGES_KEPT))

    def member_may_enter(self, member_id: str | None) -> bool:
        return member_id is not None and (member_id == self.author_id or member_id in self.helpers)

    def view(self, member_id: str) -> dict:
        """What someone in the room sees (the same for all, but for their own role)."""
        return {
            "post_id": self.post_id,
            "alert_id": self.alert_id,
            "role": "requester" if member_id == self.author_id else "helper",
            "point": self.point.model_dump(),
            "description": self.description,
            "ring": self.ring,
            "reached_by_ring": [self.reached_by_ring.get(r, 0) for r in range(self.ring + 1)],
            "declined": len(self.declined),
            "helpers": [h.view() for h in self.helpers.values()],
            "sectors": {
                "count": SECTOR_COUNT,
                "radius_m": SECTOR_RADIUS_M,
                "searched": sorted(self.searched),
            },
            "messages": list(self.messages),
            "expires_at": self.expires_at.isoformat(),
        }

    def _free_sector(self) -> int | None:
        """The unsearched sector with the fewest helpers (the lowest first): helpers
        spread out before two share one."""
        taken = [h.sector for h in self.helpers.values() if h.sector is not None]
        open_sectors = [s for s in range(SECTOR_COUNT) if s not in self.searched]
        if not open_sectors:
            return None
        return min(open_sectors, key=lambda s: (taken.count(s), s))


@dataclass(frozen=True)
class Change:
    """What an event changed: the room to show again, whom to tell their answer was
    taken, and who must leave (released, or everyone when the alert ended)."""

    post_id: str
    answered: tuple[str, Answer] | None = None
    leaving: frozenset[str] = frozenset()
    leaving_reason: str = "released"  # or "declined": a helper who said she cannot after all
    ended: str | None = None  # the end's reason: everyone leaves


class Rooms:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.rooms: dict[str, Room] = {}
        self.ended: OrderedDict[str, None] = OrderedDict()
        self.early: OrderedDict[str, list[E.Event]] = OrderedDict()
        self.clock = clock

    # -- from the topics ------------------------------------------------------------------
    def apply(self, event: E.Event) -> Change | None:
        post_id = getattr(event, "post_id", "")
        if isinstance(event, E.UrgentAlertRaised):
            if post_id in self.rooms or post_id in self.ended:
                return None
            self.rooms[post_id] = Room(
                event.alert_id, post_id, event.author_id, event.point, event.expires_at
            )
            for early in self.early.pop(post_id, []):
                self.apply(early)
            return Change(post_id)
        if isinstance(event, E.UrgentAlertResolved):
            self.early.pop(post_id, None)
            return self._end(post_id, event.reason.value)
        room = self.rooms.get(post_id)
        if room is None:
            if post_id not in self.ended:
                self._keep_early(post_id, event)
            return None
        if isinstance(event, E.UrgentAlertEscalated):
            room.ring = max(room.ring, event.ring)
            return Change(room.post_id)
        if isinstance(event, E.AlertReached):
            fresh = set(event.member_ids) - room.reached - {room.author_id}
            room.reached |= fresh
            room.reached_by_ring[event.ring] = room.reached_by_ring.get(event.ring, 0) + len(fresh)
            room.ring = max(room.ring, event.ring)
            return Change(room.post_id)
        if isinstance(event, E.HelperAnswered):
            return self._answered(room, event)
        if isinstance(event, E.HelperReleased):
            if room.helpers.pop(event.member_id, None) is None:
                return None
            room.released.add(event.member_id)
            return Change(room.post_id, leaving=frozenset({event.member_id}))
        if isinstance(event, E.SearchUpdated):
            return self._updated(room, event)
        return None

    def _answered(self, room: Room, event: E.HelperAnswered) -> Change | None:
        member = event.member_id
        if member not in room.reached or member in room.released:
            return None  # checked before publishing; a forged record changes nothing
        if event.answer is Answer.COMING:
            room.declined.discard(member)
            if member not in room.helpers:
                room.helpers[member] = Helper(member, event.name, room._free_sector())
            return Change(room.post_id, answered=(member, Answer.COMING))
        was_coming = room.helpers.pop(member, None) is not None
        room.declined.add(member)
        leaving = frozenset({member}) if was_coming else frozenset()
        return Change(room.post_id, answered=(member, Answer.CANNOT), leaving=leaving,
                      leaving_reason="declined")  # fmt: skip

    def _updated(self, room: Room, event: E.SearchUpdated) -> Change | None:
        if self.refusal(room.post_id, event.member_id, event.update) is not None:
            return None
        if event.update is SearchUpdate.LAST_SEEN and event.point is not None:
            room.point = event.point
            room.searched.clear()  # a new point: the sectors start again around it
        elif event.update is SearchUpdate.DESCRIPTION and event.text:
            room.description = event.text
        elif event.update is SearchUpdate.POSITION and event.point is not None:
            room.helpers[event.member_id].position = event.point
        elif event.update is SearchUpdate.SEARCHED and event.sector in range(SECTOR_COUNT):
            room.searched.add(event.sector)
            helper = room.helpers[event.member_id]
            if helper.sector == event.sector:
                helper.sector = room._free_sector()
        elif event.update is SearchUpdate.MESSAGE and event.text:
            said = {"member_id": event.member_id, "name": event.name, "text": event.text,
                    "at": event.updated_at.isoformat()}  # fmt: skip
            room.messages.append(said)
        else:
            return None
        return Change(room.post_id)

    def _keep_early(self, post_id: str, event: E.Event) -> None:
        waiting = self.early.setdefault(post_id, [])
        if len(waiting) < EARLY_EVENTS_PER_POST:
            waiting.append(event)
        while len(self.early) > EARLY_POSTS_KEPT:
            self.early.popitem(last=False)

    def sweep(self) -> list[Change]:
        """Close the rooms past their alert's expiry (and the grace): their end was lost."""
        now = self.clock()
        overdue = [p for p, room in self.rooms.items() if now > room.expires_at + EXPIRY_GRACE]
        return [change for p in overdue if (change := self._end(p, "expired")) is not None]

    def _end(self, post_id: str, reason: str) -> Change | None:
        room = self.rooms.pop(post_id, None)
        self.ended[post_id] = None
        while len(self.ended) > ENDED_KEPT:
            self.ended.popitem(last=False)
        return Change(post_id, ended=reason) if room is not None else None

    # -- checks before publishing what a socket asked -------------------------------------
    def may_enter(self, post_id: str, member_id: str | None) -> bool:
        room = self.rooms.get(post_id)
        return room is not None and room.member_may_enter(member_id)

    def answer_refusal(self, post_id: str, member_id: str) -> str | None:
        """None when the member may answer; else the code to refuse with. A member who
        was not reached gets ``forbidden``, whether the alert exists or not; an ended
        alert gets ``alert_ended`` (that a post was urgent is public, its alert's end too)."""
        if post_id in self.ended:
            return ALERT_ENDED
        room = self.rooms.get(post_id)
        if room is None or member_id not in room.reached or member_id in room.released:
            return FORBIDDEN
        return None

    def refusal(self, post_id: str, member_id: str, update: SearchUpdate) -> str | None:
        """None when the member may say this in the room; else the code to refuse with."""
        room = self.rooms.get(post_id)
        if room is None or not room.member_may_enter(member_id):
            return FORBIDDEN
        is_requester = member_id == room.author_id
        if update in REQUESTER_UPDATES and not is_requester:
            return FORBIDDEN
        if update in HELPER_UPDATES and is_requester:
            return FORBIDDEN
        return None

    def room(self, post_id: str) -> Room | None:
        return self.rooms.get(post_id)
