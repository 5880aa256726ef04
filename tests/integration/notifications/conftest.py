"""A notifications service of the test's own: schema, key prefix, topics, keys; a way to
put events on its input topics, read what it publishes, and a webhook receiver."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from aiokafka.admin import AIOKafkaAdminClient

from services.notifications.bootstrap import CONSUMED_TOPICS, NotificationsWiring, bootstrap
from services.notifications.entrypoints.app import create_app
from services.notifications.entrypoints.background import Background
from services.notifications.settings import NotificationsSettings
from shared.contract.catalogue import ALERT_ROOMS, NOTIFICATIONS, dead_letter_topic
from shared.contract.envelope import DecodedEvent, decode_event, new_event_id
from shared.contract.events import Event, NotificationCreated
from shared.runtime.auth import KeyRing, Role
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import ensure_topics
from tests.integration.kafka_tools import read_topic, wait_until
from tests.integration.net import free_port

_ids = itertools.count()


def member_id(name: str) -> str:
    return f"{name}-{next(_ids)}"


@dataclass
class NotificationsHarness:
    settings: NotificationsSettings
    wiring: NotificationsWiring
    background: Background
    client: httpx.AsyncClient
    publisher: EventPublisher
    keys: KeyRing

    def topic(self, name: str) -> str:
        return name + self.settings.topic_namespace

    def auth(self, member: str, role: Role = Role.MEMBER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys.signer().issue(member, role)}"}

    async def put(self, event: Event, event_id: str | None = None) -> str:
        """Publish an event on its (suffixed) catalogue topic; return its id."""
        from shared.contract.catalogue import topic_for

        event_id = event_id or new_event_id()
        await self.publisher.publish(
            event, event_id=event_id, topic=self.topic(topic_for(event).name)
        )
        return event_id

    async def put_raw(self, catalogue_topic: str, value: bytes) -> None:
        await self.publisher.send_raw(self.topic(catalogue_topic), key=b"k", value=value)

    async def notifications(
        self, until: Callable[[list[NotificationCreated]], bool], timeout_s: float = 20.0
    ) -> list[DecodedEvent]:
        def done(records) -> bool:
            return until([decode_event(r.value).event for r in records])

        records = await read_topic(
            self.settings.kafka_bootstrap, self.topic(NOTIFICATIONS.name), 0, timeout_s, done
        )
        return [decode_event(r.value) for r in records]

    async def dead_letters(self, expected: int) -> list:
        return await read_topic(
            self.settings.kafka_bootstrap,
            self.topic(dead_letter_topic("notifications").name),
            expected,
        )


@pytest.fixture
async def make_notifications(
    endpoints, pg_schema, unique, tmp_path
) -> AsyncIterator[Callable[..., Awaitable[NotificationsHarness]]]:
    suffix = f".{unique}"
    names = [t.name + suffix for t in (*CONSUMED_TOPICS, NOTIFICATIONS, ALERT_ROOMS)]
    names.append(dead_letter_topic("notifications").name + suffix)
    await ensure_topics(endpoints.kafka_bootstrap, [(name, 3) for name in names])
    producer = build_producer(endpoints.kafka_bootstrap)
    await producer.start()
    running: list[NotificationsHarness] = []

    async def make(**overrides) -> NotificationsHarness:
        options = dict(
            kafka_bootstrap=endpoints.kafka_bootstrap,
            postgres_dsn=endpoints.postgres_dsn,
            redis_url=endpoints.redis_url,
            postgres_schema=pg_schema,
            redis_prefix=f"test:{unique}",
            topic_namespace=suffix,
            consumer_group=f"test-notifications-{unique}",
            suspended_key=f"test:{unique}:suspended",
            keys_dir=tmp_path / "keys",
            allow_private_webhooks=True,
        )
        settings = NotificationsSettings(**{**options, **overrides})
        wiring = await bootstrap(settings)
        background = await Background(wiring).start()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, wiring)),
            base_url="http://notifications.test",
        )
        harness = NotificationsHarness(
            settings, wiring, background, client, EventPublisher(producer),
            KeyRing(tmp_path / "keys"),
        )  # fmt: skip
        running.append(harness)
        return harness

    yield make
    for harness in running:
        await stop(harness)
    await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()


async def stop(harness: NotificationsHarness) -> None:
    if harness.client.is_closed:
        return
    await harness.client.aclose()
    await harness.background.stop()
    await harness.wiring.close()


@pytest.fixture
async def notifications(make_notifications) -> NotificationsHarness:
    return await make_notifications()


# a partner's webhook receiver ---------------------------------------------------------
@dataclass
class Receiver:
    """A local HTTP endpoint whose answers a test scripts: a list of behaviours, one per
    request ("500", "timeout", "410"), then 200 for good. Any path ending in /slow
    never answers in time (and its requests are counted in ``slow_arrivals``)."""

    url: str
    script: list[str] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)
    slow_arrivals: int = 0

    async def app(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        if scope["path"].endswith("/slow"):
            self.slow_arrivals += 1
            await asyncio.sleep(30)
        behaviour = self.script.pop(0) if self.script else "200"
        if behaviour == "timeout":
            await asyncio.sleep(30)
        status = int(behaviour) if behaviour.isdigit() else 200
        self.received.append((headers, body, status))
        await send({"type": "http.response.start", "status": status, "headers": []})
        # A failing receiver's body may hold anything of its own: it must never be kept.
        answer = b"ok" if status < 500 else b"internal: redis password=hunter2"
        await send({"type": "http.response.body", "body": answer})


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    recv = Receiver(f"http://127.0.0.1:{port}/hooks/entraide")
    server = uvicorn.Server(
        uvicorn.Config(
            recv.app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            lifespan="off",
            interface="asgi3",
        )
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, 10, "the webhook receiver to start")
    yield recv
    server.should_exit = True
    server.force_exit = True
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(task, 5)
