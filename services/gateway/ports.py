"""What the gateway's hub needs from the world, as protocols: a socket to write to and
close, a way to write one frame to many sockets, and a way to tell where a member is.
The adapters implement them (``websockets``, aiokafka); the unit tier's fakes
(``tests/fakes/gateway.py``) implement them too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.contract.events import Event


class Send(Protocol):
    async def __call__(self, frame: bytes) -> None:
        """Write one text frame to the socket, waiting for room."""


class Close(Protocol):
    async def __call__(self, code: int, reason: str) -> None: ...


class Broadcast(Protocol):
    def __call__(self, connections: Sequence[object], frame: bytes) -> list[int]:
        """Write ``frame`` at once to each connection with room; return the positions of
        those without room (left unwritten, for their queues)."""


class PublishLocation(Protocol):
    async def __call__(self, member_id: str, lat: float, lon: float) -> None:
        """Tell the other services where the member's device is (best effort)."""


class PublishRoomEvent(Protocol):
    async def __call__(self, event: Event) -> None:
        """Put an alert room's event on its restricted topic (raises when it could not:
        the member is told, and may try again)."""
