"""W3C trace context (``traceparent``), carried in and out through Kafka headers.

Small on purpose: the services only need to start a trace at the HTTP edge, pass it
along, and log it. A full OpenTelemetry SDK can replace this without changing callers.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

TRACEPARENT_HEADER = "traceparent"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

current_traceparent: ContextVar[str | None] = ContextVar("current_traceparent", default=None)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None) -> str:
    """Same trace, new span id; a fresh trace when the parent is missing or malformed."""
    match = _TRACEPARENT.match(parent or "")
    if match is None or set(match.group(1)) == {"0"}:
        return new_traceparent()
    return f"00-{match.group(1)}-{secrets.token_hex(8)}-{match.group(3)}"


def trace_id(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None


def traceparent_from_headers(headers: list[tuple[str, bytes]] | tuple | None) -> str | None:
    for name, value in headers or ():
        if name == TRACEPARENT_HEADER and value:
            text = value.decode("ascii", errors="replace")
            return text if _TRACEPARENT.match(text) else None
    return None
