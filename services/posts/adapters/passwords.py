"""Credentials: password hashing with argon2id (argon2-cffi's defaults follow RFC 9106),
and new refresh tokens."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

REFRESH_TOKEN_BYTES = 32  # 256 bits: unguessable, so stored as a plain SHA-256

_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps the timing the same,
# so a log-in attempt does not reveal which e-mail addresses are registered.
_DUMMY_HASH = _hasher.hash("not a real password")


class Argon2Passwords:
    async def hash(self, password: str) -> str:
        # argon2 takes tens of milliseconds of CPU: off the event loop.
        return await asyncio.to_thread(_hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def verify() -> bool:
            try:
                checked = _hasher.verify(password_hash or _DUMMY_HASH, password)
                return checked and bool(password_hash)
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(verify)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
