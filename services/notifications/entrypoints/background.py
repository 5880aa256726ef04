"""The notifications process's background work beside its API: the consumer of its
topics, the webhook delivery loop and the digest rounds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg
import redis.asyncio as aioredis
from aiokafka.errors import KafkaError, KafkaTimeoutError

from services.notifications.bootstrap import SERVICE, NotificationsWiring, dead_letters
from services.notifications.entrypoints.deliveries import DeliveryWorker
from services.notifications.handlers import EventHandlers
from shared.contract.envelope import DecodedEvent
from shared.runtime.clock import utcnow
from shared.runtime.kafka.consumer import ConsumerLoop, RetryableError
from shared.runtime.lifecycle import cancel_tasks

log = logging.getLogger(__name__)

# Failures of a dependency, not of the event: retried by the consumer loop, never
# dead-lettered (an outage would otherwise empty the topics into the dead letters).
DEPENDENCY_ERRORS = (
    OSError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.CannotConnectNowError,
    # A pooled connection PostgreSQL dropped (a restart).
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    aioredis.ConnectionError,
    aioredis.TimeoutError,
)


def dependency_failed(exc: BaseException) -> bool:
    """Is this the failure of a dependency (to retry), not of the event?"""
    if isinstance(exc, DEPENDENCY_ERRORS):
        return True
    # A broker down or moving its leaders (the notifications are published before they
    # are stored): retriable in Kafka's own terms.
    return isinstance(exc, KafkaTimeoutError) or (isinstance(exc, KafkaError) and exc.retriable)


class RetryingHandler:
    """A dependency outage is retried by the consumer loop, not dead-lettered."""

    def __init__(self, handlers: EventHandlers) -> None:
        self.handlers = handlers

    async def __call__(self, decoded: DecodedEvent) -> None:
        try:
            await self.handlers.handle(decoded)
        except Exception as exc:
            if dependency_failed(exc):
                raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
            raise


async def rounds(name: str, work: Callable[[], Awaitable[object]], interval_s: float) -> None:
    """Periodic work that a dependency's outage only postpones."""
    while True:
        try:
            await work()
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("%s round failed, will retry: %s", name, exc)
        await asyncio.sleep(interval_s)


class Background:
    def __init__(self, wiring: NotificationsWiring) -> None:
        w = self.wiring = wiring
        s = w.settings
        self.loop = ConsumerLoop(
            w.consumer,
            RetryingHandler(w.events),
            dead_letters=w.publisher,
            dead_letter_topic=dead_letters(w.topics),
            service=SERVICE,
        )
        self.deliveries = DeliveryWorker(
            w.webhooks.store,
            w.deliveries,
            wake=w.deliveries_queued,
            lease_s=s.webhook_lease_s,
            max_in_flight=s.webhook_max_in_flight,
            per_endpoint=s.webhook_per_endpoint,
            clock=utcnow,
        )
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> Background:
        w = self.wiring
        await w.consumer.start()
        self.tasks.append(asyncio.create_task(self.loop.run(), name="consumer"))
        self.tasks.append(asyncio.create_task(self.deliveries.run(), name="deliveries"))
        digests = rounds("digest", w.events.send_digests, w.settings.digest_tick_s)
        self.tasks.append(asyncio.create_task(digests, name="digests"))
        outcomes = rounds("outcomes", w.webhooks.send_outcomes, w.settings.outcomes_tick_s)
        self.tasks.append(asyncio.create_task(outcomes, name="outcomes"))
        w.consuming = self.running
        return self

    def running(self) -> bool:
        return bool(self.tasks) and not any(task.done() for task in self.tasks)

    async def stop(self) -> None:
        self.loop.stop()
        await cancel_tasks(self.tasks)
