"""Credentials: password hashing with argon2id (argon2-cffi's defaults follow RFC 9106),
how guessable a new password is (zxcvbn), and new refresh tokens."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

REFRESH_TOKEN_BYTES = 32  # 256 bits: unguessable, so stored as a plain SHA-256
# zxcvbn's scale: 0-2 fall to an offline attack on a leaked hash within days; 3 is
# "safely unguessable" for a throttled online attack and slow (argon2) offline ones.
MIN_SCORE = 3
ZXCVBN_MAX_CHARS = 100  # zxcvbn's cost grows with length; past this, length is enough
# zxcvbn's dictionaries are English: the French passwords people choose most, and the
# site's own name, counted as the common words they are.
FRENCH_COMMON = (
    "motdepasse", "azerty", "azertyuiop", "entraide", "bonjour", "soleil", "doudou",
    "chouchou", "loulou", "marseille", "paris", "france", "amour", "jetaime", "coucou",
    "chocolat", "princesse", "nicolas", "camille", "julien", "marine", "thomas", "maman",
    "papa", "bisous", "vacances", "liberte", "football", "olympique",
)  # fmt: skip

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

    async def too_guessable(self, password: str, about_the_member: list[str]) -> bool:
        # zxcvbn takes milliseconds on a long password: off the event loop too.
        return await asyncio.to_thread(too_guessable, password, about_the_member)


def too_guessable(password: str, about_the_member: list[str]) -> bool:
    """True when zxcvbn scores it under MIN_SCORE, counting the member's own e-mail and
    name (and French favourites) as words an attacker tries first."""
    hints = [*FRENCH_COMMON, *(h for h in about_the_member if h)]
    hints += [h.split("@")[0] for h in about_the_member if "@" in h]
    return zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=hints)["score"] < MIN_SCORE


def new_refresh_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
