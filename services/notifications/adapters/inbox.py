"""PostgreSQL through asyncpg: posts and alerts seen, followers, the inbox, preferences."""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Sequence
from datetime import datetime

import asyncpg

from services.notifications.domain.notices import AlertFacts, KnownPost, Reason, Stored
from services.notifications.domain.preferences import Preferences
from shared.contract.events import MatchFound
from shared.contract.values import Category, Kind

# A post lists its best matches, never an unbounded number.
MATCHES_KEPT_PER_POST = 50
# A message's notification, not read yet (the partial index of migration 0004).
UNREAD_MESSAGE = "reason = 'message' AND read_at IS NULL"

COLUMNS = (
    "id, member_id, cause_event_id, reason, post_id, title, urgent, distance_m, expires_at,"
    " held, created_at, read_at, title_code, title_params"
)


SAVED_COLUMNS = (
    ("id", "text"), ("member_id", "text"), ("cause_event_id", "text"), ("reason", "text"),
    ("post_id", "text"), ("title", "text"), ("urgent", "boolean"), ("distance_m", "integer"),
    ("expires_at", "timestamptz"), ("held", "boolean"), ("created_at", "timestamptz"),
    ("title_code", "text"), ("title_params", "jsonb"),
)  # fmt: skip


def _stored(row: asyncpg.Record) -> Stored:
    params = json.loads(row["title_params"])
    return Stored(**{**dict(row), "reason": Reason(row["reason"]), "title_params": params})


def _post(row: asyncpg.Record) -> KnownPost:
    return KnownPost(
        post_id=row["post_id"],
        author_id=row["author_id"],
        title=row["title"],
        category=Category(row["category"]),
        kind=Kind(row["kind"]),
        urgent=row["urgent"],
        lat=row["lat"],
        lon=row["lon"],
    )


def _preferences(row: asyncpg.Record | None) -> Preferences:
    if row is None:
        return Preferences()
    return Preferences(
        categories=frozenset(Category(c) for c in row["categories"]),
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        timezone=row["timezone"],
        daily_cap=row["daily_cap"],
    )


