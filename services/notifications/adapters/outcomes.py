"""PostgreSQL through asyncpg: resolved posts, counted by day, category, kind and area."""

from __future__ import annotations

from datetime import date

import asyncpg

from services.notifications.domain.outcomes import Cell, Resolution
from shared.contract.values import Category, Kind


class PgOutcomes:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def record(self, resolution: Resolution) -> None:
        r = resolution
        await self.pool.execute(
            "INSERT INTO resolutions (post_id, day, category, kind, area, lat, lon)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (post_id) DO NOTHING",
            r.post_id, r.day, r.category.value, r.kind.value, r.area, r.lat, r.lon,
        )  # fmt: skip

    async def cells(self, first: date, last: date, at_least: int) -> list[Cell]:
        # The threshold is applied here, in the query: a cell under it never leaves
        # the database.
        rows = await self.pool.fetch(
            "SELECT day, category, kind, area, min(lat) AS lat, min(lon) AS lon,"
            " count(*) AS resolved FROM resolutions WHERE day BETWEEN $1 AND $2"
            " GROUP BY day, category, kind, area HAVING count(*) >= $3"
            " ORDER BY day, category, kind, area",
            first, last, at_least,
        )  # fmt: skip
        return [_cell(r) for r in rows]


def _cell(r: asyncpg.Record) -> Cell:
    return Cell(r["day"], Category(r["category"]), Kind(r["kind"]), r["area"], r["lat"],
                r["lon"], r["resolved"])  # fmt: skip
