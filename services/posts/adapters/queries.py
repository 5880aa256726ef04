"""The read side: the feed, one post, a thread. Public views never hold the exact point.

The exact point leaves only in ``exact_location``, and only for the post's author.
Distances are measured to the public cell centre, so a "near me" query cannot be
used to triangulate someone's position.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import asyncpg

from services.posts.adapters.post_rows import POST_COLUMNS, post_values
from services.posts.domain.feed import FeedQuery, decode_cursor, encode_cursor
from services.posts.domain.posts import Post
from services.posts.ports import Byline
from shared.contract.errors import NotFound
from shared.contract.geo import CELL_SIZE_M, EARTH_RADIUS_M
from shared.contract.identity import Claims, Role

METRES_PER_DEGREE_LAT = 111_320.0

# The post's own columns, its author's name and its number of replies.
PUBLIC_COLUMNS = (
    ", ".join(f"p.{column}" for column in POST_COLUMNS)
    + ", p.cell_lat, p.cell_lon, a.display_name AS author_name,"
    " EXISTS (SELECT 1 FROM organisations o WHERE o.account_id = p.author_id"
    " AND o.status = 'verified') AS author_verified,"
    " (SELECT count(*) FROM replies r WHERE r.post_id = p.id) AS reply_count"
)


REPLY_SELECT = (
    "SELECT r.id, r.author_id, a.display_name, r.intent, r.body, r.created_at, r.answer"
    " FROM replies r JOIN accounts a ON a.id = r.author_id"
)


def reply_view(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": row["id"],
        "author": {"id": row["author_id"], "display_name": row["display_name"]},
        "intent": row["intent"],
        "body": row["body"],
        "created_at": row["created_at"],
        "answer": row["answer"],
    }


def _distance_sql(lat_param: str, lon_param: str) -> str:
    return (
        f"2 * {EARTH_RADIUS_M} * asin(least(1, sqrt("
        f"power(sin(radians(p.cell_lat - {lat_param}) / 2), 2) + cos(radians({lat_param}))"
        f" * cos(radians(p.cell_lat)) * power(sin(radians(p.cell_lon - {lon_param}) / 2), 2))))"
    )


def public_view(row: Mapping[str, Any], viewer: Claims | None = None) -> dict[str, Any]:
    view = {
        "id": row["id"],
        "author": {
            "id": row["author_id"],
            "display_name": row["author_name"],
            "verified": bool(row.get("author_verified")),  # a verified organisation
        },
        "kind": row["kind"],
        "category": row["category"],
        "title": row["title"],
        "body": row["body"],
        "language": row["language"],
        "location": {
            "lat": row["cell_lat"],
            "lon": row["cell_lon"],
            "precision_m": CELL_SIZE_M,
        },
        "radius_m": row["radius_m"],
        "urgency": row["urgency"],
        "status": row["status"],
        "outcome": row["outcome"],
        "helped_by": row["helped_by"],
        "photos": row["photos"],
        "on_behalf_of": row["on_behalf_of"],
        "reply_count": row["reply_count"],
        "expires_at": row["expires_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if "distance_m" in row.keys() and row["distance_m"] is not None:
        view["distance_m"] = round(row["distance_m"])
    if viewer is not None and viewer.member_id == row["author_id"]:
        view["exact_location"] = {"lat": row["lat"], "lon": row["lon"]}
    return view


def _may_see(row: Mapping[str, Any], viewer: Claims | None) -> bool:
    """A removed or withdrawn post to its author (she may appeal a removal) and to
    moderators only."""
    if row["status"] not in ("removed", "withdrawn"):
        return True
    if viewer is None:
        return False
    return viewer.role is Role.MODERATOR or viewer.member_id == row["author_id"]


class PostgresQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    def new_post(self, post: Post, byline: Byline, viewer: Claims | None) -> dict[str, Any]:
        """The view of a post just created, without reading it back from the database."""
        row = {**post_values(post), "author_name": byline.name, "reply_count": 0,
               "author_verified": byline.verified}  # fmt: skip
        return public_view(row, viewer)

    async def feed(self, q: FeedQuery, viewer: Claims | None) -> dict[str, Any]:
        where = ["p.status NOT IN ('removed', 'withdrawn')"]
        args: list[Any] = []

        def param(value: Any) -> str:
            args.append(value)
            return f"${len(args)}"

        if q.statuses:
            where.append(f"p.status = ANY({param(list(q.statuses))}::text[])")
        if q.kinds:
            where.append(f"p.kind = ANY({param(list(q.kinds))}::text[])")
        if q.categories:
            where.append(f"p.category = ANY({param(list(q.categories))}::text[])")
        if q.text:
            where.append(f"p.search @@ websearch_to_tsquery('simple', {param(q.text)})")
        if q.cursor:
            where.append(f"p.id < {param(decode_cursor(q.cursor))}")
        if viewer is not None:  # the posts of members she blocked leave her feed
            where.append(
                "NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id ="
                f" {param(viewer.member_id)} AND b.blocked_id = p.author_id)"
            )
        distance = "NULL::float8"
        if q.near:
            lat, lon = q.near
            lat_p, lon_p = param(lat), param(lon)
            dlat = q.within_m / METRES_PER_DEGREE_LAT
            dlon = q.within_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
            # The box uses the index; the exact distance trims its corners.
            where.append(f"p.cell_lat BETWEEN {param(lat - dlat)} AND {param(lat + dlat)}")
            where.append(f"p.cell_lon BETWEEN {param(lon - dlon)} AND {param(lon + dlon)}")
            distance = _distance_sql(lat_p, lon_p)
            where.append(f"{distance} <= {param(float(q.within_m))}")
        sql = (
            f"SELECT {PUBLIC_COLUMNS}, {distance} AS distance_m"
            " FROM posts p JOIN accounts a ON a.id = p.author_id"
            f" WHERE {' AND '.join(where)} ORDER BY p.id DESC LIMIT {param(q.limit + 1)}"
        )
        rows = await self._fetch(sql, *args)
        page = rows[: q.limit]
        more = len(rows) > q.limit
        return {
            "items": [public_view(r, viewer) for r in page],
            "next_cursor": encode_cursor(page[-1]["id"]) if more else None,
        }

    async def post(self, post_id: str, viewer: Claims | None) -> dict[str, Any]:
        row = await self._fetchrow(
            f"SELECT {PUBLIC_COLUMNS} FROM posts p JOIN accounts a ON a.id = p.author_id"
            " WHERE p.id = $1",
            post_id,
        )
        if row is None or not _may_see(row, viewer):
            raise NotFound("no such post", field="post_id")
        return public_view(row, viewer)

    async def reply(self, reply_id: str) -> dict[str, Any]:
        row = await self._fetchrow(f"{REPLY_SELECT} WHERE r.id = $1", reply_id)
        if row is None:
            raise NotFound("no such reply", field="reply_id")
        return reply_view(row)

    async def thread(
        self, post_id: str, after: str | None, limit: int, viewer: Claims | None = None
    ) -> dict[str, Any]:
        await self.post(post_id, viewer)
        args: list[Any] = [post_id, limit + 1]
        after_clause = ""
        if after:
            args.append(decode_cursor(after))
            after_clause = " AND r.id > $3"
        rows = await self._fetch(
            f"{REPLY_SELECT} WHERE r.post_id = $1{after_clause} ORDER BY r.id LIMIT $2", *args
        )
        page = rows[:limit]
        return {
            "items": [reply_view(r) for r in page],
            "next_cursor": encode_cursor(page[-1]["id"]) if len(rows) > limit else None,
        }

    async def authored(self, member: Claims, cursor: str | None, limit: int) -> dict[str, Any]:
        args: list[Any] = [member.member_id, limit + 1]
        after = ""
        if cursor:
            args.append(decode_cursor(cursor))
            after = " AND p.id < $3"
        rows = await self._fetch(
            f"SELECT {PUBLIC_COLUMNS} FROM posts p JOIN accounts a ON a.id = p.author_id"
            f" WHERE p.author_id = $1{after} ORDER BY p.id DESC LIMIT $2",
            *args,
        )
        page = rows[:limit]
        return {
            "items": [public_view(r, member) for r in page],
            "next_cursor": encode_cursor(page[-1]["id"]) if len(rows) > limit else None,
        }

    async def profile(self, member_id: str) -> dict[str, Any] | None:
        row = await self._fetchrow(
            "SELECT a.id, a.display_name, a.languages, a.bio, a.created_at, a.suspended_at,"
            " o.name AS organisation_name, o.kind AS organisation_kind,"
            " (SELECT count(*) FROM posts p WHERE p.author_id = a.id AND p.kind = 'request'"
            "   AND p.status = 'resolved') AS requests_resolved,"
            " (SELECT count(*) FROM posts p WHERE p.author_id = a.id AND p.kind = 'offer'"
            "   AND p.status = 'resolved') AS offers_resolved,"
            " (SELECT count(*) FROM posts p WHERE p.helped_by @> ARRAY[a.id]) AS helped"
            " FROM accounts a LEFT JOIN organisations o ON o.account_id = a.id"
            " AND o.status = 'verified' WHERE a.id = $1",
            member_id,
        )
        if row is None:
            return None
        return {
            "id": row["id"], "display_name": row["display_name"],
            "member_since": row["created_at"].date().isoformat(),
            "languages": list(row["languages"]), "bio": row["bio"],
            "requests_resolved": row["requests_resolved"],
            "offers_resolved": row["offers_resolved"], "helped": row["helped"],
            "suspended": row["suspended_at"] is not None,
            "organisation": {"name": row["organisation_name"], "kind": row["organisation_kind"]}
            if row["organisation_name"] else None,
        }  # fmt: skip

    async def _fetch(self, query: str, *args) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return await conn.fetch(query, *args)

    async def _fetchrow(self, query: str, *args) -> asyncpg.Record | None:
        async with self.pool.acquire() as conn:
            return await conn.fetchrow(query, *args)
