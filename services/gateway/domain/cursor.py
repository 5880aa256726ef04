"""Cursors: where a client is in the streams, bound to the member who received it.

A cursor is a vector: for each partition of the topics the gateway serves, the last
offset the client's stream has passed (delivered, or filtered out for it). Kafka
offsets are the same for every gateway, so a cursor from one gateway resumes on any
other: it sends what lies after each offset. The vector is followed by a tag, an HMAC
of the vector and the member (``anonymous`` without a token) under a secret shared by
the gateways: a forged cursor, or another member's, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

TAG_BYTES = 12
ANONYMOUS = "anonymous"


class InvalidCursor(ValueError):
    pass


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_vector(offsets: Sequence[int]) -> str:
    """One slot per partition (in the gateway's fixed order); -1 means "nothing yet"."""
    raw = b"".join(_varint(offset + 1) for offset in offsets)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_vector(text: str, slots: int) -> list[int]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise InvalidCursor("not a cursor") from exc
    offsets, value, shift = [], 0, 0
    for byte in raw:
        value |= (byte & 0x7F) << shift
        shift += 7
        if shift > 63:
            raise InvalidCursor("not a cursor")
        if not byte & 0x80:
            offsets.append(value - 1)
            value, shift = 0, 0
    if shift or len(offsets) != slots:
        raise InvalidCursor("a cursor of another stream layout")
    return offsets


def tag(secret: bytes, member: str, vector: str) -> str:
    digest = hmac.new(secret, f"{member}|{vector}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TAG_BYTES]).rstrip(b"=").decode()


def sign(secret: bytes, member: str, vector: str) -> str:
    return f"{vector}.{tag(secret, member, vector)}"


def verify(secret: bytes, member: str, cursor: str, slots: int) -> list[int]:
    """The offsets of a cursor this member received; InvalidCursor otherwise."""
    vector, _, given = cursor.partition(".")
    if not given or not hmac.compare_digest(given, tag(secret, member, vector)):
        raise InvalidCursor("this cursor was not issued to this connection's member")
    return decode_vector(vector, slots)
