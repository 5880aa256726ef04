"""The topic catalogue: every Kafka topic, its key, size, retention and who uses it.

This is the single source of truth: ``entraide infra up`` creates these topics and
``entraide schema`` generates the AsyncAPI document and JSON Schemas from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contract import events as E

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    description: str
    partitions: int
    retention_ms: int
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    events: tuple[type[E.Event], ...] = ()
    # A restricted topic carries exact points or personal data: no public consumer.
    restricted: bool = False
    # Compacted: Kafka keeps the latest event per key for ever (retention_ms is moot).
    compacted: bool = False

    @property
    def config(self) -> dict[str, str]:
        if self.compacted:
            return {"cleanup.policy": "compact"}
        return {"retention.ms": str(self.retention_ms)}


POSTS = Topic(
    name="posts.v1",
    key="post_id",
    description="The life of each post, in order per post. Public projection only.",
    partitions=12,
    retention_ms=35 * DAY_MS,
    producers=("posts",),
    consumers=("matching", "notifications", "gateway"),
    events=(
        E.PostCreated,
        E.PostUpdated,
        E.PostResolved,
        E.PostExpired,
        E.PostRemoved,
        E.PostWithdrawn,
        E.PostRestored,
    ),
)
URGENT_REQUESTS = Topic(
    name="urgent-requests.v1",
    key="post_id",
    description="The exact point of each urgent request, for matching to raise alerts.",
    # 12, like posts.v1: matching's alert agent reads the two together (and its ticks),
    # keyed by post id, so they must be co-partitioned.
    partitions=12,
    retention_ms=2 * DAY_MS,
    producers=("posts",),
    consumers=("matching",),
    events=(E.UrgentRequestPlaced,),
    restricted=True,
)
REPLIES = Topic(
    name="replies.v1",
    key="post_id",
    description="Replies, keyed by their post so a thread stays in order.",
    partitions=12,
    retention_ms=35 * DAY_MS,
    producers=("posts",),
    consumers=("notifications", "gateway"),
    events=(E.ReplyCreated, E.ReplyAnswered),
)
MATCHES = Topic(
    name="matches.v1",
    key="request_id",
    description="A request paired with an offer, with the score and the reasons.",
    partitions=6,
    retention_ms=7 * DAY_MS,
    producers=("matching",),
    consumers=("notifications",),
    events=(E.MatchFound,),
)
ALERTS = Topic(
    name="alerts.v1",
    key="post_id",
    description="Urgent alerts: raised, widened by rings, resolved. Carries the exact point.",
    partitions=6,
    retention_ms=2 * DAY_MS,
    producers=("matching",),
    # The gateway reads it for the search rooms only (the author and the exact point,
    # and the end that closes the room): never for a public channel (ADR 0002).
    consumers=("notifications", "gateway"),
    events=(E.UrgentAlertRaised, E.UrgentAlertEscalated, E.UrgentAlertResolved),
    restricted=True,
)
ALERT_ROOMS = Topic(
    name="alert-rooms.v1",
    key="post_id",
    description="Urgent alerts' search rooms: who was reached, who answered, who was "
    "released, and what was said in the room (exact points of people).",
    # 12, like posts.v1: matching reads the answers with its other alert inputs.
    partitions=12,
    # Short on purpose: the exact points in it are gone from Kafka two days after the
    # alert (and from the gateway's memory the moment it ends).
    retention_ms=2 * DAY_MS,
    producers=("notifications", "gateway"),
    consumers=("matching", "gateway"),
    events=(E.AlertReached, E.HelperAnswered, E.HelperReleased, E.SearchUpdated),
    restricted=True,
)
NOTIFICATIONS = Topic(
    name="notifications.v1",
    key="member_id",
    description="One item per member and cause, keyed by member for the gateway.",
    partitions=12,
    retention_ms=7 * DAY_MS,
    producers=("notifications",),
    consumers=("gateway",),
    events=(E.NotificationCreated,),
    restricted=True,
)
CONVERSATIONS = Topic(
    name="conversations.v1",
    key="conversation_id",
    description="Private conversations between a post's author and another member: "
    "started, each message, read receipts. Every event names its two members.",
    partitions=12,
    # PostgreSQL keeps the conversations; Kafka only carries them to the sockets and the
    # inbox, and the gateways' resume window: a week is plenty.
    retention_ms=7 * DAY_MS,
    producers=("posts",),
    consumers=("notifications", "gateway"),
    events=(E.ConversationStarted, E.MessageSent, E.ConversationRead),
    restricted=True,
)

MEMBERS = Topic(
    name="members.v1",
    key="member_id",
    description="The latest alert-related profile of each member (consent, interests, home).",
    partitions=12,
    retention_ms=-1,
    producers=("posts",),
    consumers=("notifications",),
    events=(E.MemberProfileChanged,),
    restricted=True,
    compacted=True,
)
MEMBER_STATUS = Topic(
    name="member-status.v1",
    key="member_id",
    description="Suspensions and their end: the gateways close a suspended member's sockets.",
    partitions=3,
    retention_ms=-1,
    producers=("posts",),
    consumers=("gateway",),
    events=(E.MemberSuspended, E.MemberReinstated),
    restricted=True,
    # The latest state of every member who was ever suspended, for a gateway to read
    # whole at start.
    compacted=True,
)
MEMBER_LOCATIONS = Topic(
    name="member-locations.v1",
    key="member_id",
    description="Members' last known points, sent by their devices through the gateway.",
    partitions=12,
    retention_ms=1 * DAY_MS,
    producers=("gateway",),
    consumers=("notifications",),
    events=(E.MemberLocated,),
    restricted=True,
)


def dead_letter_topic(service: str) -> Topic:
    """Each consuming service has its own dead-letter topic: a message poison to one
    service may be fine for another, so they must not share one."""
    return Topic(
        name=f"{service}.dlq.v1",
        key="the original key",
        description=(
            f"Messages {service} could not decode or handle: original bytes as the value, "
            "the error and the origin (topic, partition, offset) in headers."
        ),
        partitions=1,
        retention_ms=30 * DAY_MS,
        producers=(service,),
        consumers=(),
        restricted=True,
    )


EVENT_TOPICS: tuple[Topic, ...] = (
    POSTS,
    URGENT_REQUESTS,
    REPLIES,
    MATCHES,
    ALERTS,
    ALERT_ROOMS,
    NOTIFICATIONS,
    CONVERSATIONS,
    MEMBERS,
    MEMBER_STATUS,
    MEMBER_LOCATIONS,
)
CONSUMING_SERVICES: tuple[str, ...] = ("matching", "notifications", "gateway")
TOPICS: tuple[Topic, ...] = EVENT_TOPICS + tuple(dead_letter_topic(s) for s in CONSUMING_SERVICES)

EVENT_TYPES: dict[str, type[E.Event]] = {
    event.event_type: event for topic in EVENT_TOPICS for event in topic.events
}


def topic_for(event: E.Event | type[E.Event]) -> Topic:
    event_class = event if isinstance(event, type) else type(event)
    for topic in EVENT_TOPICS:
        if event_class in topic.events:
            return topic
    raise KeyError(f"{event_class.__name__} is on no topic of the catalogue")
