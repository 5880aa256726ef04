"""Settings read from environment variables (prefix ``ENTRAIDE_``).

The default ports are the project's own, not the servers' usual ones, so a
developer's existing PostgreSQL on 5432 or Kafka on 9092 never collides with ours.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENTRAIDE_", extra="ignore")

    # Where the local servers listen (entraide infra up).
    kafka_port: int = 19092
    kafka_controller_port: int = 19093
    postgres_port: int = 15432
    redis_port: int = 16379
    data_dir: Path = Field(default=PROJECT_ROOT / ".data")
    # Kafka's JVM heap; the broker is one of several servers on a 2-core machine.
    kafka_heap_mb: int = 768

    # Where the web client is served (the gateway): the origins the HTTP APIs allow
    # (CORS) and the gateway accepts sockets from.
    # Default: every port `entraide up --scale gateway=N` gives a gateway (18004, 18014...).
    web_origins: tuple[str, ...] = tuple(
        f"http://{host}:{18004 + 10 * k}" for k in range(9) for host in ("127.0.0.1", "localhost")
    )

    # The services' log level. INFO writes a line per request and per event handled,
    # each with its trace id (docs/operations.md); WARNING keeps only the problems.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # A suffix after every topic's name, so that several deployments (a staging copy, a
    # demo, each test or benchmark run) share one Kafka cluster (shared/runtime/topics.py).
    topic_namespace: str = ""

    # Where the services connect; derived from the local ports unless set.
    kafka_bootstrap: str = ""
    postgres_dsn: str = ""
    redis_url: str = ""

    @model_validator(mode="after")
    def _derive_endpoints(self) -> Settings:
        if not self.kafka_bootstrap:
            self.kafka_bootstrap = f"127.0.0.1:{self.kafka_port}"
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
