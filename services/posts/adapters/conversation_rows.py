"""Conversations in PostgreSQL: the unit of work's writes (a mixin of
PostgresUnitOfWork, on its connection) and the read side."""

from __future__ import annotations

import dataclasses
from typing import Any

import asyncpg

from services.posts.domain.conversations import (
    Conversation,
    PostFacts,
    decode_list_cursor,
    encode_list_cursor,
)
from services.posts.domain.feed import decode_cursor, encode_cursor
from shared.contract.errors import NotFound
from shared.contract.events import Event, MessageSent

STORED = tuple(f.name for f in dataclasses.fields(Conversation) if f.name != "events")
SELECT_CONVERSATION = (
    f"SELECT {', '.join('c.' + name for name in STORED if name != 'post_title')},"
    " p.title AS post_title FROM conversations c JOIN posts p ON p.id = c.post_id"
)


def conversation_from_row(row: asyncpg.Record) -> Conversation:
    return Conversation(**{name: row[name] for name in STORED})


class ConversationWrites:
    """What PostgresUnitOfWork adds for conversations (``self.conn``, ``add_events``)."""

    conn: asyncpg.Connection

    async def add_events(self, events: list[Event]) -> None: ...  # PostgresUnitOfWork's

    async def post_facts(self, post_id: str) -> PostFacts | None:
        row = await self.conn.fetchrow(
            "SELECT id, author_id, title, status FROM posts WHERE id = $1", post_id
        )
        return PostFacts(row["id"], row["author_id"], row["title"], row["status"]) if row else None

    async def conversation_of(self, post_id: str, member_id: str) -> Conversation | None:
        row = await self.conn.fetchrow(
            f"{SELECT_CONVERSATION} WHERE c.post_id = $1 AND c.member_id = $2", post_id, member_id
        )
        return conversation_from_row(row) if row else None

    async def add_conversation(self, conversation: Conversation) -> bool:
        c = conversation
        status = await self.conn.execute(
            "INSERT INTO conversations (id, post_id, author_id, member_id, started_at,"
            " last_message_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            c.id, c.post_id, c.author_id, c.member_id, c.started_at, c.last_message_at,
        )  # fmt: skip
        if not status.endswith(" 1"):
            return False
        await self.add_events(c.events)
        return True

    async def conversation_for_update(self, conversation_id: str) -> Conversation | None:
        row = await self.conn.fetchrow(
            f"{SELECT_CONVERSATION} WHERE c.id = $1 FOR UPDATE OF c", conversation_id
        )
        return conversation_from_row(row) if row else None

    async def save_conversation(
        self, conversation: Conversation, message: MessageSent | None = None
    ) -> None:
        c = conversation
        if message is not None:
            await self.conn.execute(
                "INSERT INTO messages (id, conversation_id, sender_id, body, sent_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                message.message_id, c.id, message.sender_id, message.body, message.sent_at,
            )  # fmt: skip
        await self.conn.execute(
            "UPDATE conversations SET last_message_at = $2, meeting_noted = $3,"
            " author_read_up_to = $4, member_read_up_to = $5 WHERE id = $1",
            c.id, c.last_message_at, c.meeting_noted, c.author_read_up_to, c.member_read_up_to,
        )  # fmt: skip
        await self.add_events(c.events)

    async def last_message_id(self, conversation_id: str) -> str | None:
        return await self.conn.fetchval(
            "SELECT max(id) FROM messages WHERE conversation_id = $1", conversation_id
        )

    async def has_message(self, conversation_id: str, message_id: str) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE id = $2 AND conversation_id = $1)",
            conversation_id, message_id,
        )  # fmt: skip

    async def message_sender(self, conversation_id: str, message_id: str) -> str | None:
        return await self.conn.fetchval(
            "SELECT sender_id FROM messages WHERE id = $2 AND conversation_id = $1",
            conversation_id, message_id,
        )  # fmt: skip

    async def blocked_between(self, one: str, other: str) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2)"
            " OR (blocker_id = $2 AND blocked_id = $1))",
            one, other,
        )  # fmt: skip

    async def block(self, blocker_id: str, blocked_id: str) -> bool:
        try:
            await self.conn.execute(
                "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)"
                " ON CONFLICT DO NOTHING",
                blocker_id, blocked_id,
            )  # fmt: skip
        except asyncpg.ForeignKeyViolationError:
            return False
        return True

    async def unblock(self, blocker_id: str, blocked_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2", blocker_id, blocked_id
        )

    async def add_conversation_report(
        self, conversation_id: str, message_id: str | None, reporter_id: str,
        reported_id: str, reason: str,
    ) -> bool:  # fmt: skip
        status = await self.conn.execute(
            "INSERT INTO conversation_reports (conversation_id, message_id, reporter_id,"
            " reported_id, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            conversation_id, message_id, reporter_id, reported_id, reason,
        )  # fmt: skip
        return status.endswith(" 1")

    async def add_member_report(self, member_id: str, reporter_id: str, reason: str) -> bool:
        """False when this reporter's report of the member waits in the queue already; a
        report after a decision about the member counts again."""
        status = await self.conn.execute(
            "INSERT INTO member_reports (member_id, reporter_id, reason) VALUES ($1, $2, $3)"
            " ON CONFLICT (member_id, reporter_id) DO UPDATE"
            " SET reason = EXCLUDED.reason, created_at = now()"
            f" WHERE member_reports.created_at <= coalesce(({LAST_DECISION_AT}), '-infinity')",
            member_id, reporter_id, reason,
        )  # fmt: skip
        return status.endswith(" 1")


