"""Request and response models of the notifications API: a limit on every string and list."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from shared.contract.values import Category, Id, Kind, Latitude, Longitude, MatchReason
from shared.runtime.schemas import PRINTABLE_LINE as PRINTABLE
from shared.runtime.schemas import Strict

TIMEZONES = frozenset(available_timezones())


# inbox --------------------------------------------------------------------------------
class NotificationOut(BaseModel):
    id: str
    reason: str
    title: str = Field(description="In English, for API users")
    title_code: str | None = Field(
        description="The title as a code, for a client to say it in the member's language"
    )
    title_params: dict[str, str] = Field(
        description="The code's parameters (`title`, `n`, `name`; for a message, the "
        "`conversation` to open)"
    )
    post_id: str | None
    urgent: bool
    distance_m: int | None
    expires_at: datetime | None
    created_at: datetime
    read: bool


class OtherPost(BaseModel):
    """What the notifications service knows of the other post (open it in the posts API)."""

    post_id: str
    title: str
    kind: Kind
    category: Category
    urgent: bool


class MatchOut(BaseModel):
    match_id: str
    post_id: str
    other_post_id: str
    score: float = Field(ge=0, le=1)
    reasons: list[MatchReason]
    found_at: datetime
    other: OtherPost | None = Field(description="null: a post from before this service's history")


class InboxPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as `before` for the next (older) page")
    unread: int


class MarkRead(Strict):
    ids: Annotated[list[Id], Field(max_length=500)] | None = Field(
        default=None, description="These items; leave out (or null) to mark every item"
    )


class MarkedRead(BaseModel):
    marked: int


class PreferencesIn(Strict):
    categories: Annotated[list[Category], Field(max_length=9)] = Field(
        default=[], description="Matches in these categories only; empty: all"
    )
    quiet_start: time | None = Field(default=None, description="Local time, e.g. 22:00")
    quiet_end: time | None = Field(default=None, description="Local time, e.g. 07:30")
    timezone: Annotated[str, Field(max_length=64, pattern=PRINTABLE)] = "Europe/Paris"
    daily_cap: Annotated[int, Field(ge=1, le=1000)] | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in TIMEZONES:
            raise ValueError("unknown time zone (use an IANA name such as Europe/Paris)")
        return value

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _naive(cls, value: time | None) -> time | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("a local time without offset (the time zone is a field)")
        return value

    @model_validator(mode="after")
    def _both_or_neither(self) -> PreferencesIn:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start and quiet_end go together")
        return self


class PreferencesOut(PreferencesIn):
    pass


# webhooks -----------------------------------------------------------------------------
class AreaIn(Strict):
    lat: Latitude
    lon: Longitude
    radius_m: Annotated[int, Field(ge=100, le=500_000, description="metres")]


class FiltersIn(Strict):
    categories: Annotated[list[Category], Field(max_length=9)] = []
    kinds: Annotated[list[Kind], Field(max_length=2)] = []
    area: AreaIn | None = None
    urgent_only: bool = False


class EndpointIn(Strict):
    url: Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$")]
    description: Annotated[str, Field(max_length=200, pattern=PRINTABLE)] = ""
    filters: FiltersIn = FiltersIn()


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    filters: FiltersIn
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Shown once: verify signatures with it (whsec_...)")


class SecretRotated(BaseModel):
    secret: str
    previous_valid_until: datetime


class DeliveryOut(BaseModel):
    seq: int = Field(description="The cursor: replay from here")
    message_id: str
    event_type: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: int | None


class ReplayIn(Strict):
    """One of the two: from a delivery (its seq), or from a point in time."""

    after: Annotated[int, Field(ge=0, le=2**62)] | None = Field(
        default=None, description="Send again every delivery whose seq is above this cursor"
    )
    since: AwareDatetime | None = Field(
        default=None, description="Send again every delivery queued at or after this time"
    )


class Replayed(BaseModel):
    requeued: int
