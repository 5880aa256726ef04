"""Wire the notifications service: the only place that knows every adapter. Nothing
starts here; the entrypoints start the consumer, the delivery loop and the digests
(``entrypoints/background.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.notifications.adapters.directory import RedisDirectory
from services.notifications.adapters.inbox import PostgresInbox
from services.notifications.adapters.outcomes import PgOutcomes
from services.notifications.adapters.push import NotificationPusher
from services.notifications.adapters.rooms import AlertRoomPublisher
from services.notifications.adapters.secrets import new_secret
from services.notifications.adapters.webhook_sender import HttpWebhookSender
from services.notifications.adapters.webhook_store import PostgresWebhookStore
from services.notifications.handlers import (
    DeliveryHandlers,
    EventHandlers,
    InboxHandlers,
    WebhookHandlers,
)
from services.notifications.settings import NotificationsSettings
from shared.contract.catalogue import (
    ALERT_ROOMS,
    ALERTS,
    CONVERSATIONS,
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
from shared.runtime.clock import utcnow
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import wait_for_kafka
from shared.runtime.kafka.consumer import build_consumer
from shared.runtime.lifecycle import check_postgres, redis_retry
from shared.runtime.revocations import RedisRevocations
from shared.runtime.topics import TopicNames

MIGRATIONS_DIR = Path(__file__).parent / "adapters" / "migrations"
CONSUMED_TOPICS = (POSTS, REPLIES, MATCHES, ALERTS, MEMBERS, MEMBER_LOCATIONS, CONVERSATIONS)
SERVICE = "notifications"
# An urgent alert's ~1,000 notifications (~600 KB) leave in one produce request: at
# aiokafka's default 16 KiB a partition's share took 3 or 4 batches, and the producer
# sends one batch per partition per request, waiting for each answer. Under the
# broker's 1 MiB message.max.bytes.
PRODUCER_BATCH_BYTES = 256 * 1024


@dataclass
class NotificationsWiring:
    """What bootstrap built, for the entrypoints to use and to close."""

    settings: NotificationsSettings
    topics: TopicNames
    pool: asyncpg.Pool
    redis: aioredis.Redis
    producer: AIOKafkaProducer
    publisher: EventPublisher
    consumer: AIOKafkaConsumer
    http: httpx.AsyncClient
    events: EventHandlers
    inbox: InboxHandlers
    webhooks: WebhookHandlers
    deliveries: DeliveryHandlers
    # Rung when a delivery is queued, so that the delivery loop looks at once.
    deliveries_queued: asyncio.Event
    verifier: TokenVerifier
    revocations: RedisRevocations
    # Whether the background work (the consumer above all) is running: set by the
    # entrypoint that starts it (entrypoints/background.py).
    consuming: Callable[[], bool] = lambda: False

    async def check_database(self) -> None:
        await check_postgres(self.pool)

    async def check_kafka(self) -> None:
        await wait_for_kafka(self.settings.kafka_bootstrap, timeout_s=2)

    async def check_redis(self) -> None:
        await self.redis.ping()

    async def check_consumer(self) -> None:
        if not self.consuming():
            raise RuntimeError("the consumer of its topics is not running")

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.consumer.stop()
        await self.producer.stop()
        await self.http.aclose()
        await self.redis.aclose()
        await self.pool.close()


async def bootstrap(settings: NotificationsSettings) -> NotificationsWiring:
    keys = KeyRing(settings.verifying_keys_dir)
    keys.ensure()
    topics = TopicNames(settings.topic_namespace)
    pool = await migrations.create_pool(
        settings.postgres_dsn,
        settings.postgres_schema,
        "entraide-notifications",
        settings.db_pool_max,
        MIGRATIONS_DIR,
    )
    redis = aioredis.Redis.from_url(settings.redis_url, **redis_retry())
    producer = build_producer(settings.kafka_bootstrap, max_batch_size=PRODUCER_BATCH_BYTES)
    await producer.start()
    publisher = EventPublisher(producer)

    inbox = PostgresInbox(pool)
    store = PostgresWebhookStore(pool)
    http = httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)
    sender = HttpWebhookSender(
        http, settings.allow_private_webhooks, deadline_s=settings.webhook_timeout_s
    )
    queued = asyncio.Event()
    outcomes = PgOutcomes(pool)
    events = EventHandlers(
        inbox=inbox,
        directory=RedisDirectory(redis, settings.redis_prefix),
        webhooks=store,
        publish=NotificationPusher(publisher, topics(NOTIFICATIONS)),
        clock=utcnow,
        rooms=AlertRoomPublisher(publisher, topics(ALERT_ROOMS)),
        outcomes=outcomes,
        wake_deliveries=queued.set,
    )
    webhooks = WebhookHandlers(
        store=store,
        outcomes=outcomes,
        sender=sender,
        make_secret=new_secret,
        clock=utcnow,
        secret_grace=timedelta(seconds=settings.webhook_secret_grace_s),
        wake_deliveries=queued.set,
    )
    consumer = build_consumer(
        settings.kafka_bootstrap,
        settings.consumer_group + settings.topic_namespace,
        [topics(topic) for topic in CONSUMED_TOPICS],
        # A process restarted under its name takes its partitions back at once.
        group_instance_id=settings.consumer_instance_id,
    )
    return NotificationsWiring(
        settings=settings,
        topics=topics,
        pool=pool,
        redis=redis,
        producer=producer,
        publisher=publisher,
        consumer=consumer,
        http=http,
        events=events,
        inbox=InboxHandlers(inbox, utcnow),
        webhooks=webhooks,
        deliveries=DeliveryHandlers(
            store, sender, utcnow, settings.webhook_retry_schedule_s, random.Random()
        ),
        deliveries_queued=queued,
        verifier=keys.verifier(),
        revocations=RedisRevocations(redis, settings.suspended_key),
    )


def dead_letters(topics: TopicNames) -> str:
    return topics(dead_letter_topic(SERVICE))
