"""Gateways of the test's own (topics, keys, a free port each), and socket helpers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from websockets.asyncio.client import ClientConnection, connect

from services.gateway.bootstrap import GatewayWiring, bootstrap
from services.gateway.entrypoints.reader import Reading
from services.gateway.entrypoints.server import GatewayServer, close_all
from services.gateway.settings import GatewaySettings
from shared.contract.catalogue import (
    ALERT_ROOMS,
    ALERTS,
    CONVERSATIONS,
    MEMBER_LOCATIONS,
    MEMBER_STATUS,
    NOTIFICATIONS,
    POSTS,
    REPLIES,
    topic_for,
)
from shared.contract.envelope import new_event_id
from shared.contract.events import Event
from shared.runtime.auth import KeyRing, Role
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import ensure_topics
from tests.integration.kafka_tools import wait_until
from tests.integration.net import free_port, with_token
from tests.integration.notifications.conftest import (  # noqa: F401 (fixtures, reused)
    make_notifications,
)
from tests.integration.posts.conftest import make_posts  # noqa: F401 (a fixture, reused)

GATEWAY_TOPICS = (
    POSTS, REPLIES, NOTIFICATIONS, CONVERSATIONS, MEMBER_LOCATIONS, ALERTS, ALERT_ROOMS,
    MEMBER_STATUS,
)  # fmt: skip


@dataclass
class RunningGateway:
    gateway: GatewayWiring
    reading: Reading
    server: object
    port: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def records_read(gateway: RunningGateway) -> int:
    """How many records the gateway has read, over all its partitions (each test has
    fresh topics, so offsets start at 0)."""
    return sum(position + 1 for position in gateway.gateway.streams.positions)


async def read_at_least(gateway: RunningGateway, count: int, timeout_s: float = 30) -> None:
    await wait_until(lambda: records_read(gateway) >= count, timeout_s, f"{count} records read")


class Socket:
    """A client connection that collects frames as they come."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict] = []
        self.closed_with: int | None = None
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                self.frames.append(json.loads(message))
        except Exception:
            pass
        self.closed_with = self.ws.close_code

    async def send(self, frame: dict | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def events(self, channel: str | None = None) -> list[dict]:
        events = [f for f in self.frames if f["type"] == "event"]
        return [f for f in events if channel is None or f["channel"] == channel]

    def last_cursor(self) -> str | None:
        """The cursor to resume from: the newest frame that carries one."""
        with_cursor = [f["cursor"] for f in self.frames if f.get("cursor")]
        return with_cursor[-1] if with_cursor else None

    def of_type(self, kind: str) -> list[dict]:
        return [f for f in self.frames if f["type"] == kind]

    async def wait_for(self, condition: Callable[[Socket], bool], timeout_s=15.0, what=""):
        await wait_until(lambda: condition(self), timeout_s, what or "frames")

    async def subscribe(self, channel: str, **fields) -> None:
        before = len(self.of_type("subscribed")) + len(self.of_type("error"))
        await self.send({"type": "subscribe", "channel": channel, **fields})
        await self.wait_for(
            lambda s: len(s.of_type("subscribed")) + len(s.of_type("error")) > before,
            5, f"subscribed to {channel}",
        )  # fmt: skip

    async def close(self) -> None:
        await self.ws.close()
        with contextlib.suppress(Exception):
            await self._reader


@dataclass
class GatewayKit:
    suffix: str
    keys: KeyRing
    publisher: EventPublisher
    start: Callable[..., Awaitable[RunningGateway]]

    def token(self, member: str, role: Role = Role.MEMBER) -> str:
        return self.keys.signer().issue(member, role)

    async def put(self, event: Event, event_id: str | None = None) -> str:
        event_id = event_id or new_event_id()
        await self.publisher.publish(
            event, event_id=event_id, topic=topic_for(event).name + self.suffix
        )
        return event_id

    async def socket(self, gateway: RunningGateway, token: str | None = None, **kw) -> Socket:
        return Socket(await connect(gateway.url, **with_token(token), **kw))


@pytest.fixture
async def gateways(endpoints, unique, tmp_path) -> AsyncIterator[GatewayKit]:
    suffix = f".{unique}"
    names = [t.name + suffix for t in GATEWAY_TOPICS]
    await ensure_topics(endpoints.kafka_bootstrap, [(name, 3) for name in names])
    producer = build_producer(endpoints.kafka_bootstrap)
    await producer.start()
    running: list[RunningGateway] = []
    keys = KeyRing(tmp_path / "keys")
    keys.ensure()

    async def start(**overrides) -> RunningGateway:
        port = overrides.pop("http_port", None) or free_port()
        options = dict(
            kafka_bootstrap=endpoints.kafka_bootstrap, topic_namespace=suffix,
            keys_dir=tmp_path / "keys", http_port=port,
        )  # fmt: skip
        settings = GatewaySettings(**{**options, **overrides})
        gateway = await bootstrap(settings)
        reading = await Reading(gateway).start()
        server = await GatewayServer(gateway).serve("127.0.0.1", port)
        await wait_until(lambda: gateway.caught_up, 20, "the gateway to catch up")
        handle = RunningGateway(gateway, reading, server, port)
        running.append(handle)
        return handle

    yield GatewayKit(suffix, keys, EventPublisher(producer), start)
    for handle in running:
        await close_all(handle.gateway)
        handle.server.close()
        await handle.server.wait_closed()
        await handle.reading.stop()
        await handle.gateway.close()
    await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
    await admin.start()
    try:
        # Some may be gone already: the posts harness deletes the topics it shares.
        with contextlib.suppress(Exception):
            await admin.delete_topics(names)
    finally:
        await admin.close()
