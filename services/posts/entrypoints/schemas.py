"""Request and response models of the HTTP API: a length limit on every string and list."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from services.posts.domain.organisations import OrganisationKind, OrganisationStatus
from services.posts.domain.posts import PostDraft, PostStatus
from shared.contract.identity import Role
from shared.contract.values import (
    Category,
    Id,
    Kind,
    Latitude,
    Longitude,
    OfferAnswer,
    Outcome,
    Point,
    ReplyIntent,
    Urgency,
)
from shared.runtime.schemas import PRINTABLE_TEXT as PRINTABLE
from shared.runtime.schemas import VISIBLE_LINE, Strict

_EMAIL_PART = r"[^@\s\x00-\x1f\x7f]"
Email = Annotated[
    str,
    Field(
        max_length=254,
        pattern=rf"^{_EMAIL_PART}{{1,64}}@{_EMAIL_PART}+\.{_EMAIL_PART}+$",
        examples=["lea@example.org"],
    ),
]
Password = Annotated[str, Field(min_length=10, max_length=128)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$", examples=["fr"])]


# A name and a title are one line: no line break, no tab.
def _one_spelling(name: str) -> str:
    """A name in one Unicode form (NFC), without the spaces around it: two names that look
    alike are then alike, and none is only spaces."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise PydanticCustomError("missing", "a name is needed")
    return name


DisplayName = Annotated[
    str,
    Field(min_length=1, max_length=60, pattern=VISIBLE_LINE),
    AfterValidator(_one_spelling),
]
Title = Annotated[str, Field(min_length=3, max_length=140, pattern=VISIBLE_LINE)]
Body = Annotated[str, Field(max_length=5000, pattern=PRINTABLE)]
ShortText = Annotated[str, Field(min_length=1, max_length=2000, pattern=PRINTABLE)]
Bio = Annotated[str, Field(max_length=500, pattern=PRINTABLE)]
AlertRadius = Annotated[int, Field(ge=100, le=20_000, description="metres")]
PostRadius = Annotated[int, Field(ge=50, le=200_000, description="metres")]


class Patch(Strict):
    """A partial update: absent means unchanged; null is allowed only where listed."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_where_a_value_is_required(self) -> Patch:
        for name in self.model_fields_set - self.nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class PointIn(Strict):
    lat: Latitude
    lon: Longitude

    def point(self) -> Point:
        return Point(lat=self.lat, lon=self.lon)


class ProfileFields(Strict):
    languages: Annotated[list[Language], Field(max_length=5)] = []
    interests: Annotated[list[Category], Field(max_length=9)] = []
    home: PointIn | None = None
    alert_radius_m: AlertRadius = 1_000
    urgent_alerts_consent: bool = False


class RegisterRequest(ProfileFields):
    email: Email
    password: Password
    display_name: DisplayName


class ProfileUpdate(Patch):
    nullable = frozenset({"home"})

    display_name: DisplayName | None = None
    languages: Annotated[list[Language], Field(max_length=5)] | None = None
    interests: Annotated[list[Category], Field(max_length=9)] | None = None
    home: PointIn | None = None
    alert_radius_m: AlertRadius | None = None
    urgent_alerts_consent: bool | None = None
    bio: Bio | None = None


class LoginRequest(Strict):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=128)]


class AccountPrivate(BaseModel):
    """The member's own account: only ever returned to that member."""

    id: str
    email: str
    role: Role
    display_name: str
    languages: list[str]
    interests: list[Category]
    home: PointIn | None
    alert_radius_m: int
    urgent_alerts_consent: bool
    bio: str = ""
    email_verified: bool = False


class OrganisationPublic(BaseModel):
    name: str
    kind: OrganisationKind


class PublicProfile(BaseModel):
    """What anyone may see of a member: never an e-mail, a place or a setting."""

    id: str
    display_name: str
    member_since: str = Field(description="the day the account was made (ISO 8601)")
    languages: list[str]
    bio: str
    requests_resolved: int = Field(description="their requests that ended resolved")
    offers_resolved: int = Field(description="their offers that ended resolved")
    helped: int = Field(description="resolutions that named them as having helped")
    suspended: bool = Field(False, description="suspended by a moderator")
    organisation: OrganisationPublic | None = Field(None, description="if verified")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    account: AccountPrivate


class OnBehalf(Strict):
    """A person without an account, for whom a verified organisation posts."""

    alias: DisplayName = Field(description="their first name or an alias, nothing more")
    consent: Literal[True] = Field(description="the person agreed to this post")


class PostCreate(Strict):
    kind: Kind
    category: Category
    title: Title
    body: Body = ""
    language: Language
    location: PointIn
    radius_m: PostRadius = 2_000
    urgency: Urgency = Urgency.NORMAL
    expires_at: datetime | None = Field(
        default=None, description="default: 6 hours for urgent posts, 4 weeks otherwise"
    )
    on_behalf_of: OnBehalf | None = Field(
        default=None, description="verified organisations only: for a person without an account"
    )

    def draft(self) -> PostDraft:
        """The author's draft: the same fields, the location as the exact point."""
        fields = dict(self)
        location = fields.pop("location")
        behalf = fields.pop("on_behalf_of")
        return PostDraft(**fields, point=location.point(),
                         on_behalf_of=behalf.alias if behalf else None)  # fmt: skip


