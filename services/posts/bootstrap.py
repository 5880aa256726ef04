"""Build the posts service's dependencies: the only place that knows about all of them."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import asyncpg
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer

from services.posts.adapters.migrate import MIGRATIONS_DIR
from services.posts.adapters.outbox import OutboxRelay
from services.posts.adapters.ratelimit import RateLimiter
from services.posts.adapters.store import PostgresStore
from services.posts.handlers import Handlers
from services.posts.settings import PostsSettings
from services.posts.views import PostViews
from shared import migrations
from shared.auth import KeyRing, TokenVerifier
from shared.kafka import build_producer
from shared.kafka.admin import wait_for_kafka
from shared.lifecycle import cancel_tasks, check_postgres

log = logging.getLogger(__name__)

REDIS_MAX_CONNECTIONS = 64
REDIS_WAIT_S = 5


async def create_pool(settings: PostsSettings) -> asyncpg.Pool:
    return await migrations.create_pool(
        settings.postgres_dsn,
        settings.postgres_schema,
        "entraide-posts",
        settings.db_pool_max,
        MIGRATIONS_DIR,
    )


def build_relay(pool: asyncpg.Pool, producer: AIOKafkaProducer, settings: PostsSettings):
    suffix = settings.topic_suffix
    return OutboxRelay(
        pool,
        producer,
        topic_name=lambda name: name + suffix,
        safety_poll_s=settings.outbox_safety_poll_s,
        batch_size=settings.outbox_batch_size,
    )


@dataclass
class PostsServices:
    settings: PostsSettings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    producer: AIOKafkaProducer
    handlers: Handlers
    views: PostViews
    verifier: TokenVerifier
    relay: OutboxRelay
    tasks: list[asyncio.Task] = field(default_factory=list)

    async def check_database(self) -> None:
        await check_postgres(self.pool)

    async def check_kafka(self) -> None:
        await wait_for_kafka(self.settings.kafka_bootstrap, timeout_s=2)

    def start_background(self) -> None:
        self.tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        self.tasks.append(asyncio.create_task(self._sweep_expired(), name="expiry-sweep"))

    async def _sweep_expired(self) -> None:
        while True:
            try:
                while await self.handlers.expire_due():
                    pass
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("expiry sweep failed, will retry: %s", exc)
            await asyncio.sleep(self.settings.expiry_sweep_s)

    async def close(self) -> None:
        self.relay.stop()
        await cancel_tasks(self.tasks)
        await self.producer.stop()
        await self.redis.aclose()
        await self.pool.close()


async def bootstrap(settings: PostsSettings) -> PostsServices:
    keys = KeyRing(settings.signing_keys_dir)
    keys.ensure()
    pool = await create_pool(settings)
    # A blocking pool: under a burst, requests wait for a connection (up to the
    # timeout) instead of failing with "too many connections".
    redis = aioredis.Redis(
        connection_pool=aioredis.BlockingConnectionPool.from_url(
            settings.redis_url, max_connections=REDIS_MAX_CONNECTIONS, timeout=REDIS_WAIT_S
        )
    )
    producer = build_producer(settings.kafka_bootstrap)
    await producer.start()
    store = PostgresStore(pool)
    return PostsServices(
        settings=settings,
        pool=pool,
        redis=redis,
        producer=producer,
        handlers=Handlers(
            store=store,
            limiter=RateLimiter(redis, settings.redis_prefix),
            signer=keys.signer(),
            settings=settings,
        ),
        views=PostViews(store),
        verifier=keys.verifier(),
        relay=build_relay(pool, producer, settings),
    )
