"""The local infrastructure: real Kafka, PostgreSQL and Redis as processes on loopback."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from ops.infra.errors import InfraError
from ops.infra.install import install as install_prerequisites
from ops.infra.kafka import KafkaBroker
from ops.infra.mail import MailServer
from ops.infra.postgres import PostgresServer
from ops.infra.redis import RedisServer
from shared.runtime.kafka.topics import create_catalogue_topics
from shared.runtime.settings import BROKER_PORT_STEP, Settings

__all__ = ["InfraError", "LocalInfra", "ServerStatus", "brokers_in_use", "install_prerequisites"]


def brokers_marker(settings: Settings) -> Path:
    return settings.data_dir / "kafka" / "brokers"


def brokers_in_use(settings: Settings) -> int | None:
    """How many brokers the local Kafka's data was made for, when the environment does
    not say (so `entraide down` stops a cluster that `entraide up --kafka-brokers 3` made)."""
    if "ENTRAIDE_KAFKA_BROKERS" in os.environ:
        return None
    try:
        return int(brokers_marker(settings).read_text())
    except (FileNotFoundError, ValueError):
        return None


@dataclass(frozen=True)
class ServerStatus:
    name: str
    running: bool
    healthy: bool
    pid: int | None
    address: str


class LocalInfra:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        data = settings.data_dir
        step = BROKER_PORT_STEP
        voters = {n + 1: settings.kafka_controller_port + step * n
                  for n in range(settings.kafka_brokers)}  # fmt: skip
        self.brokers = [
            KafkaBroker(
                data / ("kafka" if n == 0 else f"kafka-{n + 1}"),
                settings.kafka_port + step * n,
                settings.kafka_controller_port + step * n,
                heap_mb=settings.kafka_heap_mb,
                node_id=n + 1,
                voters=voters if settings.kafka_brokers > 1 else None,
                cluster_id_file=data / "kafka-cluster.id" if settings.kafka_brokers > 1 else None,
            )
            for n in range(settings.kafka_brokers)
        ]
        self.kafka = self.brokers[0]
        self.postgres = PostgresServer(data / "postgres", settings.postgres_port)
        self.redis = RedisServer(data / "redis", settings.redis_port)
        self.mail = MailServer(data / "mail", settings.smtp_port)

    @property
    def kafka_bootstrap(self) -> str:
        return ",".join(broker.bootstrap for broker in self.brokers)

    @property
    def endpoints(self) -> dict[str, str]:
        return {
            "ENTRAIDE_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "ENTRAIDE_POSTGRES_DSN": self.postgres.dsn,
            "ENTRAIDE_REDIS_URL": self.redis.url,
            "ENTRAIDE_SMTP_PORT": str(self.mail.port),
        }

    def servers(self) -> list:
        """Every server, each with ``name``, ``pid()`` and ``start()``."""
        return [*self.brokers, self.postgres, self.redis, self.mail]

    async def up(self) -> None:
        """Install what is missing, start what is stopped, wait until each answers."""
        await asyncio.to_thread(install_prerequisites)
        self._check_cluster_size()
        for broker in self.brokers:  # all starting before any waits: they elect together
            broker.launch()
        # Kafka's JVMs take longest to start; the other two start meanwhile.
        await asyncio.gather(
            *(broker.wait_ready() for broker in self.brokers),
            self.postgres.start(),
            self.redis.start(),
            self.mail.start(),
        )
        await create_catalogue_topics(self.settings.model_copy(
            update={"kafka_bootstrap": self.kafka_bootstrap, "topic_namespace": ""}
        ))  # fmt: skip

    def _check_cluster_size(self) -> None:
        """Refuse to start a cluster on data made for another number of brokers: their
        controller quorum is fixed when the storage is formatted."""
        marker = brokers_marker(self.settings)
        if marker.exists() and int(marker.read_text()) != len(self.brokers):
            raise InfraError(
                f"the Kafka data in {marker.parent} is for {marker.read_text().strip()} "
                f"broker(s), not {len(self.brokers)}",
                "entraide down, then remove .data/kafka* (its topics and messages go), "
                "or keep ENTRAIDE_KAFKA_BROKERS as it was",
            )
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(len(self.brokers)))

    def down(self) -> None:
        for broker in self.brokers:
            broker.stop()
        self.postgres.stop()
        self.redis.stop()
        self.mail.stop()

    async def status(self) -> list[ServerStatus]:
        *kafka_ok, pg_ok, redis_ok, mail_ok = await asyncio.gather(
            *(broker.healthy() for broker in self.brokers),
            self.postgres.healthy(),
            self.redis.healthy(),
            self.mail.healthy(),
        )
        return [
            *(
                ServerStatus(
                    broker.name, broker.pid() is not None, ok, broker.pid(), broker.bootstrap
                )
                for broker, ok in zip(self.brokers, kafka_ok, strict=True)
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
            ServerStatus(
                "mail",
                self.mail.pid() is not None,
                mail_ok,
                self.mail.pid(),
                f"127.0.0.1:{self.mail.port} (messages in {self.mail.maildir})",
            ),
        ]
