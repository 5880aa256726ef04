"""Bring a database (schema) to the current version; safe to run from several processes."""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant works; it only has to differ from other advisory locks we take.
MIGRATION_LOCK_ID = 0x656E7472  # "entr"


def migration_files() -> list[tuple[int, Path]]:
    return sorted((int(p.name.split("_", 1)[0]), p) for p in MIGRATIONS_DIR.glob("*.sql"))


async def migrate(conn: asyncpg.Connection) -> list[int]:
    """Apply the pending migrations, each in its own transaction; return their versions."""
    applied: list[int] = []
    async with conn.transaction():
        # Two instances starting together: one migrates, the other waits then sees it done.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_ID)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, path in migration_files():
            if version in done:
                continue
            log.info("applying migration %s", path.name)
            await conn.execute(path.read_text())
            await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied.append(version)
    return applied
