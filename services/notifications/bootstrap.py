"""Build the notifications service's dependencies: the only place that knows them all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.notifications.adapters.directory import MemberDirectory
from services.notifications.adapters.inbox import InboxStore
from services.notifications.adapters.push import NotificationPusher
from services.notifications.adapters.webhook_sender import WebhookSender
from services.notifications.adapters.webhook_store import WebhookStore
from services.notifications.deliveries import DeliveryWorker
from services.notifications.handlers import Handlers
from services.notifications.settings import NotificationsSettings
from shared.contract.catalogue import (
    ALERTS,
    MATCHES,
    MEMBER_LOCATIONS,
    MEMBERS,
    NOTIFICATIONS,
    POSTS,
    REPLIES,
    dead_letter_topic,
)
from shared.runtime import migrations
from shared.runtime.auth import KeyRing, TokenVerifier
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import wait_for_kafka
from shared.runtime.kafka.consumer import ConsumerLoop, RetryableError, build_consumer
from shared.runtime.lifecycle import cancel_tasks, check_postgres

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "migrations"
CONSUMED_TOPICS = (POSTS, REPLIES, MATCHES, ALERTS, MEMBERS, MEMBER_LOCATIONS)
SERVICE = "notifications"
# An urgent alert's ~1,000 notifications (~600 KB) leave in one produce request: at
# aiokafka's default 16 KiB a partition's share took 3 or 4 batches, and the producer
# sends one batch per partition per request, waiting for each answer. Under the
# broker's 1 MiB message.max.bytes.
PRODUCER_BATCH_BYTES = 256 * 1024


class RetryingHandler:
    """A dependency outage is retried by the consumer loop, not dead-lettered."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    async def __call__(self, decoded) -> None:
        try:
            await self.handlers.handle(decoded)
        except (OSError, asyncpg.exceptions.PostgresConnectionError,
                asyncpg.exceptions.TooManyConnectionsError,
                aioredis.ConnectionError, aioredis.TimeoutError) as exc:  # fmt: skip
            raise RetryableError(str(exc)) from exc


@dataclass
class NotificationsServices:
    settings: NotificationsSettings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    producer: AIOKafkaProducer
    consumer: AIOKafkaConsumer
    http: httpx.AsyncClient
    inbox: InboxStore
    webhooks: WebhookStore
    handlers: Handlers
    loop: ConsumerLoop
    deliveries: DeliveryWorker
    verifier: TokenVerifier
    tasks: list[asyncio.Task] = field(default_factory=list)

    async def check_database(self) -> None:
        await check_postgres(self.pool)

    async def check_kafka(self) -> None:
        await wait_for_kafka(self.settings.kafka_bootstrap, timeout_s=2)

    async def check_redis(self) -> None:
        await self.redis.ping()

    async def start_background(self) -> None:
        await self.consumer.start()
        self.tasks.append(asyncio.create_task(self.loop.run(), name="consumer"))
        self.tasks.append(asyncio.create_task(self.deliveries.run(), name="deliveries"))
        self.tasks.append(asyncio.create_task(self._digests(), name="digests"))

    async def _digests(self) -> None:
        while True:
            try:
                await self.handlers.send_digests()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("digest round failed, will retry: %s", exc)
            await asyncio.sleep(self.settings.digest_tick_s)

    async def close(self) -> None:
        self.loop.stop()
        await cancel_tasks(self.tasks)
        with contextlib.suppress(Exception):
            await self.consumer.stop()
        await self.producer.stop()
        await self.http.aclose()
        await self.redis.aclose()
        await self.pool.close()


async def bootstrap(settings: NotificationsSettings) -> NotificationsServices:
    keys = KeyRing(settings.verifying_keys_dir)
    keys.ensure()
    suffix = settings.topic_suffix
    pool = await migrations.create_pool(
        settings.postgres_dsn,
        settings.postgres_schema,
        "entraide-notifications",
        settings.db_pool_max,
        MIGRATIONS_DIR,
    )
    redis = aioredis.Redis.from_url(settings.redis_url)
    producer = build_producer(settings.kafka_bootstrap, max_batch_size=PRODUCER_BATCH_BYTES)
    await producer.start()
    publisher = EventPublisher(producer)

    inbox = InboxStore(pool)
    webhooks = WebhookStore(pool)
    http = httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)
    deliveries = DeliveryWorker(
        webhooks,
        WebhookSender(http, settings.allow_private_webhooks),
        schedule_s=settings.webhook_retry_schedule_s,
        lease_s=settings.webhook_lease_s,
        max_in_flight=settings.webhook_max_in_flight,
        per_endpoint=settings.webhook_per_endpoint,
    )
    handlers = Handlers(
        inbox=inbox,
        directory=MemberDirectory(redis, settings.redis_prefix),
        webhooks=webhooks,
        publish=NotificationPusher(publisher, NOTIFICATIONS.name + suffix),
        wake_deliveries=deliveries.wake,
    )
    consumer = build_consumer(
        settings.kafka_bootstrap,
        settings.consumer_group + suffix,
        [topic.name + suffix for topic in CONSUMED_TOPICS],
    )
    loop = ConsumerLoop(
        consumer,
        RetryingHandler(handlers),
        dead_letters=publisher,
        dead_letter_topic=dead_letter_topic(SERVICE).name + suffix,
        service=SERVICE,
    )
    return NotificationsServices(
        settings=settings,
        pool=pool,
        redis=redis,
        producer=producer,
        consumer=consumer,
        http=http,
        inbox=inbox,
        webhooks=webhooks,
        handlers=handlers,
        loop=loop,
        deliveries=deliveries,
        verifier=keys.verifier(),
    )
