"""The events, as frozen models. Names are past tense; each carries its CloudEvents type.

Changes within a version are additive (a new optional field); anything else is a new
``.v2`` type on a new topic. Every public event carries a FuzzedLocation only; the one
event with an exact point for a post (UrgentRequestPlaced) travels on a restricted topic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import Field

from shared.contract.values import (
    AlertEndReason,
    Answer,
    Category,
    Frozen,
    FuzzedLocation,
    Id,
    Kind,
    MatchReason,
    OfferAnswer,
    Outcome,
    Point,
    RadiusM,
    ReplyIntent,
    SearchUpdate,
    Urgency,
)

Title = Annotated[str, Field(min_length=3, max_length=140)]
# A post's photo: the SHA-256 of its re-encoded image (the posts service serves it at
# /photos/<id>, and its thumbnail at /photos/<id>/thumb).
PhotoId = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
MAX_PHOTOS = 4
Body = Annotated[str, Field(max_length=5000)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code")]
DisplayName = Annotated[str, Field(min_length=1, max_length=60)]
TitleParams = Annotated[
    dict[Annotated[str, Field(max_length=20)], Annotated[str, Field(max_length=200)]],
    Field(max_length=5),
]


class Event(Frozen):
    """Base of all events. Subclasses name their type, source and subject field."""

    event_type: ClassVar[str]
    source: ClassVar[str]
    subject_field: ClassVar[str]

    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


class PublicPost(Frozen):
    """The public projection of a post: what the feed, the gateway and partners see."""

    post_id: Id
    author_id: Id
    kind: Kind
    category: Category
    title: Title
    body: Body
    language: Language
    location: FuzzedLocation
    radius_m: RadiusM
    urgency: Urgency
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    # Added in v1 (additive): so that a post shown live carries its author's name.
    author_name: DisplayName | None = None
    # Added in v1 (additive): its photos, as references (never the originals).
    photos: Annotated[tuple[PhotoId, ...], Field(max_length=MAX_PHOTOS)] = ()
    # Added in v1 (additive): a verified organisation's post for a person without an
    # account: that person's first name or alias.
    on_behalf_of: DisplayName | None = None


class PostCreated(Event):
    event_type = "org.entraide.post.created.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    post: PublicPost


class PostUpdated(Event):
    """The author edited the post; carries the whole new public projection."""

    event_type = "org.entraide.post.updated.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    post: PublicPost


class PostResolved(Event):
    event_type = "org.entraide.post.resolved.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    outcome: Outcome
    resolved_at: datetime
    # Added in v1 (additive): the members who replied and helped, as the author said.
    helped_by: Annotated[tuple[Id, ...], Field(max_length=10)] = ()


class PostExpired(Event):
    event_type = "org.entraide.post.expired.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    expired_at: datetime


class PostRemoved(Event):
    """Removed by a moderator, or hidden after too many reports."""

    event_type = "org.entraide.post.removed.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    reason: Annotated[str, Field(pattern=r"^(moderator|reports)$")]
    removed_at: datetime


class PostRestored(Event):
    """A moderator restored a removed post (a mistaken report, an appeal upheld): it is
    back in the feed as it was. Matching does not pair it again."""

    event_type = "org.entraide.post.restored.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    post: PublicPost
    restored_at: datetime


class PostWithdrawn(Event):
    """Its author took it down (not a moderator's removal, not resolved)."""

    event_type = "org.entraide.post.withdrawn.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    withdrawn_at: datetime


class UrgentRequestPlaced(Event):
    """The exact point of an urgent request, for the matching service only.

    Restricted topic: never consumed by the gateway or partner webhooks (see ADR 0002).
    """

    event_type = "org.entraide.urgent-request.placed.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    post_id: Id
    author_id: Id
    category: Category
    point: Point
    expires_at: datetime
    placed_at: datetime


class ReplyCreated(Event):
    event_type = "org.entraide.reply.created.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    reply_id: Id
    post_id: Id
    post_author_id: Id
    author_id: Id
    intent: ReplyIntent
    body: Annotated[str, Field(min_length=1, max_length=2000)]
    created_at: datetime
    # Added in v1 (additive): so that a reply shown live carries its author's name.
    author_name: DisplayName | None = None


class ReplyAnswered(Event):
    """A verified organisation that posted for a person recorded that person's answer to
    an offer (a reply that can help): accepted or declined, on the person's word."""

    event_type = "org.entraide.reply.answered.v1"
    source = "/entraide/posts"
    subject_field = "post_id"

    reply_id: Id
    post_id: Id
    answer: OfferAnswer
    answered_at: datetime


class MatchFound(Event):
    event_type = "org.entraide.match.found.v1"
    source = "/entraide/matching"
    subject_field = "request_id"

    match_id: Id
    request_id: Id
    offer_id: Id
    request_author_id: Id
    offer_author_id: Id
    score: Annotated[float, Field(ge=0.0, le=1.0)]
    reasons: Annotated[tuple[MatchReason, ...], Field(max_length=5)]
    found_at: datetime


class UrgentAlertRaised(Event):
    """Ask people near the point for help now. Carries the exact point: internal topic."""

    event_type = "org.entraide.urgent-alert.raised.v1"
    source = "/entraide/matching"
    subject_field = "post_id"

    alert_id: Id
    post_id: Id
    author_id: Id
    category: Category
    point: Point
    radius_m: RadiusM
    ring: Annotated[int, Field(ge=0, le=10)]
    expires_at: datetime
    raised_at: datetime


class UrgentAlertEscalated(Event):
    """Nobody answered in time: the alert widens to the next ring."""

    event_type = "org.entraide.urgent-alert.escalated.v1"
    source = "/entraide/matching"
    subject_field = "post_id"

    alert_id: Id
    post_id: Id
    point: Point
    radius_m: RadiusM
    ring: Annotated[int, Field(ge=1, le=10)]
    escalated_at: datetime


class UrgentAlertResolved(Event):
    event_type = "org.entraide.urgent-alert.resolved.v1"
    source = "/entraide/matching"
    subject_field = "post_id"

    alert_id: Id
    post_id: Id
    reason: AlertEndReason
    resolved_at: datetime


# An urgent alert's search room (alert-rooms.v1, restricted): who a ring reached, who
# answered, who the requester released, and what was said in the room. The gateway builds
# each room from these and from alerts.v1, lets in only the requester and the helpers
# who are coming, and forgets the room when the alert ends (ADR 0002).
RoomText = Annotated[str, Field(min_length=1, max_length=500)]
REACHED_PER_EVENT = 5_000  # member ids per AlertReached: well under Kafka's 1 MB


class AlertReached(Event):
    """The members one ring of an alert reached: they, and only they, may answer it."""

    event_type = "org.entraide.alert.reached.v1"
    source = "/entraide/notifications"
    subject_field = "post_id"

    alert_id: Id
    post_id: Id
    ring: Annotated[int, Field(ge=0, le=10)]
    member_ids: Annotated[tuple[Id, ...], Field(max_length=REACHED_PER_EVENT)]
    reached_at: datetime


class HelperAnswered(Event):
    """A reached member answered: coming (they enter the search room) or not."""

    event_type = "org.entraide.alert.helper-answered.v1"
    source = "/entraide/gateway"
    subject_field = "post_id"

    alert_id: Id
    post_id: Id
    member_id: Id
    name: DisplayName
    answer: Answer
    answered_at: datetime


class HelperReleased(Event):
    """The requester released a helper: they leave the room and cannot come back."""

    event_type = "org.entraide.alert.helper-released.v1"
    source = "/entraide/gateway"
    subject_field = "post_id"

    alert_id: Id
    post_id: Id
    member_id: Id
    released_at: datetime


class SearchUpdated(Event):
    """Something said in the search room (``update`` says what, and who may say it)."""

    event_type = "org.entraide.alert.search-updated.v1"
    source = "/entraide/gateway"
    subject_field = "post_id"

    alert_id: Id
    post_id: Id
    member_id: Id
    name: DisplayName
    update: SearchUpdate
    point: Point | None = None  # last_seen, position
    text: RoomText | None = None  # description, message
    sector: Annotated[int, Field(ge=0, le=15)] | None = None  # searched
    updated_at: datetime


# Private conversations (conversations.v1, restricted): a post's author and one member
# who contacted them. Each event names both members, so the gateway routes it to their
# personal channel without state, and nobody else ever gets it.
MessageText = Annotated[str, Field(min_length=1, max_length=2000)]
Pair = Annotated[tuple[Id, Id], Field(description="The post's author, then the other")]


class ConversationStarted(Event):
    """A member contacted a post's author about it (one conversation per pair and post)."""

    event_type = "org.entraide.conversation.started.v1"
    source = "/entraide/posts"
    subject_field = "conversation_id"

    conversation_id: Id
    post_id: Id
    post_title: Title
    members: Pair
    names: Annotated[tuple[DisplayName, DisplayName], Field(description="As ``members``")]
    started_at: datetime


class MessageSent(Event):
    """One message of a conversation, plain text, to the other member."""

    event_type = "org.entraide.conversation.message-sent.v1"
    source = "/entraide/posts"
    subject_field = "conversation_id"

    message_id: Id
    conversation_id: Id
    post_id: Id
    members: Pair
    sender_id: Id
    sender_name: DisplayName
    body: MessageText
    # The first message that arranges a meeting: both clients show a safety note.
    meeting: bool = False
    sent_at: datetime


class ConversationRead(Event):
    """A member read the conversation up to a message (the other sees "seen")."""

    event_type = "org.entraide.conversation.read.v1"
    source = "/entraide/posts"
    subject_field = "conversation_id"

    conversation_id: Id
    members: Pair
    member_id: Id
    up_to_message_id: Id
    read_at: datetime


class MemberProfileChanged(Event):
    """What other services need of a member's profile to decide who to alert.

    Restricted topic (a home point and personal choices); compacted, so the latest
    profile of every member stays on it and a new consumer can rebuild from the start.
    """

    event_type = "org.entraide.member.profile-changed.v1"
    source = "/entraide/posts"
    subject_field = "member_id"

    member_id: Id
    languages: Annotated[tuple[Language, ...], Field(max_length=10)] = ()
    interests: Annotated[tuple[Category, ...], Field(max_length=20)] = ()
    home: Point | None = None
    alert_radius_m: RadiusM = 1_000
    urgent_alerts_consent: bool = False
    changed_at: datetime


class MemberLocated(Event):
    """The member's device reported where it is (the gateway's ``location`` frame).

    Restricted topic: an exact point of a person. Only the notifications service reads
    it, to find the members near an urgent alert.
    """

    event_type = "org.entraide.member.located.v1"
    source = "/entraide/gateway"
    subject_field = "member_id"

    member_id: Id
    point: Point
    located_at: datetime


class MemberSuspended(Event):
    """A moderator suspended the member: every token of theirs stops working at once,
    and every socket of theirs closes (4003)."""

    event_type = "org.entraide.member.suspended.v1"
    source = "/entraide/posts"
    subject_field = "member_id"

    member_id: Id
    suspended_at: datetime


class MemberReinstated(Event):
    """A moderator lifted the suspension (an appeal upheld, a mistake)."""

    event_type = "org.entraide.member.reinstated.v1"
    source = "/entraide/posts"
    subject_field = "member_id"

    member_id: Id
    reinstated_at: datetime


class NotificationCreated(Event):
    """One stored inbox item for one member, for the gateway to push."""

    event_type = "org.entraide.notification.created.v1"
    source = "/entraide/notifications"
    subject_field = "member_id"

    notification_id: Id
    member_id: Id
    reason: Annotated[
        str,
        Field(
            pattern=r"^(reply|match|urgent_alert|urgent_alert_resolved|report_outcome|digest"
            r"|message)$"
        ),
    ]
    post_id: Id | None = None
    cause_event_id: Id
    title: Title
    # Added in v1 (additive): the title as a code and its parameters, for a client to
    # say it in the member's language; ``title`` stays, in English, for API users.
    title_code: Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")] | None = None
    title_params: TitleParams = {}
    urgent: bool = False
    # For an urgent alert: how far the member was from the point, and when it ends.
    distance_m: Annotated[int, Field(ge=0)] | None = None
    expires_at: datetime | None = None
    created_at: datetime