# When a moderator last decided about the member of a report ($1).
LAST_DECISION_AT = "SELECT max(at) FROM moderation_log WHERE subject_id = $1"


# The read side ------------------------------------------------------------------------
# One row per conversation of $1: the other member, the post, the last message, how many
# the viewer has not read, and how far the other has read (the receipt).
LIST_CONVERSATIONS = """
SELECT c.id, c.post_id, p.title AS post_title, c.started_at, c.last_message_at,
       c.meeting_noted,
       o.id AS other_id, o.display_name AS other_name,
       CASE WHEN c.author_id = $1 THEN c.member_read_up_to ELSE c.author_read_up_to END
           AS seen_up_to,
       lm.id AS last_id, lm.sender_id AS last_sender, lm.body AS last_body,
       lm.sent_at AS last_sent_at,
       (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id
          AND m.sender_id <> $1
          AND m.id > coalesce(CASE WHEN c.author_id = $1 THEN c.author_read_up_to
                                   ELSE c.member_read_up_to END, '')) AS unread,
       EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = $1 AND b.blocked_id = o.id)
           AS blocked_by_me,
       EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = o.id)
          OR (b.blocker_id = o.id AND b.blocked_id = $1)) AS blocked
FROM conversations c
JOIN posts p ON p.id = c.post_id
JOIN accounts o ON o.id = CASE WHEN c.author_id = $1 THEN c.member_id ELSE c.author_id END
LEFT JOIN LATERAL (SELECT id, sender_id, body, sent_at FROM messages m
                   WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) lm ON true
WHERE (c.author_id = $1 OR c.member_id = $1)
"""
MESSAGE_SELECT = (
    "SELECT m.id, m.conversation_id, m.sender_id, a.display_name AS sender_name, m.body,"
    " m.sent_at FROM messages m JOIN accounts a ON a.id = m.sender_id"
)


def conversation_view(row: asyncpg.Record, member_id: str) -> dict[str, Any]:
    last = None
    if row["last_id"] is not None:
        last = {"id": row["last_id"], "sender_id": row["last_sender"],
                "body": row["last_body"], "sent_at": row["last_sent_at"]}  # fmt: skip
    return {
        "id": row["id"],
        "post": {"id": row["post_id"], "title": row["post_title"]},
        "other": {"id": row["other_id"], "display_name": row["other_name"]},
        "started_at": row["started_at"],
        "last_message_at": row["last_message_at"],
        "last_message": last,
        "unread": row["unread"],
        "seen_up_to": row["seen_up_to"],
        "meeting_noted": row["meeting_noted"],
        "can_write": not row["blocked"],
        "blocked_by_me": row["blocked_by_me"],
    }


def message_view(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": row["id"],
        "conversation_id": row["conversation_id"],
        "sender": {"id": row["sender_id"], "display_name": row["sender_name"]},
        "body": row["body"],
        "sent_at": row["sent_at"],
    }


class PostgresConversationQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def conversations(self, member_id: str, cursor: str | None, limit: int) -> dict:
        args: list[Any] = [member_id, limit + 1]
        after = ""
        if cursor:
            args += list(decode_list_cursor(cursor))
            after = " AND (c.last_message_at, c.id) < ($3, $4)"
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"{LIST_CONVERSATIONS}{after} ORDER BY c.last_message_at DESC, c.id DESC LIMIT $2",
                *args,
            )
            unread_total = await conn.fetchval(
                "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                " WHERE (c.author_id = $1 OR c.member_id = $1) AND m.sender_id <> $1"
                " AND m.id > coalesce(CASE WHEN c.author_id = $1 THEN c.author_read_up_to"
                " ELSE c.member_read_up_to END, '')",
                member_id,
            )
        page = rows[:limit]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = encode_list_cursor(page[-1]["last_message_at"], page[-1]["id"])
        return {
            "items": [conversation_view(r, member_id) for r in page],
            "next_cursor": next_cursor,
            "unread": unread_total,
        }

    async def conversation(self, conversation_id: str, member_id: str) -> dict:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(f"{LIST_CONVERSATIONS} AND c.id = $2", member_id,
                                      conversation_id)  # fmt: skip
        if row is None:
            raise NotFound("no such conversation", field="conversation_id")
        return conversation_view(row, member_id)

    async def messages(
        self, conversation_id: str, member_id: str, before: str | None, limit: int
    ) -> dict:
        await self.conversation(conversation_id, member_id)  # NotFound for a third member
        args: list[Any] = [conversation_id, limit + 1]
        older = ""
        if before:
            args.append(decode_cursor(before))
            older = " AND m.id < $3"
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"{MESSAGE_SELECT} WHERE m.conversation_id = $1{older} ORDER BY m.id DESC LIMIT $2",
                *args,
            )
        page = rows[:limit]
        return {
            "items": [message_view(r) for r in reversed(page)],
            "next_cursor": encode_cursor(page[-1]["id"]) if len(rows) > limit else None,
        }

    async def message(self, message_id: str) -> dict:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(f"{MESSAGE_SELECT} WHERE m.id = $1", message_id)
        if row is None:
            raise NotFound("no such message", field="message_id")
        return message_view(row)

    async def blocked(self, member_id: str) -> list[dict]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT a.id, a.display_name FROM blocks b JOIN accounts a ON a.id = b.blocked_id"
                " WHERE b.blocker_id = $1 ORDER BY b.created_at DESC",
                member_id,
            )
        return [{"id": r["id"], "display_name": r["display_name"]} for r in rows]
