"""CloudEvents 1.0 structured JSON envelope, carried as the Kafka message value."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import Field, ValidationError
from ulid import ULID

from shared.contract.catalogue import EVENT_TYPES
from shared.contract.events import Event
from shared.contract.values import Frozen

TRACEPARENT_PATTERN = r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


class CloudEvent(Frozen):
    """The envelope. ``id`` is a ULID: unique, and sortable by creation time."""

    specversion: Literal["1.0"] = "1.0"
    id: Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
    source: Annotated[str, Field(min_length=1, max_length=200)]
    type: Annotated[str, Field(min_length=1, max_length=200)]
    time: datetime
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    datacontenttype: Literal["application/json"] = "application/json"
    # The CloudEvents distributed-tracing extension attribute (W3C trace context).
    traceparent: Annotated[str | None, Field(pattern=TRACEPARENT_PATTERN)] = None
    data: dict[str, Any]


class DecodedEvent(NamedTuple):
    envelope: CloudEvent
    event: Event


class UndecodableEventError(ValueError):
    """The bytes are not a valid envelope holding a known, valid event."""


class UnknownEventTypeError(UndecodableEventError):
    pass


def new_event_id() -> str:
    return str(ULID())


def fixed_event_id(name: str, at: datetime) -> str:
    """A ULID fixed by what happened (``name``) and when (``at``): an event recomputed
    after a crash or a re-delivery gets the same id, so consumers deduplicate it."""
    millis = int(at.timestamp() * 1000)
    digest = hashlib.sha256(name.encode()).digest()
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + digest[:10]))


def to_cloudevent(
    event: Event,
    *,
    event_id: str | None = None,
    time: datetime | None = None,
    traceparent: str | None = None,
) -> CloudEvent:
    return CloudEvent(
        id=event_id or new_event_id(),
        source=event.source,
        type=event.event_type,
        time=time or datetime.now(UTC),
        subject=event.subject(),
        traceparent=traceparent,
        data=event.model_dump(mode="json"),
    )


def encode_event(
    event: Event,
    *,
    event_id: str | None = None,
    time: datetime | None = None,
    traceparent: str | None = None,
) -> bytes:
    envelope = to_cloudevent(event, event_id=event_id, time=time, traceparent=traceparent)
    return envelope.model_dump_json(exclude_none=True).encode()


def decode_event(raw: bytes | str) -> DecodedEvent:
    """Parse and validate an envelope and its data; raise UndecodableEventError if not."""
    try:
        envelope = CloudEvent.model_validate_json(raw)
    except ValidationError as exc:
        raise UndecodableEventError(f"invalid CloudEvents envelope: {exc}") from exc
    event_class = EVENT_TYPES.get(envelope.type)
    if event_class is None:
        raise UnknownEventTypeError(f"unknown event type {envelope.type!r}")
    try:
        event = event_class.model_validate(envelope.data)
    except ValidationError as exc:
        raise UndecodableEventError(f"invalid data for {envelope.type}: {exc}") from exc
    if envelope.source != event_class.source or envelope.subject != event.subject():
        raise UndecodableEventError(
            f"envelope source/subject {envelope.source!r}/{envelope.subject!r} "
            f"disagree with the {envelope.type} data"
        )
    return DecodedEvent(envelope, event)
