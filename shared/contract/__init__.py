"""The event contract: CloudEvents envelope, event models, topic catalogue."""

from shared.contract.catalogue import EVENT_TYPES, TOPICS, Topic, topic_for
from shared.contract.envelope import (
    CloudEvent,
    UnknownEventTypeError,
    decode_event,
    encode_event,
    to_cloudevent,
)
from shared.contract.events import (
    Event,
    MatchFound,
    NotificationCreated,
    PostCreated,
    PostExpired,
    PostRemoved,
    PostResolved,
    PostUpdated,
    ReplyCreated,
    UrgentAlertEscalated,
    UrgentAlertRaised,
    UrgentAlertResolved,
    UrgentRequestPlaced,
)

__all__ = [
    "EVENT_TYPES",
    "TOPICS",
    "CloudEvent",
    "Event",
    "MatchFound",
    "NotificationCreated",
    "PostCreated",
    "PostExpired",
    "PostRemoved",
    "PostResolved",
    "PostUpdated",
    "ReplyCreated",
    "Topic",
    "UnknownEventTypeError",
    "UrgentAlertEscalated",
    "UrgentAlertRaised",
    "UrgentAlertResolved",
    "UrgentRequestPlaced",
    "decode_event",
    "encode_event",
    "to_cloudevent",
    "topic_for",
]
