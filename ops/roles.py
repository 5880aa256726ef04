"""The operator's way to the first moderator (and any role): `entraide grant EMAIL ROLE`.

Moderators grant roles to others from the API (and the console); the first one has
nobody to grant it, so the operator does, on the posts database, with the audit log.
"""

from __future__ import annotations

import asyncpg

from services.posts.settings import PostsSettings
from shared.contract.identity import Role

OPERATOR = "operator"


async def grant(settings: PostsSettings, email: str, role: Role, reason: str) -> str:
    """The member's id; raise LookupError when no account has this e-mail."""
    schema = settings.postgres_schema
    conn = await asyncpg.connect(
        settings.postgres_dsn, server_settings={"search_path": schema} if schema else None
    )
    try:
        async with conn.transaction():
            member_id = await conn.fetchval(
                "UPDATE accounts SET role = $2, updated_at = now() WHERE lower(email) = lower($1)"
                " RETURNING id",
                email, role.value,
            )  # fmt: skip
            if member_id is None:
                raise LookupError(f"no account has the e-mail {email}")
            await conn.execute(
                "INSERT INTO moderation_log (moderator_id, action, subject_id, detail, reason)"
                " VALUES ($1, 'grant_role', $2, $3, $4)",
                OPERATOR, member_id, role.value, reason,
            )  # fmt: skip
    finally:
        await conn.close()
    return member_id
