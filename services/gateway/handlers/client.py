"""One connection as the hub sees it: its member, subscriptions, location, rate limit,
and its bounded send buffer, drained by its own writer task.

The hub never waits on a socket: a frame is written at once when nothing waits before
it, else queued; a client whose queue overflows is closed (4008), so a slow reader
never slows the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import TYPE_CHECKING

import orjson

from services.gateway.domain import cursor as cursors
from services.gateway.domain import protocol as P
from services.gateway.domain.subscriptions import Subscription
from services.gateway.ports import Close, Send

if TYPE_CHECKING:
    from services.gateway.handlers.hub import Hub


class Client:
    """One connection: its member, subscriptions, send buffer and rate limit."""

    def __init__(
        self,
        send: Send,
        close: Close,
        member: str | None,
        hub: Hub,
        connection: object | None = None,
        name: str = "",
    ) -> None:
        """``connection``: the socket, for writing a frame at once with the hub's
        ``broadcast``; without one, every frame goes through ``send`` in order. ``name``:
        the member's display name, from their token (what a search room shows)."""
        self._send = send
        self.connection = connection
        self._close = close
        self.member = member
        self.member_key = member or cursors.ANONYMOUS
        self.name = name
        self.hub = hub
        self.subs: dict[str, Subscription] = {}
        self.location: tuple[float, float] | None = None
        self.bucket = P.TokenBucket(hub.frames_per_s, hub.frame_burst, time.monotonic())
        self.refused = 0
        self._queue: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self._replay_left = 0  # replayed frames still queued: not counted against the bound
        self.closed = False

    # sending -------------------------------------------------------------------------
    def push(self, frame: bytes, replay: bool = False) -> None:
        if self.closed:
            return
        # The common case, nothing waiting: write now, as a bare broadcast would, with no
        # task switch per socket. When the socket's write buffer is full, the frame waits
        # in the bounded queue for the writer task.
        if self.can_write_now() and not self.hub.broadcast([self.connection], frame):
            return
        self.enqueue(frame, replay)

    def can_write_now(self) -> bool:
        """Nothing waits before a new frame (the socket's own room is the broadcast's
        check)."""
        return not self._queue and self.connection is not None

    def enqueue(self, frame: bytes, replay: bool = False) -> None:
        if self.closed:
            return
        if replay:
            self._replay_left += 1
        elif len(self._queue) - self._replay_left >= self.hub.send_buffer_frames:
            self.hub.drop_slow(self)
            return
        self._queue.append(frame)
        self._ready.set()

    def push_json(self, message: dict) -> None:
        self.push(orjson.dumps(message))

    async def writer(self) -> None:
        while not self.closed:
            await self._ready.wait()
            self._ready.clear()
            while self._queue and not self.closed:
                frame = self._queue.popleft()
                if self._replay_left:
                    self._replay_left -= 1
                await self._send(frame)

    async def close(self, code: int, reason: str) -> None:
        self.closed = True
        self._ready.set()
        with contextlib.suppress(Exception):
            await self._close(code, reason)

    def error(
        self, code: str, message: str, field: str | None = None, channel: str | None = None
    ) -> None:
        """``channel``: the channel the refusal is about (a search room's), if any."""
        body = {"type": "error", "code": code, "message": message}
        if field:
            body["field"] = field
        if channel:
            body["channel"] = channel
        self.push_json(body)
