"""Fixtures of the integration tier: unique topics, schemas and key prefixes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.kafka.admin import ensure_topics


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
async def new_topic(endpoints, unique) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """Create topics with unique names; they are deleted when the test ends."""
    created: list[str] = []

    async def create(stem: str = "topic", partitions: int = 1) -> str:
        name = f"test.{stem}.{unique}"
        await ensure_topics(endpoints.kafka_bootstrap, [(name, partitions)])
        created.append(name)
        return name

    yield create
    if created:
        admin = AIOKafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
        await admin.start()
        try:
            await admin.delete_topics(created)
        finally:
            await admin.close()


@pytest.fixture
async def pg_schema(endpoints, unique) -> AsyncIterator[str]:
    """A schema of the test's own, dropped at the end."""
    schema = f"test_{unique}"
    conn = await asyncpg.connect(endpoints.postgres_dsn)
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()
