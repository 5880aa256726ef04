"""A member's device location, published for the notifications service."""

from __future__ import annotations

import logging

from shared.contract.events import MemberLocated
from shared.contract.values import Point
from shared.runtime.clock import utcnow
from shared.runtime.kafka import EventPublisher

log = logging.getLogger(__name__)


class KafkaLocationPublisher:
    def __init__(self, publisher: EventPublisher, topic: str) -> None:
        self.publisher = publisher
        self.topic = topic

    async def __call__(self, member_id: str, lat: float, lon: float) -> None:
        located = MemberLocated(
            member_id=member_id, point=Point(lat=lat, lon=lon), located_at=utcnow()
        )
        try:
            await self.publisher.publish(located, topic=self.topic)
        except Exception as exc:  # a lost location is replaced by the next one
            log.warning("could not publish a location: %s", exc)
