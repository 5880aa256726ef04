"""What a reader asks of the feed, and the page cursors. Pure: no I/O.

Pages are keyed by the post id (a ULID, so time-ordered): a cursor is the last id of a
page, so pages stay stable while new posts arrive.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from shared.contract.errors import Invalid

ULID_CHARS = 26


@dataclass(frozen=True)
class FeedQuery:
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("open",)
    near: tuple[float, float] | None = None
    within_m: int = 10_000
    text: str | None = None
    cursor: str | None = None
    limit: int = 20


def encode_cursor(post_id: str) -> str:
    return base64.urlsafe_b64encode(post_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise Invalid("malformed cursor", field="cursor") from exc
    if not value.isalnum() or len(value) != ULID_CHARS:
        raise Invalid("malformed cursor", field="cursor")
    return value
