"""Where the tests find Kafka, PostgreSQL and Redis.

In order: the ENTRAIDE_* environment variables if all three are set; else
testcontainers when a Docker engine answers; else the local servers that
`entraide infra up` runs (installed and started once per test session).
The same tests run on every path.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.integration.net import free_port

ENDPOINT_VARIABLES = ("ENTRAIDE_KAFKA_BOOTSTRAP", "ENTRAIDE_POSTGRES_DSN", "ENTRAIDE_REDIS_URL")


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    postgres_dsn: str
    redis_url: str
    origin: str  # "environment", "testcontainers" or "local"


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


def _from_testcontainers() -> Iterator[Endpoints]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer
    from testcontainers.redis import RedisContainer

    from ops.infra.install import kafka_version

    with (
        KafkaContainer(f"apache/kafka:{kafka_version()}").with_kraft() as kafka,
        PostgresContainer("postgres:15", driver=None) as postgres,
        RedisContainer("redis:7") as redis,
    ):
        host, port = redis.get_container_host_ip(), redis.get_exposed_port(6379)
        yield Endpoints(
            kafka_bootstrap=kafka.get_bootstrap_server(),
            postgres_dsn=postgres.get_connection_url(),
            redis_url=f"redis://{host}:{port}/0",
            origin="testcontainers",
        )


def _from_local_servers() -> Iterator[Endpoints]:
    from ops.infra import LocalInfra, brokers_in_use
    from shared.runtime.settings import Settings

    brokers = brokers_in_use(Settings())  # a local cluster `entraide up` made
    if brokers:
        os.environ["ENTRAIDE_KAFKA_BROKERS"] = str(brokers)
    infra = LocalInfra(Settings())
    asyncio.run(infra.up())
    # Left running after the session: the next run (or `make up`) reuses them.
    yield Endpoints(infra.kafka_bootstrap, infra.postgres.dsn, infra.redis.url, origin="local")


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    if all(os.environ.get(name) for name in ENDPOINT_VARIABLES):
        yield Endpoints(*(os.environ[name] for name in ENDPOINT_VARIABLES), origin="environment")
    elif _docker_answers():
        yield from _from_testcontainers()
    else:
        yield from _from_local_servers()


@pytest.fixture
def unique() -> str:
    """A fresh name part, so tests never share topics, groups, schemas or keys."""
    return uuid.uuid4().hex[:12]


class Mailbox:
    """A real SMTP server (aiosmtpd) of the test's own: what the services send arrives
    here, over a real SMTP connection, and the test reads it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def wait_for(self, address: str, count: int = 1, timeout_s: float = 15.0) -> EmailMessage:
        """The ``count``-th message to ``address``, once it has arrived."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(self.to(address)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no mail #{count} to {address} within {timeout_s}s")
            await asyncio.sleep(0.05)
        return self.to(address)[count - 1]


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
