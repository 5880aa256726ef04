"""Fixtures of the integration tier: unique topics, schemas and key prefixes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from shared.runtime.kafka.admin import delete_topics_named_with, ensure_topics


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
async def _drop_the_tests_topics(endpoints, unique) -> AsyncIterator[None]:
    """After each test, delete the topics named with its ``unique`` part (services and
    faust create theirs with that suffix). The local broker outlives the run: left
    behind, topics pile up (906 of them, ~10,000 partitions, were found on one broker).
    Set up before the test's other fixtures, so torn down after them."""
    yield
    await delete_topics_named_with(endpoints.kafka_bootstrap, unique)


@pytest.fixture
async def notifications_schema(endpoints, pg_schema) -> AsyncIterator[str]:
    """The notifications service's own schema, beside the posts service's (pg_schema):
    a test that runs both keeps their tables apart, as a deployment does."""
    async with own_schema(endpoints.postgres_dsn, f"{pg_schema}_n") as schema:
        yield schema


@pytest.fixture
async def new_topic(endpoints, unique) -> Callable[..., Awaitable[str]]:
    """Create topics with unique names (deleted when the test ends, as all its topics)."""

    async def create(stem: str = "topic", partitions: int = 1) -> str:
        name = f"test.{stem}.{unique}"
        await ensure_topics(endpoints.kafka_bootstrap, [(name, partitions)])
        return name

    return create


@pytest.fixture
async def pg_schema(endpoints, unique) -> AsyncIterator[str]:
    """A schema of the test's own, dropped at the end."""
    async with own_schema(endpoints.postgres_dsn, f"test_{unique}") as schema:
        yield schema


@contextlib.asynccontextmanager
async def own_schema(dsn: str, schema: str) -> AsyncIterator[str]:
    """A PostgreSQL schema made for the test, dropped with everything in it at the end."""
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()
