"""The one clock the services read. Handlers take it as a port (``Clock``), so that the
unit tier can give them a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
