"""Settings read from environment variables (prefix ``ENTRAIDE_``).

The default ports are the project's own, not the servers' usual ones, so a
developer's existing PostgreSQL on 5432 or Kafka on 9092 never collides with ours.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BROKER_PORT_STEP = 100


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENTRAIDE_", extra="ignore")

    # Where the local servers listen (entraide infra up).
    kafka_port: int = 19092
    kafka_controller_port: int = 19093
    postgres_port: int = 15432
    redis_port: int = 16379
    # The SMTP server mail leaves through (the local one: aiosmtpd, keeping each message
    # in .data/mail/maildir; in production, any relay).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 11025
    data_dir: Path = Field(default=PROJECT_ROOT / ".data")
    # Kafka's JVM heap; the broker is one of several servers on a 2-core machine.
    kafka_heap_mb: int = 768
    # Brokers of the local Kafka: 1, or 3 as operators run it (each on kafka_port + 100 k,
    # its controller on kafka_controller_port + 100 k). With 3 the topics get three
    # replicas and min.insync.replicas 2: the loss of any one broker loses nothing.
    kafka_brokers: Annotated[int, Field(ge=1, le=5)] = 1
    # Replicas of each topic the services create; 0: 3 with three brokers or more, else 1.
    kafka_replication_factor: int = 0

    # Where the web client is served (the gateway): the origins the HTTP APIs allow
    # (CORS) and the gateway accepts sockets from.
    # Default: every port `entraide up --scale gateway=N` gives a gateway (18004, 18014...).
    web_origins: tuple[str, ...] = tuple(
        f"http://{host}:{18004 + 10 * k}" for k in range(9) for host in ("127.0.0.1", "localhost")
    )

    # /metrics is for the operator's Prometheus, not the public: with a token set, it
    # answers only a request bearing it (Authorization: Bearer <token>), 401 otherwise.
    # Unset (development), it answers anyone on the port.
    metrics_token: str | None = None

    # The Redis set of suspended members every HTTP service checks (shared/runtime/
    # revocations.py): one key for all of them, whatever each service's own prefix.
    suspended_key: str = "entraide:suspended"

    # The services' log level. INFO writes a line per request and per event handled,
    # each with its trace id (docs/operations.md); WARNING keeps only the problems.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # A suffix after every topic's name, so that several deployments (a staging copy, a
    # demo, each test or benchmark run) share one Kafka cluster (shared/runtime/topics.py).
    topic_namespace: str = ""

    # A consumer's stable name in its group (Kafka's static membership): a process
    # restarted under the same name gets its partitions back at once, instead of after
    # the dead one's session times out (10 s). `entraide up` names each instance; in
    # Kubernetes use a StatefulSet's pod name. None: a new member at each start.
    consumer_instance_id: str | None = None

    # Where the services connect; derived from the local ports unless set.
    kafka_bootstrap: str = ""
    postgres_dsn: str = ""
    redis_url: str = ""

    @property
    def kafka_ports(self) -> list[int]:
        """The local brokers' client ports."""
        return [self.kafka_port + BROKER_PORT_STEP * k for k in range(self.kafka_brokers)]

    @property
    def kafka_min_insync(self) -> int:
        return 2 if self.kafka_replication_factor >= 3 else 1

    @model_validator(mode="after")
    def _derive_endpoints(self) -> Settings:
        if not self.kafka_replication_factor:
            self.kafka_replication_factor = 3 if self.kafka_brokers >= 3 else 1
        if not self.kafka_bootstrap:
            self.kafka_bootstrap = ",".join(f"127.0.0.1:{port}" for port in self.kafka_ports)
        if not self.postgres_dsn:
            self.postgres_dsn = (
                f"postgresql://entraide:entraide@127.0.0.1:{self.postgres_port}/entraide"
            )
        if not self.redis_url:
            self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
