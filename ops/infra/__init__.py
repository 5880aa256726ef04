"""The local infrastructure: real Kafka, PostgreSQL and Redis as processes on loopback."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ops.infra.errors import InfraError
from ops.infra.install import install as install_prerequisites
from ops.infra.kafka import KafkaBroker
from ops.infra.postgres import PostgresServer
from ops.infra.redis import RedisServer
from shared.contract.catalogue import TOPICS
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import Settings

__all__ = ["InfraError", "LocalInfra", "ServerStatus", "install_prerequisites"]


@dataclass(frozen=True)
class ServerStatus:
    name: str
    running: bool
    healthy: bool
    pid: int | None
    address: str


class LocalInfra:
    def __init__(self, settings: Settings) -> None:
        data = settings.data_dir
        self.kafka = KafkaBroker(
            data / "kafka",
            settings.kafka_port,
            settings.kafka_controller_port,
            heap_mb=settings.kafka_heap_mb,
        )
        self.postgres = PostgresServer(data / "postgres", settings.postgres_port)
        self.redis = RedisServer(data / "redis", settings.redis_port)

    @property
    def endpoints(self) -> dict[str, str]:
        return {
            "ENTRAIDE_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "ENTRAIDE_POSTGRES_DSN": self.postgres.dsn,
            "ENTRAIDE_REDIS_URL": self.redis.url,
        }

    async def up(self) -> None:
        """Install what is missing, start what is stopped, wait until each answers."""
        await asyncio.to_thread(install_prerequisites)
        # Kafka's JVM takes longest to start; the other two start meanwhile.
        await asyncio.gather(self.kafka.start(), self.postgres.start(), self.redis.start())
        await ensure_topics(self.kafka.bootstrap, TOPICS)

    def down(self) -> None:
        self.kafka.stop()
        self.postgres.stop()
        self.redis.stop()

    async def status(self) -> list[ServerStatus]:
        kafka_ok, pg_ok, redis_ok = await asyncio.gather(
            self.kafka.healthy(), self.postgres.healthy(), self.redis.healthy()
        )
        return [
            ServerStatus(
                "kafka",
                self.kafka.pid() is not None,
                kafka_ok,
                self.kafka.pid(),
                self.kafka.bootstrap,
            ),
            ServerStatus(
                "postgres",
                self.postgres.running(),
                pg_ok,
                self.postgres.pid(),
                f"127.0.0.1:{self.postgres.port}",
            ),
            ServerStatus(
                "redis",
                self.redis.pid() is not None,
                redis_ok,
                self.redis.pid(),
                f"127.0.0.1:{self.redis.port}",
            ),
        ]
