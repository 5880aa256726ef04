"""Fakes of the gateway's ports (services/gateway/ports.py): a socket that keeps what is
written to it, and a location publisher that keeps what it is told."""

from __future__ import annotations

import asyncio
import json


class FakeSocket:
    """One client's socket: frames written (decoded), and the close code if closed. A
    ``stuck`` socket never finishes a write, like a client that stopped reading."""

    def __init__(self, stuck: bool = False) -> None:
        self.frames: list[dict] = []
        self.closed_with: tuple[int, str] | None = None
        self.stuck = stuck

    async def send(self, frame: bytes) -> None:
        if self.stuck:
            await asyncio.Event().wait()
        self.frames.append(json.loads(frame))

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)

    def of_type(self, kind: str) -> list[dict]:
        return [f for f in self.frames if f["type"] == kind]

    def events(self, channel: str | None = None) -> list[dict]:
        return [f for f in self.of_type("event") if channel is None or f["channel"] == channel]


class FakeLocations:
    def __init__(self) -> None:
        self.published: list[tuple[str, float, float]] = []

    async def __call__(self, member_id: str, lat: float, lon: float) -> None:
        self.published.append((member_id, lat, lon))


class FakeRoomPublisher:
    """The search rooms' topic: keeps what was published and, like every gateway reading
    it back, hands each event to the hub's rooms (once ``hub`` is set)."""

    def __init__(self) -> None:
        self.published: list = []
        self.hub = None

    async def __call__(self, event) -> None:
        self.published.append(event)
        if self.hub is not None:
            self.hub.rooms.apply(event)