class PostUpdate(Patch):
    category: Category | None = None
    title: Title | None = None
    body: Body | None = None
    language: Language | None = None
    location: PointIn | None = None
    radius_m: PostRadius | None = None
    expires_at: datetime | None = None


class ResolveRequest(Strict):
    outcome: Outcome
    helped_by: Annotated[list[Id], Field(max_length=10)] = Field(
        default=[], description="With `helped`: who helped, among the members who replied"
    )


class LinkToken(Strict):
    token: Annotated[str, Field(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


class ResetRequest(Strict):
    email: Email


class PasswordReset(LinkToken):
    new_password: Password


class PasswordChange(Strict):
    current_password: Annotated[str, Field(min_length=1, max_length=128)]
    new_password: Password


class ReportRequest(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]


class ReplyCreate(Strict):
    body: ShortText
    intent: ReplyIntent = ReplyIntent.COMMENT


class AuthorPublic(BaseModel):
    id: str
    display_name: str
    verified: bool = Field(False, description="a verified organisation")


class LocationPublic(BaseModel):
    lat: float
    lon: float
    precision_m: int


class PostPublic(BaseModel):
    id: str
    author: AuthorPublic
    kind: Kind
    category: Category
    title: str
    body: str
    language: str
    location: LocationPublic = Field(description="centre of the ~1 km cell, never the point")
    radius_m: int
    urgency: Urgency
    status: PostStatus
    outcome: Outcome | None
    helped_by: list[str] = Field(default=[], description="Who helped, as its author said")
    photos: list[str] = Field(
        default=[], description="photo ids: /photos/<id> and /photos/<id>/thumb"
    )
    on_behalf_of: str | None = Field(
        default=None, description="a verified organisation's post for this person"
    )
    reply_count: int
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    distance_m: int | None = Field(default=None, description="to the cell centre")
    exact_location: PointIn | None = Field(default=None, description="for the author only")


class PlaceOut(BaseModel):
    name: str
    region: str = Field(description="A French region, else the country's name")
    country: str = Field(description="ISO 3166-1 alpha-2")
    lat: float
    lon: float


class FeedPage(BaseModel):
    items: list[PostPublic]
    next_cursor: str | None


class ReplyPublic(BaseModel):
    id: str
    author: AuthorPublic
    intent: ReplyIntent
    body: str
    created_at: datetime
    answer: OfferAnswer | None = Field(
        default=None,
        description="On a post made for a person: that person's answer to this offer",
    )


class OfferAnswerRequest(Strict):
    answer: OfferAnswer


class ThreadPage(BaseModel):
    items: list[ReplyPublic]
    next_cursor: str | None


# conversations -------------------------------------------------------------------------
class MessageCreate(Strict):
    body: ShortText


class ReadRequest(Strict):
    up_to: Annotated[str | None, Field(max_length=64, pattern=r"^[0-9A-Z]{26}$")] = None


class ConversationReport(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]
    message_id: Annotated[str | None, Field(max_length=64, pattern=r"^[0-9A-Z]{26}$")] = None


class PostRef(BaseModel):
    id: str
    title: str


class LastMessage(BaseModel):
    id: str
    sender_id: str
    body: str
    sent_at: datetime


class ConversationPublic(BaseModel):
    """One conversation as one of its two members sees it."""

    id: str
    post: PostRef
    other: AuthorPublic
    started_at: datetime
    last_message_at: datetime
    last_message: LastMessage | None
    unread: int
    seen_up_to: str | None = Field(description="The last message the other member read")
    meeting_noted: bool = Field(description="A message arranged a meeting: show the note")
    can_write: bool = Field(description="False once either of them blocked the other")
    blocked_by_me: bool


class ConversationPage(BaseModel):
    items: list[ConversationPublic]
    next_cursor: str | None
    unread: int = Field(description="Unread messages in all of the member's conversations")


class MessagePublic(BaseModel):
    id: str
    conversation_id: str
    sender: AuthorPublic
    body: str
    sent_at: datetime


class MessagePage(BaseModel):
    items: list[MessagePublic] = Field(description="Oldest first")
    next_cursor: str | None = Field(description="Older messages")


# organisations -------------------------------------------------------------------------
class OrganisationApply(Strict):
    name: Annotated[str, Field(min_length=2, max_length=120, pattern=VISIBLE_LINE)]
    kind: OrganisationKind
    registration_number: Annotated[
        str, Field(min_length=5, max_length=30, pattern=r"^[0-9A-Za-z ]+$",
                   description="SIRET, RNA or the equivalent")
    ]  # fmt: skip
    website: Annotated[str, Field(max_length=300, pattern=r"^https?://[^\s]+$")]
    contact: Annotated[str, Field(min_length=3, max_length=200, pattern=VISIBLE_LINE)]


class OrganisationPrivate(BaseModel):
    account_id: str
    name: str
    kind: OrganisationKind
    registration_number: str
    website: str
    contact: str
    status: OrganisationStatus
    applied_at: datetime | None
    decided_at: datetime | None
