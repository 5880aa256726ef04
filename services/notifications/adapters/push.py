"""Publish stored notifications on notifications.v1, for the gateway.

An urgent alert stores and pushes ~1,000 notifications at once, so this skips the
generic path (a pydantic model per event, validated, then its envelope validated
again): the rows were built from validated events, and one JSON document per row is
written directly. A unit test holds this encoding to the contract: each value decodes
(with full validation) to exactly ``row.event()``.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime

import orjson

from services.notifications.domain.notices import Stored
from shared.contract.events import NotificationCreated
from shared.runtime.clock import utcnow
from shared.runtime.kafka import EventPublisher
from shared.runtime.tracing import TRACEPARENT_HEADER, child_traceparent, current_traceparent


@functools.lru_cache(maxsize=256)  # the rows of one cause share their times
def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode_notification(row: Stored, traceparent: str, at: datetime) -> bytes:
    envelope = {
        "specversion": "1.0",
        "id": row.id,
        "source": NotificationCreated.source,
        "type": NotificationCreated.event_type,
        "time": _time(at),
        "subject": row.member_id,
        "datacontenttype": "application/json",
        "traceparent": traceparent,
        "data": {
            "notification_id": row.id,
            "member_id": row.member_id,
            "reason": row.reason.value,
            "post_id": row.post_id,
            "cause_event_id": row.cause_event_id,
            "title": row.title,
            "title_code": row.title_code,
            "title_params": row.title_params,
            "urgent": row.urgent,
            "distance_m": row.distance_m,
            "expires_at": _time(row.expires_at),
            "created_at": _time(row.created_at),
        },
    }
    return orjson.dumps(envelope)


class NotificationPusher:
    def __init__(self, publisher: EventPublisher, topic: str) -> None:
        self.publisher = publisher
        self.topic = topic

    async def __call__(self, rows: list[Stored]) -> list[asyncio.Future]:
        """Hand the rows to the producer; returns the acknowledgements to await. The
        notification id is the event id: a row pushed again after a re-delivered cause
        keeps its id, and the gateway drops the duplicate."""
        if not rows:
            return []
        # One span for the batch: the notifications of one cause are one operation.
        traceparent = child_traceparent(current_traceparent.get())
        headers = [(TRACEPARENT_HEADER, traceparent.encode())]
        now = utcnow()
        return await self.publisher.enqueue_raw_many(
            self.topic,
            [(r.member_id.encode(), encode_notification(r, traceparent, now), headers)
             for r in rows],
        )  # fmt: skip
