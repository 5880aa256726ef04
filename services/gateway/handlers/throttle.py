"""At most one update per key in an interval, and never the latest lost: an update that
comes sooner waits for the end of the interval, replacing any that already waited.
(A device's location for the notifications service; a helper's position in a room.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from typing import Any


class LatestWins:
    def __init__(self) -> None:
        self._sent_at: dict[Hashable, float] = {}
        self._waiting: dict[Hashable, tuple[Any, Callable[[Any], None]]] = {}

    def submit(
        self, key: Hashable, value: Any, send: Callable[[Any], None], interval_s: float
    ) -> None:
        """``send(value)`` now if the key's interval is over; else when it is, with the
        latest value submitted by then (``send`` may still decide to drop it)."""
        wait_s = self._sent_at.get(key, float("-inf")) + interval_s - time.monotonic()
        if wait_s <= 0:
            self._sent_at[key] = time.monotonic()
            send(value)
            return
        first_waiting = key not in self._waiting
        self._waiting[key] = (value, send)
        if first_waiting:
            asyncio.get_running_loop().call_later(wait_s, self._send_waiting, key)

    def _send_waiting(self, key: Hashable) -> None:
        waiting = self._waiting.pop(key, None)
        if waiting is not None:
            self._sent_at[key] = time.monotonic()
            value, send = waiting
            send(value)

    def forget(self, which: Callable[[Hashable], bool]) -> None:
        """Drop the keys ``which`` accepts, and what waits for them (never sent)."""
        for key in [k for k in self._sent_at if which(k)]:
            del self._sent_at[key]
        for key in [k for k in self._waiting if which(k)]:
            del self._waiting[key]
