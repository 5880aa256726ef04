"""The WebSocket protocol's client frames, close codes and error codes (docs/protocol.md).

Client frames are JSON text: ``subscribe``, ``unsubscribe``, ``location``, ``ping``, and
for urgent alerts ``answer``, ``release`` and ``room_update``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from shared.contract.events import RoomText
from shared.contract.values import (
    Answer,
    Category,
    Frozen,
    Id,
    Kind,
    Latitude,
    Longitude,
    SearchUpdate,
)

# Close codes (4000-4999 are the application's own).
CLOSE_GOING_AWAY = 1001  # the gateway is shutting down: reconnect (to any gateway)
CLOSE_TOKEN_EXPIRED = 4001  # the member's access token expired: reconnect with a fresh one
CLOSE_TOO_BIG = 1009  # a frame over the size limit (sent by the websockets library)
CLOSE_SUSPENDED = 4003  # a moderator suspended the member: do not reconnect as them
CLOSE_TOO_SLOW = 4008  # the client did not read its frames fast enough
CLOSE_TOO_MANY_FRAMES = 4029  # far over the frame rate limit, after error frames

# Error frame codes: the connection stays open.
BAD_JSON = "bad_json"
BAD_FRAME = "bad_frame"
UNKNOWN_TYPE = "unknown_type"
RATE_LIMITED = "rate_limited"
LOGIN_REQUIRED = "login_required"
BAD_CURSOR = "bad_cursor"
NOT_SUBSCRIBED = "not_subscribed"
FORBIDDEN = "forbidden"  # not yours to see or do (the same for what does not exist)
ALERT_ENDED = "alert_ended"  # an answer to an alert that has ended
UNAVAILABLE = "unavailable"  # could not be passed on (Kafka): try again

ROOM_CHANNEL_PREFIX = "room:"
CHANNEL_PATTERN = (
    r"^(feed|alerts|notifications|conversations"
    r"|post:[0-9A-Za-z_-]{1,64}|room:[0-9A-Za-z_-]{1,64})$"
)
DEFAULT_ALERT_RADIUS_M = 5_000


class AreaIn(Frozen):
    lat: Latitude
    lon: Longitude
    radius_m: Annotated[int, Field(ge=100, le=100_000)]


class FiltersIn(Frozen):
    kinds: Annotated[list[Kind], Field(max_length=2)] = []
    categories: Annotated[list[Category], Field(max_length=9)] = []
    area: AreaIn | None = None
    urgent_only: bool = False


class Subscribe(Frozen):
    type: Literal["subscribe"]
    channel: Annotated[str, Field(pattern=CHANNEL_PATTERN)]
    filters: FiltersIn = FiltersIn()
    # For ``alerts``: how far from the member's location (default 5 km).
    radius_m: Annotated[int, Field(ge=100, le=100_000)] = DEFAULT_ALERT_RADIUS_M
    cursor: Annotated[str, Field(max_length=4_000)] | None = None


class Unsubscribe(Frozen):
    type: Literal["unsubscribe"]
    channel: Annotated[str, Field(pattern=CHANNEL_PATTERN)]


class Location(Frozen):
    type: Literal["location"]
    lat: Latitude
    lon: Longitude


class Ping(Frozen):
    type: Literal["ping"]


class AnswerFrame(Frozen):
    """A reached member answers an urgent alert (by its post's id)."""

    type: Literal["answer"]
    post_id: Id
    answer: Answer


class Release(Frozen):
    """The requester releases a helper from the search room."""

    type: Literal["release"]
    post_id: Id
    member_id: Id


class RoomUpdate(Frozen):
    """Something said in the search room: ``point`` for last_seen and position, ``text``
    for description and message, ``sector`` for searched."""

    type: Literal["room_update"]
    post_id: Id
    update: SearchUpdate
    lat: Latitude | None = None
    lon: Longitude | None = None
    text: RoomText | None = None
    sector: Annotated[int, Field(ge=0, le=15)] | None = None

    def missing(self) -> str | None:
        """The field this update needs and lacks."""
        if self.update in (SearchUpdate.LAST_SEEN, SearchUpdate.POSITION):
            return None if self.lat is not None and self.lon is not None else "lat"
        if self.update in (SearchUpdate.DESCRIPTION, SearchUpdate.MESSAGE):
            return None if self.text and self.text.strip() else "text"
        return None if self.sector is not None else "sector"


ClientFrame = Annotated[
    Subscribe | Unsubscribe | Location | Ping | AnswerFrame | Release | RoomUpdate,
    Field(discriminator="type"),
]
CLIENT_FRAME = TypeAdapter(ClientFrame)
CLIENT_TYPES = frozenset(
    ("subscribe", "unsubscribe", "location", "ping", "answer", "release", "room_update")
)


class TokenBucket:
    """Frames per second with a burst; pure, the caller gives the time."""

    def __init__(self, rate_per_s: float, burst: int, now: float) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate_per_s)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
