"""Feed clients that resume as docs/protocol.md says: on any close they reconnect (to
the gateway, as soon as it takes sockets again) and subscribe with their last cursor."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import orjson
from websockets.asyncio.client import connect

RECONNECT_WAIT_S = 0.5


@dataclass
class FeedClient:
    url: str
    cursor: str | None = None
    frames: Counter = field(default_factory=Counter)  # event id -> frames received
    post_events: dict[str, set[str]] = field(default_factory=dict)  # post id -> event ids
    arrived: dict[str, float] = field(default_factory=dict)  # post id -> first arrival
    snapshots: int = 0
    reconnects: int = 0
    closes: Counter = field(default_factory=Counter)  # close code (or refusal) -> count

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async with connect(self.url, compression=None, max_size=2**22) as ws:
                    subscribe = {"type": "subscribe", "channel": "feed"}
                    if self.cursor:
                        subscribe["cursor"] = self.cursor
                    await ws.send(orjson.dumps(subscribe).decode())
                    async for message in ws:
                        self._frame(orjson.loads(message))
                        if stop.is_set():
                            break
                    self.closes[ws.close_code] += 1
            except Exception as exc:  # refused while it restarts, or dropped: again
                self.closes[type(exc).__name__] += 1
            if not stop.is_set():
                self.reconnects += 1
                await asyncio.sleep(RECONNECT_WAIT_S)

    def _frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "snapshot_required":
            self.snapshots += 1
        if frame.get("cursor"):
            self.cursor = frame["cursor"]
        if kind != "event":
            return
        event = frame["event"]
        self.frames[event["id"]] += 1
        post_id = event["data"].get("post_id")
        if event["type"].endswith("post.created.v1") and post_id:
            self.post_events.setdefault(post_id, set()).add(event["id"])
            self.arrived.setdefault(post_id, time.monotonic())

    @property
    def duplicate_frames(self) -> int:
        return sum(n - 1 for n in self.frames.values() if n > 1)


async def open_clients(url: str, count: int, stop: asyncio.Event) -> tuple[list, list]:
    clients = [FeedClient(url) for _ in range(count)]
    tasks = [asyncio.create_task(client.run(stop)) for client in clients]
    while sum(c.cursor is not None for c in clients) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.2)  # every one subscribed (it has a cursor)
    return clients, tasks
