"""What members say in an urgent alert's search room, put on its restricted topic."""

from __future__ import annotations

from shared.contract.events import Event
from shared.runtime.kafka import EventPublisher


class KafkaRoomPublisher:
    def __init__(self, publisher: EventPublisher, topic: str) -> None:
        self.publisher = publisher
        self.topic = topic

    async def __call__(self, event: Event) -> None:
        await self.publisher.publish(event, topic=self.topic)
