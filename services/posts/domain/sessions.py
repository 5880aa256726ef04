"""A member's sessions: rotating refresh tokens, one family per log-in.

A log-in starts a family; each renewal uses the family's newest token once and gets the
next one. A token used a second time was copied (the member's browser already holds its
successor): the whole family is revoked, thief and member alike, and the member logs
in again. Log-out revokes the family; a password change revokes every family.

Only a token's hash is stored: the database never holds a usable token.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


def token_hash(token: str) -> str:
    """SHA-256, hex: the token is 256 random bits, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


# A token exchanged this recently and presented again is a race, not a theft: two tabs
# renewing at once, or an answer lost on the way and the renewal tried again. It gets a
# sibling in its family instead of ending the session.
REUSE_GRACE = timedelta(seconds=10)


class Verdict(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # never issued, or forgotten after it expired
    EXPIRED = "expired"
    REVOKED = "revoked"  # logged out, password changed, or its family was revoked
    RACED = "raced"  # exchanged within REUSE_GRACE: renew again, in the same family
    REUSED = "reused"  # exchanged earlier: copied; revoke the family


@dataclass
class RefreshToken:
    token_hash: str
    family_id: str
    account_id: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    @classmethod
    def issue(
        cls, token: str, family_id: str, account_id: str, now: datetime, ttl: timedelta
    ) -> RefreshToken:
        return cls(token_hash(token), family_id, account_id, now, now + ttl)

    def verdict(self, now: datetime) -> Verdict:
        if self.revoked_at is not None:
            return Verdict.REVOKED
        if self.expires_at <= now:
            return Verdict.EXPIRED
        if self.used_at is not None:
            return Verdict.RACED if now - self.used_at <= REUSE_GRACE else Verdict.REUSED
        return Verdict.VALID


def judge(token: RefreshToken | None, now: datetime) -> Verdict:
    return token.verdict(now) if token is not None else Verdict.UNKNOWN
