"""Partner endpoints and the persistent delivery queue, in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from services.notifications.domain.webhooks import PAUSED, Delivery, Endpoint, WebhookFilter
from shared.contract.values import Category, Kind, Point

ENDPOINT_COLUMNS = (
    "id, partner_id, url, description, secret, previous_secret, previous_until, categories,"
    " kinds, area_lat, area_lon, area_radius_m, urgent_only, enabled, disabled_reason,"
    " created_at"
)
DELIVERY_COLUMNS = (
    "seq, endpoint_id, message_id, event_type, payload, status, attempts, next_attempt_at,"
    " last_status, last_error, created_at, delivered_at"
)


def _endpoint(row: asyncpg.Record) -> Endpoint:
    area = None
    if row["area_lat"] is not None:
        area = Point(lat=row["area_lat"], lon=row["area_lon"])
    return Endpoint(
        id=row["id"],
        partner_id=row["partner_id"],
        url=row["url"],
        description=row["description"],
        secret=row["secret"],
        previous_secret=row["previous_secret"],
        previous_until=row["previous_until"],
        filter=WebhookFilter(
            categories=frozenset(Category(c) for c in row["categories"]),
            kinds=frozenset(Kind(k) for k in row["kinds"]),
            area=area,
            area_radius_m=row["area_radius_m"],
            urgent_only=row["urgent_only"],
        ),
        enabled=row["enabled"],
        disabled_reason=row["disabled_reason"],
        created_at=row["created_at"],
    )


class PostgresWebhookStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # endpoints ------------------------------------------------------------------------
    async def add_endpoint(self, endpoint: Endpoint) -> None:
        f = endpoint.filter
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO endpoints (id, partner_id, url, description, secret, categories,"
                " kinds, area_lat, area_lon, area_radius_m, urgent_only, created_at)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
                endpoint.id, endpoint.partner_id, endpoint.url, endpoint.description,
                endpoint.secret, sorted(c.value for c in f.categories),
                sorted(k.value for k in f.kinds), f.area.lat if f.area else None,
                f.area.lon if f.area else None, f.area_radius_m, f.urgent_only,
                endpoint.created_at,
            )  # fmt: skip

    async def endpoint(self, endpoint_id: str) -> Endpoint | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE id = $1", endpoint_id
            )
        return _endpoint(row) if row else None

    async def endpoints_of(self, partner_id: str) -> list[Endpoint]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE partner_id = $1 ORDER BY id",
                partner_id,
            )
        return [_endpoint(row) for row in rows]

    async def receiving_endpoints(self) -> list[Endpoint]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE enabled OR disabled_reason = $1",
                PAUSED,
            )
        return [_endpoint(row) for row in rows]

    async def delete_endpoint(self, endpoint_id: str) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute("DELETE FROM endpoints WHERE id = $1", endpoint_id)

    async def rotate_secret(self, endpoint_id: str, secret: str, grace_until: datetime) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE endpoints SET previous_secret = secret, previous_until = $3,"
                " secret = $2 WHERE id = $1",
                endpoint_id, secret, grace_until,
            )  # fmt: skip

    async def set_enabled(self, endpoint_id: str, enabled: bool, reason: str | None) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE endpoints SET enabled = $2, disabled_reason = $3 WHERE id = $1",
                endpoint_id, enabled, reason,
            )  # fmt: skip

    # deliveries -----------------------------------------------------------------------
    async def enqueue(
        self, endpoint_ids: Sequence[str], message_id: str, event_type: str, payload: str
    ) -> int:
        """One delivery per endpoint; a re-delivered event adds nothing. Returns how many
        were new."""
        if not endpoint_ids:
            return 0
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                "INSERT INTO deliveries (endpoint_id, message_id, event_type, payload)"
                " SELECT unnest($1::text[]), $2, $3, $4"
                " ON CONFLICT (endpoint_id, message_id) DO NOTHING",
                list(endpoint_ids), message_id, event_type, payload,
            )  # fmt: skip
        return int(status.split()[-1])

    async def claim_due(
        self,
        now: datetime,
        lease: timedelta,
        limit: int,
        *,
        per_endpoint: int,
        busy: Sequence[str] = (),
    ) -> list[Delivery]:
        """Take up to ``limit`` due deliveries of enabled endpoints for ``lease``: at most
        ``per_endpoint`` of each endpoint, none of the ``busy`` ones.

        The lease, and the re-check in the UPDATE: several senders (processes) share
        the queue without sending a row twice at once (under READ COMMITTED the UPDATE
        re-reads a row another sender changed meanwhile and skips it); a sender that
        dies leaves its rows to be taken again when the lease ends, so nothing is lost.
        """
        claimable = "d.status = 'pending' AND (d.leased_until IS NULL OR d.leased_until < $1)"
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "UPDATE deliveries d SET leased_until = $1::timestamptz + $2::interval"
                " FROM (SELECT seq FROM (SELECT d.seq, row_number() OVER"
                " (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.seq) AS rank"
                " FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id"
                f" WHERE {claimable} AND d.next_attempt_at <= $1 AND e.enabled"
                " AND NOT (d.endpoint_id = ANY($5::text[]))) ranked"
                " WHERE rank <= $4 ORDER BY seq LIMIT $3) picked"
                f" WHERE d.seq = picked.seq AND {claimable}"
                f" RETURNING {', '.join('d.' + c for c in DELIVERY_COLUMNS.split(', '))}",
                now, lease, limit, per_endpoint, list(busy),
            )  # fmt: skip
        return [Delivery(**dict(row)) for row in rows]

    async def next_due_at(self) -> datetime | None:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                "SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending'"
            )

    async def delivered(self, seq: int, status: int, now: datetime) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,"
                " last_status = $2, last_error = NULL, delivered_at = $3, leased_until = NULL"
                " WHERE seq = $1",
                seq, status, now,
            )  # fmt: skip

    async def failed(
        self, seq: int, status: int | None, error: str, retry_at: datetime | None
    ) -> None:
        """One failed try: retry at ``retry_at``, or (None) the delivery is dead."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE deliveries SET attempts = attempts + 1, last_status = $2,"
                " last_error = $3, leased_until = NULL,"
                " status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,"
                " next_attempt_at = coalesce($4, next_attempt_at) WHERE seq = $1",
                seq, status, error[:500], retry_at,
            )  # fmt: skip

    async def release(self, seqs: Sequence[int]) -> None:
        """Give claimed deliveries back before their lease ends (a clean stop)."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE deliveries SET leased_until = NULL"
                " WHERE seq = ANY($1::bigint[]) AND status = 'pending'",
                list(seqs),
            )

    async def deliveries(self, endpoint_id: str, after: int, limit: int) -> list[Delivery]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE endpoint_id = $1"
                " AND seq > $2 ORDER BY seq LIMIT $3",
                endpoint_id, after, limit,
            )  # fmt: skip
        return [Delivery(**dict(row)) for row in rows]

    async def last_seq_before(self, endpoint_id: str, moment: datetime) -> int:
        seq = await self.pool.fetchval(
            "SELECT coalesce(max(seq), 0) FROM deliveries"
            " WHERE endpoint_id = $1 AND created_at < $2",
            endpoint_id, moment,
        )  # fmt: skip
        return int(seq)

    async def replay(self, endpoint_id: str, after: int, now: datetime) -> int:
        """Send again every delivery after the cursor ``after`` (delivered or dead)."""
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3,"
                " leased_until = NULL WHERE endpoint_id = $1 AND seq > $2",
                endpoint_id, after, now,
            )  # fmt: skip
        return int(status.split()[-1])
