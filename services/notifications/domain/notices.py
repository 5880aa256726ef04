"""Who must know about an event, and what to tell them. Pure: no I/O.

Each function takes an event and the facts the handler looked up (the post's author
and title, the thread's followers, the members near a point) and returns the
notices to store, one per member.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ulid import ULID

from shared.contract.events import (
    MatchFound,
    MessageSent,
    NotificationCreated,
    PostRemoved,
    PublicPost,
    ReplyCreated,
    UrgentAlertResolved,
)
from shared.contract.geo import haversine_m
from shared.contract.values import Category, FuzzedLocation, Kind, Point, ReplyIntent, Urgency

TITLE_MAX_CHARS = 140
# How far an urgent request is, as a member outside its search room may learn it:
# measured from the post's public ~1 km cell (never from the exact point) and rounded
# to a bucket. So however many accounts compare their numbers, they learn nothing
# finer than the public cell (ADR 0002). Upper bounds in metres, and what is said:
# under 500 m, about 1 km, about 3 km; beyond, to the nearest 5 km.
DISTANCE_BUCKETS_M: tuple[tuple[float, int], ...] = ((500.0, 500), (2_000.0, 1_000),
                                                     (4_000.0, 3_000))  # fmt: skip
FAR_BUCKET_M = 5_000


class Reason(StrEnum):
    REPLY = "reply"
    MATCH = "match"
    URGENT_ALERT = "urgent_alert"
    URGENT_ALERT_RESOLVED = "urgent_alert_resolved"
    REPORT_OUTCOME = "report_outcome"
    DIGEST = "digest"
    MESSAGE = "message"


class NoticeCode(StrEnum):
    """A notification's title as a code (its parameters: ``title``, ``n``), which the web
    client says in the member's language (``notice_<code>`` in its catalogues; a unit
    test checks that each is there)."""

    REPLY = "reply"
    CAN_HELP = "can_help"
    THREAD_REPLY = "thread_reply"
    MATCH_OFFER = "match_offer"
    MATCH_REQUEST = "match_request"
    REMOVED_REPORTS = "removed_reports"
    REMOVED_MODERATOR = "removed_moderator"
    URGENT_ALERT = "urgent_alert"
    URGENT_ALERT_ENDED = "urgent_alert_ended"
    DIGEST = "digest"
    MESSAGE = "message"


@dataclass(frozen=True)
class KnownPost:
    """What notifications remembers of a post from posts.v1 (public projection)."""

    post_id: str
    author_id: str
    title: str
    category: Category
    kind: Kind
    urgent: bool
    lat: float
    lon: float

    @classmethod
    def of(cls, post: PublicPost) -> KnownPost:
        urgent = post.urgency is Urgency.URGENT
        return cls(post.post_id, post.author_id, post.title, post.category, post.kind,
                   urgent, post.location.lat, post.location.lon)  # fmt: skip


@dataclass(frozen=True)
class AlertFacts:
    """What notifications remembers of an urgent alert from its UrgentAlertRaised."""

    post_id: str
    author_id: str
    category: Category
    expires_at: datetime


# Notices, their rows and nearby members are made a thousand at a time for an urgent
# alert: plain slotted classes build in 40 % of a frozen dataclass's time (whose
# __init__ goes through object.__setattr__ for each field). Nothing changes them after.
@dataclass(slots=True)
class Notice:
    member_id: str
    reason: Reason
    title: str
    post_id: str | None
    urgent: bool = False
    category: Category | None = None
    distance_m: int | None = None
    expires_at: datetime | None = None
    # The title as a code and its parameters, for a client to say it in the member's
    # language (``notice_<code>`` in the web client's catalogues).
    code: NoticeCode | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)  # not frozen: see Notice
class Stored:
    """A notification as stored: the inbox item, and what the gateway is sent."""

    id: str
    member_id: str
    cause_event_id: str
    reason: Reason
    post_id: str | None
    title: str
    urgent: bool
    distance_m: int | None
    expires_at: datetime | None
    held: bool
    created_at: datetime
    read_at: datetime | None
    title_code: str | None = None
    title_params: dict[str, str] = field(default_factory=dict)

    def event(self) -> NotificationCreated:
        return NotificationCreated(
            notification_id=self.id,
            member_id=self.member_id,
            reason=self.reason.value,
            post_id=self.post_id,
            cause_event_id=self.cause_event_id,
            title=self.title,
            title_code=self.title_code,
            title_params=self.title_params,
            urgent=self.urgent,
            distance_m=self.distance_m,
            expires_at=self.expires_at,
            created_at=self.created_at,
        )


@dataclass(slots=True)
class NearbyMember:
    """A member the alert reaches, and where the directory has them (never sent)."""

    member_id: str
    lat: float
    lon: float


def coarse_distance_m(point: Point, member: NearbyMember) -> int:
    """The bucket of the distance from the public cell of ``point`` to the member."""
    public = FuzzedLocation.of(point)
    distance = haversine_m(public.lat, public.lon, member.lat, member.lon)
    for upper_m, bucket_m in DISTANCE_BUCKETS_M:
        if distance < upper_m:
            return bucket_m
    return max(FAR_BUCKET_M, round(distance / FAR_BUCKET_M) * FAR_BUCKET_M)


# A ULID's last 16 characters are its 80 random bits in Crockford's base32, 5 bits a
# character: each 10-bit group is two characters, looked up at once.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHARACTER_PAIRS = [first + second for first in _CROCKFORD for second in _CROCKFORD]
_PAIR_SHIFTS = (70, 60, 50, 40, 30, 20, 10, 0)  # 80 bits, high group first
ULID_TIME_CHARS = 10
ULID_RANDOM_BYTES = 10


@dataclass(frozen=True)
class Cause:
    """The event a notification answers (its id is a ULID, as every event id)."""

    event_id: str
    _time_text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The cause's 48-bit millisecond timestamp, as a ULID's first 10 characters,
        # computed once for all its recipients.
        time_part = ULID.from_str(self.event_id).bytes[:6]
        text = str(ULID.from_bytes(time_part + bytes(ULID_RANDOM_BYTES)))
        object.__setattr__(self, "_time_text", text[:ULID_TIME_CHARS])

    def notification_id(self, member_id: str) -> str:
        """Fixed by the cause and the member, and in time order with the cause: a
        re-delivered (or re-sent) cause gives the same ids, so the inbox and the gateway
        recognise what they already have. (shared.contract.envelope.fixed_event_id, with
        the cause's timestamp reused.) An alert makes a thousand of these at once, so
        the random part is encoded here, 2.4 µs, where python-ulid takes 8 µs and
        base64.b32encode (pure Python before 3.13) 4.1 µs."""
        digest = hashlib.sha256(f"{self.event_id}/{member_id}".encode()).digest()
        bits = int.from_bytes(digest[:ULID_RANDOM_BYTES], "big")
        pairs = _CHARACTER_PAIRS
        return self._time_text + "".join([pairs[(bits >> shift) & 0x3FF] for shift in _PAIR_SHIFTS])


def _title(text: str) -> str:
    if len(text) <= TITLE_MAX_CHARS:
        return text
    return text[: TITLE_MAX_CHARS - 1] + "…"


def _about(post: KnownPost | None, fallback: str) -> str:
    return post.title if post else fallback


def _params(post: KnownPost | None) -> dict[str, str]:
    """The title when the post is known; without it, clients say "a post" in the member's
    language (the English fallbacks above are for the English title only)."""
    return {"title": post.title} if post else {}


def for_reply(
    reply: ReplyCreated, post: KnownPost | None, followers: Iterable[str]
) -> list[Notice]:
    """The post's author and everyone following the thread, never the replier."""
    about = _about(post, "your post")
    category = post.category if post else None
    params = _params(post)
    if reply.intent is ReplyIntent.CAN_HELP:
        author_title, author_code = f"Someone can help: {about}", NoticeCode.CAN_HELP
    else:
        author_title, author_code = f"New reply to {about}", NoticeCode.REPLY
    notices = []
    if reply.post_author_id != reply.author_id:
        notices.append(
            Notice(reply.post_author_id, Reason.REPLY, _title(author_title), reply.post_id,
                   category=category, code=author_code, params=params)
        )  # fmt: skip
    told = {reply.post_author_id, reply.author_id}
    for member_id in followers:
        if member_id in told:
            continue
        told.add(member_id)
        notices.append(
            Notice(member_id, Reason.REPLY, _title(f"New reply in a thread you follow: {about}"),
                   reply.post_id, category=category, code=NoticeCode.THREAD_REPLY, params=params)
        )  # fmt: skip
    return notices


def for_match(
    match: MatchFound, request: KnownPost | None, offer: KnownPost | None
) -> list[Notice]:
    """Both sides, each told about the other side's post, which the notice opens."""
    if match.request_author_id == match.offer_author_id:
        return []  # someone's own request and offer: nothing to learn
    category = (request or offer).category if (request or offer) else None
    offer_title, request_title = _about(offer, "an offer"), _about(request, "a request")
    return [
        Notice(match.request_author_id, Reason.MATCH,
               _title(f"An offer matches your request: {offer_title}"),
               match.offer_id, category=category, code=NoticeCode.MATCH_OFFER,
               params=_params(offer)),
        Notice(match.offer_author_id, Reason.MATCH,
               _title(f"A request matches your offer: {request_title}"),
               match.request_id, category=category, code=NoticeCode.MATCH_REQUEST,
               params=_params(request)),
    ]  # fmt: skip


def for_message(sent: MessageSent, post_title: str | None) -> Notice:
    """The other member of the conversation: who wrote, about which post; never the text
    (a notification may travel by e-mail or push, and be read over a shoulder).
    ``conversation`` in the parameters is what the client opens."""
    recipient = next(member for member in sent.members if member != sent.sender_id)
    about = post_title or "your conversation"
    params = {"name": sent.sender_name, "conversation": sent.conversation_id}
    if post_title:
        params["title"] = post_title
    return Notice(recipient, Reason.MESSAGE, _title(f"{sent.sender_name} wrote about {about}"),
                  sent.post_id, code=NoticeCode.MESSAGE, params=params)  # fmt: skip


def for_removal(removed: PostRemoved, post: KnownPost | None) -> list[Notice]:
    """The author learns the outcome of the reports (or of the moderator's decision)."""
    if post is None:
        return []  # never saw the post: no author to tell
    why = "after reports from members" if removed.reason == "reports" else "by a moderator"
    return [
        Notice(post.author_id, Reason.REPORT_OUTCOME,
               _title(f"Your post was removed {why}: {post.title}"), post.post_id,
               category=post.category, code=NoticeCode(f"removed_{removed.reason}"),
               params=_params(post))
    ]  # fmt: skip


def for_alert(
    alert: AlertFacts,
    post: KnownPost | None,
    point: Point,
    nearby: Iterable[NearbyMember],
    already_alerted: set[str],
) -> list[Notice]:
    """Members near the point, except the author and those an earlier ring reached; each
    told how far in a coarse bucket from the public cell (``coarse_distance_m``)."""
    about = _about(post, f"someone needs help ({alert.category.value})")
    title = _title(f"Urgent, near you: {about}")
    params = _params(post)
    return [
        Notice(near.member_id, Reason.URGENT_ALERT, title, alert.post_id, urgent=True,
               category=alert.category, distance_m=coarse_distance_m(point, near),
               expires_at=alert.expires_at, code=NoticeCode.URGENT_ALERT, params=params)
        for near in nearby
        if near.member_id != alert.author_id and near.member_id not in already_alerted
    ]  # fmt: skip


def for_alert_end(
    ended: UrgentAlertResolved, post: KnownPost | None, reached: Iterable[str]
) -> list[Notice]:
    """Everyone the alert reached learns it is over, so nobody goes looking in vain."""
    about = _about(post, "the urgent request near you")
    title = _title(f"No longer needed ({ended.reason.value}): {about}")
    params = _params(post)
    return [
        Notice(member_id, Reason.URGENT_ALERT_RESOLVED, title, ended.post_id, urgent=True,
               code=NoticeCode.URGENT_ALERT_ENDED, params=params)
        for member_id in reached
    ]  # fmt: skip
