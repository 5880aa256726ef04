"""Wire the posts service: the only place that knows every adapter. Nothing starts here;
the entrypoints start the background work (``entrypoints/background.py``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer

from services.posts.adapters.conversation_rows import PostgresConversationQueries
from services.posts.adapters.gazetteer import FileGazetteer
from services.posts.adapters.images import PillowProcessor
from services.posts.adapters.migrate import MIGRATIONS_DIR
from services.posts.adapters.outbox import OutboxRelay
from services.posts.adapters.passwords import Argon2Passwords, new_refresh_token
from services.posts.adapters.photo_files import FilesystemPhotoStore
from services.posts.adapters.queries import PostgresQueries
from services.posts.adapters.ratelimit import RedisLimiter
from services.posts.adapters.smtp import SmtpMailer
from services.posts.adapters.store import PostgresStore
from services.posts.handlers import (
    ConversationHandlers,
    Handlers,
    Limits,
    MailHandlers,
    ModerationHandlers,
    SessionPolicy,
)
from services.posts.settings import PostsSettings
from shared.runtime import migrations
from shared.runtime.auth import KeyRing, TokenVerifier
from shared.runtime.clock import utcnow
from shared.runtime.kafka import build_producer
from shared.runtime.kafka.admin import wait_for_kafka
from shared.runtime.lifecycle import check_postgres, redis_retry
from shared.runtime.revocations import RedisRevocations
from shared.runtime.topics import TopicNames

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
    return OutboxRelay(
        pool,
        producer,
        topic_name=TopicNames(settings.topic_namespace),
        safety_poll_s=settings.outbox_safety_poll_s,
        batch_size=settings.outbox_batch_size,
    )


def limits(settings: PostsSettings) -> Limits:
    """The limits, as set (each a setting of the same name)."""
    return Limits(**{f.name: getattr(settings, f.name) for f in dataclasses.fields(Limits)})


@dataclass
class PostsWiring:
    """What bootstrap built, for the entrypoints to use and to close."""

    settings: PostsSettings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    producer: AIOKafkaProducer
    handlers: Handlers
    conversations: ConversationHandlers
    mail: MailHandlers
    moderation: ModerationHandlers
    revocations: RedisRevocations
    verifier: TokenVerifier
    relay: OutboxRelay

    async def check_database(self) -> None:
        await check_postgres(self.pool)

    async def check_kafka(self) -> None:
        await wait_for_kafka(self.settings.kafka_bootstrap, timeout_s=2)

    async def check_redis(self) -> None:
        await self.redis.ping()

    async def check_relay(self) -> None:
        """Accepted posts must reach Kafka: not ready while this process's relay is not
        publishing (when it runs one; a relay process of its own has its own log)."""
        problem = self.relay.problem() if self.settings.run_relay else None
        if problem:
            raise RuntimeError(problem)

    async def close(self) -> None:
        self.relay.stop()
        await self.producer.stop()
        await self.redis.aclose()
        await self.pool.close()


async def bootstrap(settings: PostsSettings) -> PostsWiring:
    keys = KeyRing(settings.signing_keys_dir)
    keys.ensure()
    pool = await create_pool(settings)
    # A blocking pool: under a burst, requests wait for a connection (up to the
    # timeout) instead of failing with "too many connections".
    redis = aioredis.Redis(
        connection_pool=aioredis.BlockingConnectionPool.from_url(
            settings.redis_url, max_connections=REDIS_MAX_CONNECTIONS, timeout=REDIS_WAIT_S,
            **redis_retry(),
        )
    )  # fmt: skip
    producer = build_producer(settings.kafka_bootstrap)
    await producer.start()
    store, limiter = PostgresStore(pool), RedisLimiter(redis, settings.redis_prefix)
    handlers = Handlers(
        store=store,
        queries=PostgresQueries(pool),
        limiter=limiter,
        passwords=Argon2Passwords(),
        tokens=keys.signer(),
        clock=utcnow,
        limits=limits(settings),
        sessions=SessionPolicy(
            access_token_ttl_s=settings.access_token_ttl_s,
            refresh_token_ttl=timedelta(days=settings.refresh_token_ttl_days),
        ),
        secrets=new_refresh_token,
        places=FileGazetteer(),
        images=PillowProcessor(),
        photos=FilesystemPhotoStore(settings.photos_path),
    )
    conversations = ConversationHandlers(
        store=store,
        queries=PostgresConversationQueries(pool),
        limiter=limiter,
        clock=utcnow,
        messages_per_hour=settings.messages_per_hour,
        reports_per_hour=settings.reports_per_hour,
    )
    mail = MailHandlers(
        store=store,
        mailer=SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from),
        passwords=handlers.passwords,
        limiter=limiter,
        clock=utcnow,
        secrets=new_refresh_token,
        web_url=settings.web_url,
        resets_per_hour=settings.resets_per_hour,
    )
    revocations = RedisRevocations(redis, settings.suspended_key)
    moderation = ModerationHandlers(store=store, revocations=revocations, clock=utcnow)
    return PostsWiring(
        settings=settings,
        pool=pool,
        redis=redis,
        producer=producer,
        handlers=handlers,
        conversations=conversations,
        mail=mail,
        moderation=moderation,
        revocations=revocations,
        verifier=keys.verifier(),
        relay=build_relay(pool, producer, settings),
    )
