"""Value types shared by the events: enums, points, fuzzed locations, reasons."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract import geo

Latitude = Annotated[float, Field(ge=-90.0, le=90.0)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")]
RadiusM = Annotated[int, Field(ge=50, le=200_000, description="radius in metres")]


class Kind(StrEnum):
    REQUEST = "request"
    OFFER = "offer"


class Category(StrEnum):
    JOBS = "jobs"
    TICKETS_EVENTS = "tickets_events"
    VEHICLES = "vehicles"
    HOUSING = "housing"
    GOODS = "goods"
    SERVICES = "services"
    FIND_A_PERSON = "find_a_person"
    SOLIDARITY = "solidarity"
    OTHER = "other"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class Outcome(StrEnum):
    HELPED = "helped"
    HELPED_ELSEWHERE = "helped_elsewhere"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


class OfferAnswer(StrEnum):
    """A person's answer to an offer, recorded by the organisation that posted for them."""

    ACCEPTED = "accepted"
    DECLINED = "declined"


class Answer(StrEnum):
    """An alerted member's answer to an urgent alert."""

    COMING = "coming"
    CANNOT = "cannot"


class SearchUpdate(StrEnum):
    """What is said in an alert's search room, and who may say it."""

    LAST_SEEN = "last_seen"  # the requester: a new last-seen point
    DESCRIPTION = "description"  # the requester: who or what to look for
    POSITION = "position"  # a helper: where they are now (if they choose to share it)
    SEARCHED = "searched"  # a helper: their sector is searched
    MESSAGE = "message"  # anyone in the room: a line of chat


class ReplyIntent(StrEnum):
    COMMENT = "comment"
    CAN_HELP = "can_help"


class AlertEndReason(StrEnum):
    RESOLVED = "resolved"
    EXPIRED = "expired"
    TAKEN = "taken"
    REMOVED = "removed"
    WITHDRAWN = "withdrawn"


class Frozen(BaseModel):
    """Base of every contract model: immutable, and an undeclared field is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Point(Frozen):
    """An exact point. Never in a public event: see FuzzedLocation."""

    lat: Latitude
    lon: Longitude


class FuzzedLocation(Frozen):
    """The public location: the centre of the ~1 km cell holding the real point."""

    cell: Annotated[str, Field(max_length=32, pattern=r"^-?\d+:-?\d+$")]
    lat: Latitude
    lon: Longitude
    precision_m: Literal[1000] = geo.CELL_SIZE_M

    @classmethod
    def of(cls, point: Point) -> FuzzedLocation:
        row, col = geo.cell_of(point.lat, point.lon)
        lat, lon = geo.cell_centre(row, col)
        return cls(cell=f"{row}:{col}", lat=lat, lon=lon)


class MatchReason(Frozen):
    """One reason a request and an offer were matched, with its share of the score."""

    factor: Literal["category", "distance", "time", "words", "language"]
    weight: Annotated[float, Field(ge=0.0, le=1.0)]
    detail: Annotated[str, Field(max_length=200)]
    # Added in v1 (additive): what the reason is about, so that a client says it in the
    # reader's language ("1.2 km apart", "both mention 'villette'"); ``detail`` is English.
    distance_m: Annotated[int, Field(ge=0)] | None = None
    words: Annotated[tuple[Annotated[str, Field(max_length=40)], ...], Field(max_length=8)] = ()
    languages: Annotated[tuple[Annotated[str, Field(max_length=2)], ...], Field(max_length=2)] = ()
