"""PostgreSQL through asyncpg: the unit of work (rows + outbox in one transaction)."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg

from services.posts.adapters.conversation_rows import ConversationWrites
from services.posts.adapters.post_rows import (
    POST_COLUMNS,
    UPDATED_COLUMNS,
    WRITTEN_COLUMNS,
    post_from_row,
    post_values,
)
from services.posts.domain.accounts import Account, Profile
from services.posts.domain.mail import MailToken, Purpose
from services.posts.domain.moderation import Decision, Standing
from services.posts.domain.organisations import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from services.posts.domain.posts import OfferFacts, Post
from services.posts.domain.sessions import RefreshToken
from services.posts.ports import Byline
from shared.contract.catalogue import topic_for
from shared.contract.envelope import encode_event, new_event_id
from shared.contract.events import Event, ReplyCreated
from shared.contract.identity import Role
from shared.contract.values import Category, OfferAnswer, Point, ReplyIntent
from shared.runtime.tracing import child_traceparent, current_traceparent

OUTBOX_LANES = 16
ORGANISATION_COLUMNS = (
    "account_id, name, kind, registration_number, website, contact, status, applied_at, decided_at"
)

# The queue (moderation_queue): what was reported or appealed after the last decision
# about it (a decision, whatever it was, takes it out of the queue).
_LAST_DECISIONS = (
    "(SELECT subject_id, max(at) AS at, max(id) AS id FROM moderation_log GROUP BY subject_id)"
)
PENDING_APPEALS = (
    "SELECT ap.post_id, ap.decision_id, ap.text, ap.created_at, ap.author_id,"
    " p.title, p.body, p.status, m.moderator_id AS decided_by, m.action AS decided,"
    " m.reason AS decided_because"
    " FROM appeals ap JOIN posts p ON p.id = ap.post_id"
    " LEFT JOIN moderation_log m ON m.id = ap.decision_id"
    " WHERE NOT EXISTS (SELECT 1 FROM moderation_log later WHERE later.subject_id = ap.post_id"
    " AND later.at > ap.created_at)"
)
REPORTED_POSTS = (
    "SELECT p.id, p.title, p.body, p.status, p.urgency, p.author_id,"
    " a.display_name AS author_name, count(*) AS reports, sum(r.weight) AS weight,"
    " (array_agg(r.reason ORDER BY r.created_at DESC))[1:5] AS reasons,"
    " max(r.created_at) AS last_report,"
    " (p.urgency = 'urgent' AND p.status = 'open' AND p.expires_at > $1) AS alert_lives"
    " FROM reports r JOIN posts p ON p.id = r.post_id JOIN accounts a ON a.id = p.author_id"
    f" LEFT JOIN {_LAST_DECISIONS} l ON l.subject_id = p.id"
    " WHERE r.created_at > coalesce(l.at, '-infinity')"
    " GROUP BY p.id, a.display_name"
    " ORDER BY alert_lives DESC, sum(r.weight) DESC, max(r.created_at) DESC LIMIT $2"
)
REPORTED_CONVERSATIONS = (
    "SELECT cr.conversation_id, cr.message_id, cr.reporter_id, cr.reported_id,"
    " a.display_name AS reported_name, cr.reason, cr.created_at, m.body AS message,"
    " c.post_id FROM conversation_reports cr"
    " JOIN conversations c ON c.id = cr.conversation_id"
    " JOIN accounts a ON a.id = cr.reported_id"
    " LEFT JOIN messages m ON m.id = cr.message_id"
    f" LEFT JOIN {_LAST_DECISIONS} l ON l.subject_id = cr.conversation_id"
    " WHERE cr.created_at > coalesce(l.at, '-infinity')"
    " ORDER BY cr.created_at LIMIT $1"
)
# Members reported since the last decision about them, most reported first.
REPORTED_MEMBERS = (
    "SELECT a.id AS member_id, a.display_name, a.created_at AS member_since,"
    " a.suspended_at IS NOT NULL AS suspended, count(*) AS reports,"
    " (array_agg(mr.reason ORDER BY mr.created_at DESC))[1:5] AS reasons,"
    " max(mr.created_at) AS last_report,"
    " (SELECT count(*) FROM posts p WHERE p.author_id = a.id) AS posts"
    " FROM member_reports mr JOIN accounts a ON a.id = mr.member_id"
    f" LEFT JOIN {_LAST_DECISIONS} l ON l.subject_id = a.id"
    " WHERE mr.created_at > coalesce(l.at, '-infinity')"
    " GROUP BY a.id ORDER BY count(*) DESC, max(mr.created_at) DESC LIMIT $1"
)
REFRESH_COLUMNS = ", ".join(f.name for f in dataclasses.fields(RefreshToken))

SELECT_POST = ", ".join(POST_COLUMNS)
UPDATE_POST = (
    "UPDATE posts SET "
    + ", ".join(f"{column} = ${n}" for n, column in enumerate(UPDATED_COLUMNS, start=2))
    + " WHERE id = $1"
)


def outbox_lane(key: str) -> int:
    return zlib.crc32(key.encode()) % OUTBOX_LANES


def account_from_row(row: asyncpg.Record) -> Account:
    home = None
    if row["home_lat"] is not None:
        home = Point(lat=row["home_lat"], lon=row["home_lon"])
    return Account(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        profile=Profile(
            display_name=row["display_name"],
            languages=list(row["languages"]),
            interests=[Category(c) for c in row["interests"]],
            home=home,
            alert_radius_m=row["alert_radius_m"],
            urgent_alerts_consent=row["urgent_alerts_consent"],
            bio=row["bio"],
        ),
        email_verified_at=row["email_verified_at"],
        suspended_at=row["suspended_at"],
    )


class PostgresUnitOfWork(ConversationWrites):
    """One transaction. Every write that changes state also writes its events."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    # accounts -----------------------------------------------------------------
    async def add_account(self, account: Account) -> bool:
        """False when the e-mail is taken."""
        p = account.profile
        status = await self.conn.execute(
            "INSERT INTO accounts (id, email, password_hash, display_name, role, languages,"
            " interests, home_lat, home_lon, alert_radius_m, urgent_alerts_consent, created_at,"
            " bio) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"
            " ON CONFLICT (lower(email)) DO NOTHING",
            account.id, account.email, account.password_hash, p.display_name,
            account.role.value, p.languages, [c.value for c in p.interests],
            p.home.lat if p.home else None, p.home.lon if p.home else None,
            p.alert_radius_m, p.urgent_alerts_consent, account.created_at, p.bio,
        )  # fmt: skip
        return status.endswith(" 1")

    async def account(self, account_id: str) -> Account | None:
        row = await self.conn.fetchrow("SELECT * FROM accounts WHERE id = $1", account_id)
        return account_from_row(row) if row else None

    async def account_for_update(self, account_id: str) -> Account | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM accounts WHERE id = $1 FOR UPDATE", account_id
        )
        return account_from_row(row) if row else None

    async def account_by_email(self, email: str) -> Account | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM accounts WHERE lower(email) = lower($1)", email
        )
        return account_from_row(row) if row else None

    async def save_profile(self, account_id: str, p: Profile) -> None:
        await self.conn.execute(
            "UPDATE accounts SET display_name=$2, languages=$3, interests=$4, home_lat=$5,"
            " home_lon=$6, alert_radius_m=$7, urgent_alerts_consent=$8, bio=$9,"
            " updated_at=now() WHERE id = $1",
            account_id, p.display_name, p.languages, [c.value for c in p.interests],
            p.home.lat if p.home else None, p.home.lon if p.home else None,
            p.alert_radius_m, p.urgent_alerts_consent, p.bio,
        )  # fmt: skip

    async def save_password(self, account_id: str, password_hash: str) -> None:
        await self.conn.execute(
            "UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1",
            account_id, password_hash,
        )  # fmt: skip

    async def mark_email_verified(self, account_id: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE accounts SET email_verified_at = coalesce(email_verified_at, $2)"
            " WHERE id = $1",
            account_id, at,
        )  # fmt: skip

    # moderation -----------------------------------------------------------------
    async def save_standing(self, account: Account) -> None:
        """The role and suspension a moderator decided."""
        await self.conn.execute(
            "UPDATE accounts SET role = $2, suspended_at = $3, updated_at = now() WHERE id = $1",
            account.id, account.role.value, account.suspended_at,
        )  # fmt: skip

    async def add_decision(self, decision: Decision) -> None:
        d = decision
        await self.conn.execute(
            "INSERT INTO moderation_log (moderator_id, action, subject_id, detail, reason, at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            d.moderator_id, d.action.value, d.subject_id, d.detail, d.reason, d.at,
        )  # fmt: skip
        await self.add_events(list(d.events))

    async def decisions(self, subject_id: str | None, limit: int) -> list[dict]:
        rows = await self.conn.fetch(
            "SELECT id, moderator_id, action, subject_id, detail, reason, at FROM moderation_log"
            " WHERE $1::text IS NULL OR subject_id = $1 ORDER BY id DESC LIMIT $2",
            subject_id, limit,
        )  # fmt: skip
        return [dict(row) for row in rows]

    async def organisation(self, account_id: str) -> Organisation | None:
        row = await self.conn.fetchrow(
            f"SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE account_id = $1 FOR UPDATE",
            account_id,
        )
        if row is None:
            return None
        fields = dict(row)
        fields["kind"] = OrganisationKind(fields["kind"])
        fields["status"] = OrganisationStatus(fields["status"])
        return Organisation(**fields)

    async def save_organisation(self, organisation: Organisation) -> None:
        o = organisation
        await self.conn.execute(
            f"INSERT INTO organisations ({ORGANISATION_COLUMNS})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (account_id) DO UPDATE"
            " SET name = $2, kind = $3, registration_number = $4, website = $5, contact = $6,"
            " status = $7, applied_at = $8, decided_at = $9",
            o.account_id, o.name, o.kind.value, o.registration_number, o.website, o.contact,
            o.status.value, o.applied_at, o.decided_at,
        )  # fmt: skip

    async def pending_appeal(self, post_id: str) -> dict | None:
        row = await self.conn.fetchrow(f"{PENDING_APPEALS} AND ap.post_id = $1", post_id)
        return dict(row) if row else None

    async def add_appeal(
        self, post_id: str, decision_id: int | None, author_id: str, text: str
    ) -> bool:
        status = await self.conn.execute(
            "INSERT INTO appeals (post_id, decision_id, author_id, text) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            post_id, decision_id, author_id, text,
        )  # fmt: skip
        return status.endswith(" 1")

    async def moderation_queue(self, now: datetime, limit: int) -> dict:
        appeals = await self.conn.fetch(f"{PENDING_APPEALS} ORDER BY ap.created_at LIMIT $1", limit)
        posts = await self.conn.fetch(REPORTED_POSTS, now, limit)
        conversations = await self.conn.fetch(REPORTED_CONVERSATIONS, limit)
        members = await self.conn.fetch(REPORTED_MEMBERS, limit)
        organisations = await self.conn.fetch(
            f"SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE status = 'pending'"
            " ORDER BY applied_at LIMIT $1",
            limit,
        )
        return {
            "organisations": [dict(r) for r in organisations],
            "appeals": [dict(r) for r in appeals],
            "posts": [dict(r) for r in posts],
            "conversations": [dict(r) for r in conversations],
            "members": [dict(r) for r in members],
        }

    # mail links -----------------------------------------------------------------
    async def add_mail_token(self, token: MailToken) -> None:
        await self.conn.execute(
            "INSERT INTO mail_tokens (token_hash, account_id, purpose, expires_at)"
            " VALUES ($1, $2, $3, $4)",
            token.token_hash, token.account_id, token.purpose.value, token.expires_at,
        )  # fmt: skip

    async def mail_token_for_update(self, token_hash: str) -> MailToken | None:
        row = await self.conn.fetchrow(
            "SELECT token_hash, account_id, purpose, expires_at, used_at FROM mail_tokens"
            " WHERE token_hash = $1 FOR UPDATE",
            token_hash,
        )
        if row is None:
            return None
        return MailToken(row["token_hash"], row["account_id"], Purpose(row["purpose"]),
                         row["expires_at"], row["used_at"])  # fmt: skip

    async def spend_mail_tokens(self, account_id: str, purpose: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE mail_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2"
            " AND used_at IS NULL",
            account_id, purpose, now,
        )  # fmt: skip

    async def save_mail_token(self, token: MailToken) -> None:
        await self.conn.execute(
            "UPDATE mail_tokens SET used_at = $2 WHERE token_hash = $1",
            token.token_hash, token.used_at,
        )  # fmt: skip

    # sessions -----------------------------------------------------------------
    async def add_refresh_token(self, token: RefreshToken) -> None:
        await self.conn.execute(
            f"INSERT INTO refresh_tokens ({REFRESH_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            *(getattr(token, f.name) for f in dataclasses.fields(RefreshToken)),
        )

    async def refresh_token_for_update(self, token_hash: str) -> RefreshToken | None:
        row = await self.conn.fetchrow(
            f"SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
            token_hash,
        )
        return RefreshToken(**dict(row)) if row else None

    async def save_refresh_token(self, token: RefreshToken) -> None:
        await self.conn.execute(
            "UPDATE refresh_tokens SET used_at = $2, revoked_at = $3 WHERE token_hash = $1",
            token.token_hash, token.used_at, token.revoked_at,
        )  # fmt: skip

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1"
            " AND revoked_at IS NULL",
            family_id, now,
        )  # fmt: skip

    async def revoke_sessions(self, account_id: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE account_id = $1"
            " AND revoked_at IS NULL",
            account_id, now,
        )  # fmt: skip

    async def forget_refresh_tokens(self, expired_before: datetime) -> int:
        status = await self.conn.execute(
            "DELETE FROM refresh_tokens WHERE expires_at < $1", expired_before
        )
        return int(status.split()[-1])

    # posts (a new post is PostgresStore.add_post, one statement) -----------------
    async def post_for_update(self, post_id: str) -> Post | None:
        row = await self.conn.fetchrow(
            f"SELECT {SELECT_POST} FROM posts WHERE id = $1 FOR UPDATE", post_id
        )
        return post_from_row(row) if row else None

    async def save_post(self, post: Post) -> None:
        values = post_values(post)
        await self.conn.execute(
            UPDATE_POST, post.id, *(values[column] for column in UPDATED_COLUMNS)
        )
        await self.add_events(post.events)

    async def due_posts(self, now, limit: int) -> list[Post]:
        # SKIP LOCKED: several expiry sweepers never wait on, or double-expire, a post.
        rows = await self.conn.fetch(
            f"SELECT {SELECT_POST} FROM posts WHERE status IN ('open', 'matched')"
            " AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            now, limit,
        )  # fmt: skip
        return [post_from_row(r) for r in rows]

    async def add_report(
        self, post_id: str, reporter_id: str, reason: str, address: str, weight: float
    ) -> bool:
        """False when this member already reported this post."""
        status = await self.conn.execute(
            "INSERT INTO reports (post_id, reporter_id, reason, address, weight)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            post_id, reporter_id, reason, address, weight,
        )  # fmt: skip
        return status.endswith(" 1")

    async def standing(self, member_id: str) -> Standing:
        row = await self.conn.fetchrow(
            "SELECT a.created_at, a.email_verified_at IS NOT NULL AS verified,"
            " (SELECT count(*) FROM posts p WHERE p.author_id = a.id AND p.status = 'resolved')"
            " AS resolved FROM accounts a WHERE a.id = $1",
            member_id,
        )
        return Standing(row["created_at"], row["verified"], row["resolved"])

    async def address_reported(self, post_id: str, address: str) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM reports WHERE post_id = $1 AND address = $2"
            " AND weight > 0)",
            post_id, address,
        )  # fmt: skip

    async def repliers(self, post_id: str) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT DISTINCT author_id FROM replies WHERE post_id = $1", post_id
        )
        return {row["author_id"] for row in rows}

    async def add_reply(self, reply: ReplyCreated) -> None:
        await self.conn.execute(
            "INSERT INTO replies (id, post_id, author_id, intent, body, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            reply.reply_id, reply.post_id, reply.author_id, reply.intent.value, reply.body,
            reply.created_at,
        )  # fmt: skip

    async def offer_for_update(self, reply_id: str) -> OfferFacts | None:
        row = await self.conn.fetchrow(
            "SELECT id, post_id, intent, answer FROM replies WHERE id = $1 FOR UPDATE", reply_id
        )
        if row is None:
            return None
        answer = OfferAnswer(row["answer"]) if row["answer"] else None
        return OfferFacts(row["id"], row["post_id"], ReplyIntent(row["intent"]), answer)

    async def set_offer_answer(self, reply_id: str, answer: OfferAnswer, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE replies SET answer = $2, answered_at = $3 WHERE id = $1",
            reply_id, answer.value, now,
        )  # fmt: skip

    # outbox -------------------------------------------------------------------
    async def add_events(self, events: Sequence[Event]) -> None:
        if events:
            await self.conn.execute(
                "INSERT INTO outbox (event_id, topic, key, lane, value, traceparent)"
                f" {outbox_rows(first=1)}",
                *outbox_columns(events),
            )


