"""Bring a database schema to the current version; safe to run from several processes.

Each service keeps its numbered ``NNNN_name.sql`` files and its own schema (so its
``schema_migrations`` table is its own too).
"""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

# Any constant works; it only has to differ from other advisory locks we take.
MIGRATION_LOCK_ID = 0x656E7472  # "entr"


def migration_files(directory: Path) -> list[tuple[int, Path]]:
    return sorted((int(p.name.split("_", 1)[0]), p) for p in directory.glob("*.sql"))


async def migrate(conn: asyncpg.Connection, directory: Path) -> list[int]:
    """Apply the pending migrations of ``directory``; return their versions."""
    applied: list[int] = []
    async with conn.transaction():
        # Two instances starting together: one migrates, the other waits then sees it done.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_ID)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, path in migration_files(directory):
            if version in done:
                continue
            log.info("applying migration %s", path.name)
            await conn.execute(path.read_text())
            await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied.append(version)
    return applied


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    """The pool's reset on release. asyncpg's default sends RESET ALL, CLOSE ALL, UNLISTEN *
    and an advisory unlock on every release: one more round trip per request. Ours leave
    no session state behind (only transaction-scoped locks, no SET, no cursor; listeners
    remove themselves), and asyncpg still rolls back an open transaction before this."""


async def create_pool(
    dsn: str, schema: str | None, application: str, max_size: int, migrations: Path
) -> asyncpg.Pool:
    """A pool whose connections live in ``schema`` (created if missing), migrated."""
    server_settings = {"application_name": application}
    if schema:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        finally:
            await conn.close()
        server_settings["search_path"] = schema
    pool = await asyncpg.create_pool(
        dsn, min_size=2, max_size=max_size, server_settings=server_settings,
        reset=_nothing_to_reset,
    )  # fmt: skip
    async with pool.acquire() as conn:
        await migrate(conn, migrations)
    return pool
