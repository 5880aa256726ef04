"""The posts service's migrations (see shared/runtime/migrations.py)."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from shared.runtime import migrations

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


async def migrate(conn: asyncpg.Connection) -> list[int]:
    return await migrations.migrate(conn, MIGRATIONS_DIR)