class PostgresInbox:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # what we remember of posts and alerts ------------------------------------------
    async def remember_post(self, post: KnownPost) -> None:
        """Keep the post's facts, and its author as its first follower: one statement,
        one round trip (there is one per post on posts.v1)."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "WITH seen AS (INSERT INTO posts_seen (post_id, author_id, title, category,"
                " kind, urgent, lat, lon) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"
                " ON CONFLICT (post_id) DO UPDATE SET title = EXCLUDED.title,"
                " category = EXCLUDED.category, lat = EXCLUDED.lat, lon = EXCLUDED.lon)"
                " INSERT INTO followers (post_id, member_id) VALUES ($1, $2)"
                " ON CONFLICT DO NOTHING",
                post.post_id, post.author_id, post.title, post.category.value,
                post.kind.value, post.urgent, post.lat, post.lon,
            )  # fmt: skip

    async def posts(self, post_ids: Iterable[str]) -> dict[str, KnownPost]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM posts_seen WHERE post_id = ANY($1::text[])", list(post_ids)
            )
        return {row["post_id"]: _post(row) for row in rows}

    async def post(self, post_id: str) -> KnownPost | None:
        return (await self.posts([post_id])).get(post_id)

    async def remember_match(self, match: MatchFound) -> None:
        reasons = json.dumps([r.model_dump(mode="json") for r in match.reasons])
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO matches (request_id, offer_id, match_id, request_author_id,"
                " offer_author_id, score, reasons, found_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)"
                " ON CONFLICT (request_id, offer_id) DO UPDATE SET match_id = EXCLUDED.match_id,"
                " score = EXCLUDED.score, reasons = EXCLUDED.reasons, found_at = EXCLUDED.found_at"
                " WHERE matches.found_at <= EXCLUDED.found_at",
                match.request_id, match.offer_id, match.match_id, match.request_author_id,
                match.offer_author_id, match.score, reasons, match.found_at,
            )  # fmt: skip

    async def forget_matches(self, post_id: str) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "DELETE FROM matches WHERE request_id = $1 OR offer_id = $1", post_id
            )

    async def matches(self, post_id: str) -> list[MatchFound]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM matches WHERE request_id = $1 OR offer_id = $1"
                " ORDER BY score DESC, found_at LIMIT $2",
                post_id, MATCHES_KEPT_PER_POST,
            )  # fmt: skip
        return [
            MatchFound(**{**dict(row), "reasons": tuple(json.loads(row["reasons"]))})
            for row in rows
        ]

    async def remember_alert(self, alert: AlertFacts) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO alerts_seen (post_id, author_id, category, expires_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (post_id) DO NOTHING",
                alert.post_id, alert.author_id, alert.category.value, alert.expires_at,
            )  # fmt: skip

    async def alert(self, post_id: str) -> AlertFacts | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM alerts_seen WHERE post_id = $1", post_id)
        if row is None:
            return None
        return AlertFacts(
            row["post_id"], row["author_id"], Category(row["category"]), row["expires_at"]
        )

    async def follow(self, post_id: str, member_ids: Iterable[str]) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO followers (post_id, member_id)"
                " SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                post_id, list(member_ids),
            )  # fmt: skip

    async def followers(self, post_id: str) -> list[str]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT member_id FROM followers WHERE post_id = $1 ORDER BY member_id", post_id
            )
        return [row["member_id"] for row in rows]

    async def alerted(self, post_id: str) -> set[str]:
        """Everyone an urgent alert about this post reached, over all its rings."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT member_id FROM notifications WHERE post_id = $1"
                " AND reason = 'urgent_alert'",
                post_id,
            )
        return {row["member_id"] for row in rows}

    # the inbox ----------------------------------------------------------------------
    async def save(self, rows: Sequence[Stored]) -> None:
        """Store each notification once per member and cause: a row already there (from
        an earlier delivery of the same cause) is left as it is."""
        if not rows:
            return
        # A column whose value every row shares (an alert's title, post, times...) goes
        # as one parameter, the others as arrays for unnest: encoding ten arrays of a
        # thousand values was most of the cost of storing an alert's notifications.
        shared, varying, params = [], [], []
        for column, sql_type in SAVED_COLUMNS:
            values = list(map(operator.attrgetter(column), rows))
            if column == "reason":
                values = [reason.value for reason in values]
            elif column == "title_params":
                values = [json.dumps(params, separators=(",", ":")) for params in values]
            first = values[0]
            if values.count(first) == len(values):
                params.append(first)
                shared.append(f"${len(params)}::{sql_type}")
            else:
                params.append(values)
                varying.append((column, f"${len(params)}::{sql_type}[]"))
        names = [c for c, _ in SAVED_COLUMNS if c not in {v for v, _ in varying}]
        if varying:
            source = (
                f" FROM unnest({', '.join(p for _, p in varying)})"
                f" AS v({', '.join(c for c, _ in varying)})"
            )
        else:
            source = ""
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"INSERT INTO notifications ({', '.join(names + [c for c, _ in varying])})"
                f" SELECT {', '.join(shared + [c for c, _ in varying])}{source}"
                " ON CONFLICT DO NOTHING",
                *params,
            )

    async def inbox(
        self, member_id: str, before: str | None, limit: int, unread_only: bool
    ) -> list[Stored]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM notifications WHERE member_id = $1"
                " AND ($2::text IS NULL OR id < $2) AND (NOT $3 OR read_at IS NULL)"
                " ORDER BY id DESC LIMIT $4",
                member_id, before, unread_only, limit,
            )  # fmt: skip
        return [_stored(row) for row in rows]

    async def unread_count(self, member_id: str) -> int:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                "SELECT count(*) FROM notifications WHERE member_id = $1 AND read_at IS NULL",
                member_id,
            )

    async def mark_read(self, member_id: str, ids: Sequence[str] | None, now: datetime) -> int:
        """Mark these items (or, with None, every item) read; returns how many changed."""
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                "UPDATE notifications SET read_at = $3 WHERE member_id = $1"
                " AND read_at IS NULL AND ($2::text[] IS NULL OR id = ANY($2::text[]))",
                member_id, list(ids) if ids is not None else None, now,
            )  # fmt: skip
        return int(status.split()[-1])

    async def unread_conversation(self, member_id: str, conversation_id: str) -> bool:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM notifications WHERE member_id = $1"
                f" AND {UNREAD_MESSAGE} AND title_params->>'conversation' = $2)",
                member_id, conversation_id,
            )  # fmt: skip

    async def read_conversation(self, member_id: str, conversation_id: str, now: datetime) -> int:
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                f"UPDATE notifications SET read_at = $3 WHERE member_id = $1 AND {UNREAD_MESSAGE}"
                " AND title_params->>'conversation' = $2",
                member_id, conversation_id, now,
            )  # fmt: skip
        return int(status.split()[-1])

    async def pushed_since(self, day_starts: dict[str, datetime]) -> dict[str, int]:
        """Ordinary notifications pushed to each member since the start of their local
        day (the daily cap)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT n.member_id, count(*) AS pushed FROM notifications n"
                " JOIN unnest($1::text[], $2::timestamptz[]) AS d(member_id, since)"
                " ON d.member_id = n.member_id"
                " WHERE n.created_at >= d.since AND NOT n.held AND NOT n.urgent"
                " AND n.reason <> 'digest' GROUP BY n.member_id",
                list(day_starts), list(day_starts.values()),
            )  # fmt: skip
        return {row["member_id"]: row["pushed"] for row in rows}

    async def held_count(self, member_id: str) -> int:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                "SELECT count(*) FROM notifications WHERE member_id = $1 AND held", member_id
            )

    async def members_with_held(self, limit: int) -> list[str]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT DISTINCT member_id FROM notifications WHERE held LIMIT $1", limit
            )
        return [row["member_id"] for row in rows]

    async def release_held(self, member_id: str) -> int:
        """The held items join the inbox for good; returns how many there were."""
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                "UPDATE notifications SET held = false WHERE member_id = $1 AND held", member_id
            )
        return int(status.split()[-1])

    # preferences --------------------------------------------------------------------
    async def preferences(self, member_ids: Iterable[str]) -> dict[str, Preferences]:
        ids = list(member_ids)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM preferences WHERE member_id = ANY($1::text[])", ids
            )
        found = {row["member_id"]: _preferences(row) for row in rows}
        return {member_id: found.get(member_id, Preferences()) for member_id in ids}

    async def save_preferences(self, member_id: str, prefs: Preferences) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO preferences (member_id, categories, quiet_start, quiet_end,"
                " timezone, daily_cap) VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (member_id) DO UPDATE SET categories = EXCLUDED.categories,"
                " quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,"
                " timezone = EXCLUDED.timezone, daily_cap = EXCLUDED.daily_cap",
                member_id, sorted(c.value for c in prefs.categories), prefs.quiet_start,
                prefs.quiet_end, prefs.timezone, prefs.daily_cap,
            )  # fmt: skip
