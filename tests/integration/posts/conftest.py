"""A posts service of the test's own: its schema, key prefix, topics and signing keys."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from services.posts.bootstrap import PostsWiring, bootstrap
from services.posts.entrypoints.app import create_app
from services.posts.entrypoints.background import Background
from services.posts.settings import PostsSettings
from shared.contract.catalogue import (
    CONVERSATIONS,
    MEMBER_STATUS,
    MEMBERS,
    POSTS,
    REPLIES,
    URGENT_REQUESTS,
)
from shared.contract.envelope import DecodedEvent, decode_event
from shared.runtime.kafka.admin import ensure_topics
from tests.integration.kafka_tools import read_topic

PASSWORD = "correct horse battery"
_names = itertools.count()


@dataclass
class Member:
    id: str
    email: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class PostsHarness:
    client: httpx.AsyncClient
    wiring: PostsWiring
    settings: PostsSettings
    topics: dict[str, str] = field(default_factory=dict)
    background: Background | None = None

    async def member(self, name: str | None = None, **profile) -> Member:
        name = name or f"member{next(_names)}"
        email = f"{name}@{self.settings.redis_prefix.replace(':', '-')}.example.org"
        body = {"email": email, "password": PASSWORD, "display_name": name, **profile}
        registered = await self.client.post("/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        login = await self.client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return Member(registered.json()["id"], email, login.json()["access_token"])

    async def moderator(self) -> Member:
        member = await self.member()
        async with self.wiring.pool.acquire() as conn:
            await conn.execute("UPDATE accounts SET role = 'moderator' WHERE id = $1", member.id)
        login = await self.client.post(
            "/auth/login", json={"email": member.email, "password": PASSWORD}
        )
        return Member(member.id, member.email, login.json()["access_token"])

    async def events(
        self, catalogue_topic: str, expected: int, timeout_s: float = 20.0
    ) -> list[DecodedEvent]:
        records = await read_topic(
            self.settings.kafka_bootstrap, self.topics[catalogue_topic], expected, timeout_s
        )
        return [decode_event(r.value) for r in records]


def post_body(**changes) -> dict:
    body = {
        "kind": "request",
        "category": "tickets_events",
        "title": "Two tickets for Saturday's concert",
        "body": "Looking for two tickets at face value, no resale markup.",
        "language": "en",
        "location": {"lat": 48.8937, "lon": 2.3934},
        "radius_m": 5000,
    }
    body.update(changes)
    return body


@pytest.fixture
async def make_posts(
    endpoints, pg_schema, unique, tmp_path, smtp
) -> AsyncIterator[Callable[..., Awaitable[PostsHarness]]]:
    harnesses: list[PostsHarness] = []
    suffix = f".{unique}"
    topics = {
        t.name: t.name + suffix
        for t in (POSTS, REPLIES, URGENT_REQUESTS, MEMBERS, CONVERSATIONS, MEMBER_STATUS)
    }
    await ensure_topics(endpoints.kafka_bootstrap, [(name, 3) for name in topics.values()])

    async def make(background: bool = True, **overrides) -> PostsHarness:
        settings = PostsSettings(
            kafka_bootstrap=endpoints.kafka_bootstrap,
            postgres_dsn=endpoints.postgres_dsn,
            redis_url=endpoints.redis_url,
            postgres_schema=pg_schema,
            redis_prefix=f"test:{unique}",
            topic_namespace=suffix,
            keys_dir=tmp_path / "keys",
            expiry_sweep_s=0.2,
            # Tests register their members from one address: limits of their own.
            **{
                "photos_dir": tmp_path / "photos",
                "smtp_port": smtp.port,
                "suspended_key": f"test:{unique}:suspended",
                "registrations_per_address": 10_000,
                "registrations_per_minute": 10_000,
                **overrides,
            },
        )
        wiring = await bootstrap(settings)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, wiring)),
            base_url="http://posts.test",
        )
        harness = PostsHarness(client, wiring, settings, topics)
        if background:
            harness.background = Background(wiring).start()
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:
        await harness.client.aclose()
        if harness.background is not None:
            await harness.background.stop()
        await harness.wiring.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(list(topics.values()))
    finally:
        await admin.close()


@pytest.fixture
async def posts(make_posts) -> PostsHarness:
    return await make_posts()