def outbox_rows(first: int) -> str:
    """A SELECT of the outbox rows from six array parameters, ``$first`` on: one insert
    for any number of events, which also fits inside a larger statement (INSERT_POST).
    In the arrays' order, explicitly: the ids, and so a post's events, follow it."""
    types = ("text", "text", "text", "smallint", "bytea", "text")
    arrays = ", ".join(f"${first + k}::{t}[]" for k, t in enumerate(types))
    return (
        "SELECT e, t, k, l, v, tp"
        f" FROM unnest({arrays}) WITH ORDINALITY AS u(e, t, k, l, v, tp, n) ORDER BY n"
    )


def outbox_columns(events: Sequence[Event]) -> tuple[list, ...]:
    columns: tuple[list, ...] = ([], [], [], [], [], [])
    event_ids, topics, keys, lanes, values, traceparents = columns
    for event in events:
        event_id = new_event_id()
        traceparent = child_traceparent(current_traceparent.get())
        key = event.subject()
        event_ids.append(event_id)
        topics.append(topic_for(event).name)
        keys.append(key)
        lanes.append(outbox_lane(key))
        values.append(encode_event(event, event_id=event_id, traceparent=traceparent))
        traceparents.append(traceparent)
    return columns


# One statement writes the post and its events, so it is atomic without BEGIN and
# COMMIT: a new post costs one round trip to PostgreSQL instead of four (bench/ingest).
INSERT_POST = (
    f"WITH new_post AS (INSERT INTO posts ({', '.join(WRITTEN_COLUMNS)})"
    f" VALUES ({', '.join(f'${n}' for n in range(1, len(WRITTEN_COLUMNS) + 1))})),"
    " new_events AS ("
    " INSERT INTO outbox (event_id, topic, key, lane, value, traceparent)"
    f" {outbox_rows(first=len(WRITTEN_COLUMNS) + 1)})"
    " SELECT display_name, EXISTS (SELECT 1 FROM organisations o WHERE o.account_id = a.id"
    " AND o.status = 'verified') AS verified"
    f" FROM accounts a WHERE a.id = ${WRITTEN_COLUMNS.index('author_id') + 1}"
)


class PostgresStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresUnitOfWork]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield PostgresUnitOfWork(conn)

    async def add_post(self, post: Post) -> Byline:
        """Write a new post and its events, outside any transaction (one statement is
        atomic); return how its author shows."""
        values = post_values(post)
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                INSERT_POST,
                *(values[column] for column in WRITTEN_COLUMNS),
                *outbox_columns(post.events),
            )
        return Byline(row["display_name"], row["verified"])
