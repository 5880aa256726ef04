"""Who is acting: a member's id and role, as an access token proves them.

The runtime verifies tokens (``shared.runtime.auth``); handlers only ever see these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    PARTNER = "partner"
    MODERATOR = "moderator"


@dataclass(frozen=True)
class Claims:
    member_id: str
    role: Role
    expires_at: int
    # The name others see, as it was when the token was issued: events carry it, so a
    # post or reply shown live names its author (a renamed member's next token says so).
    display_name: str = ""
