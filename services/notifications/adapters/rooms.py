"""Who a ring of an urgent alert reached, on the search rooms' restricted topic."""

from __future__ import annotations

from shared.contract.events import AlertReached
from shared.runtime.kafka import EventPublisher


class AlertRoomPublisher:
    def __init__(self, publisher: EventPublisher, topic: str) -> None:
        self.publisher = publisher
        self.topic = topic

    async def reached(self, reached: AlertReached, event_id: str) -> None:
        await self.publisher.publish(reached, event_id=event_id, topic=self.topic)
