"""The whole system as separate processes, the way `entraide up` runs it, isolated for
one test: topics with a suffix, its own PostgreSQL schemas, Redis prefix, keys and
ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from ops.local import is_ready
from shared.contract.catalogue import TOPICS
from shared.runtime.auth import KeyRing
from shared.runtime.kafka.admin import delete_topics_named_with, ensure_topics
from shared.runtime.settings import PROJECT_ROOT
from tests.integration.net import free_ports
from tests.integration.notifications.conftest import receiver  # noqa: F401 (a fixture)

READY_TIMEOUT_S = 90

MODULES = {
    "posts": "services.posts.entrypoints.main",
    "matching": "services.matching.entrypoints.worker",
    "notifications": "services.notifications.entrypoints.main",
    "gateway": "services.gateway.entrypoints.main",
}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class System:
    env: dict[str, str]
    home: Path
    processes: list[Process] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)

    def start(self, name: str, port: int | None = None) -> Process:
        port = port or free_ports(1)[0]
        env = {**self.env, "ENTRAIDE_HTTP_PORT": str(port)}
        if name == "notifications":
            env["ENTRAIDE_POSTGRES_SCHEMA"] = (
                self.env["ENTRAIDE_POSTGRES_SCHEMA"] + "_notifications"
            )
        log = self.home / f"{name}-{len(self.processes)}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", MODULES[name]],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, port, log)
        self.processes.append(process)
        self.wait_ready(process)
        return process

    def wait_ready(self, process: Process) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not is_ready(process.url):
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"{process.name} not ready:\n{process.log.read_text()[-3000:]}"
                )
            time.sleep(0.2)

    def url(self, name: str) -> str:
        return next(p.url for p in self.processes if p.name == name and p.popen.poll() is None)

    def of(self, name: str) -> list[Process]:
        return [p for p in self.processes if p.name == name and p.popen.poll() is None]

    def kill(self, process: Process) -> None:
        process.popen.send_signal(signal.SIGKILL)
        process.popen.wait(10)

    def stop(self) -> None:
        for p in self.processes:
            if p.popen.poll() is None:
                p.popen.terminate()
        for p in self.processes:
            try:
                p.popen.wait(20)
            except subprocess.TimeoutExpired:
                p.popen.kill()


@pytest.fixture
async def system(endpoints, unique, tmp_path, smtp) -> Iterator[System]:
    suffix = f".{unique}"
    schema = f"e2e_{unique}"
    # The catalogue's partition counts: matching's tables are sized by them.
    await ensure_topics(
        endpoints.kafka_bootstrap, [(t.name + suffix, t.partitions) for t in TOPICS]
    )
    keys = tmp_path / "keys"
    KeyRing(keys).ensure()
    gateway_port, posts_port, notifications_port = free_ports(3)
    origin = f"http://127.0.0.1:{gateway_port}"
    env = {
        **os.environ,
        "ENTRAIDE_KAFKA_BOOTSTRAP": endpoints.kafka_bootstrap,
        "ENTRAIDE_POSTGRES_DSN": endpoints.postgres_dsn,
        "ENTRAIDE_REDIS_URL": endpoints.redis_url,
        "ENTRAIDE_TOPIC_NAMESPACE": suffix,
        "ENTRAIDE_POSTGRES_SCHEMA": schema,
        "ENTRAIDE_REDIS_PREFIX": f"e2e:{unique}",
        "ENTRAIDE_SUSPENDED_KEY": f"e2e:{unique}:suspended",
        "ENTRAIDE_CONSUMER_GROUP": f"e2e-notifications-{unique}",
        "ENTRAIDE_KEYS_DIR": str(keys),
        "ENTRAIDE_DATA_DIR": str(tmp_path / "data"),
        "ENTRAIDE_WEB_ORIGINS": f'["{origin}"]',
        "ENTRAIDE_POSTS_URL": f"http://127.0.0.1:{posts_port}",
        "ENTRAIDE_NOTIFICATIONS_URL": f"http://127.0.0.1:{notifications_port}",
        "ENTRAIDE_ALLOW_PRIVATE_WEBHOOKS": "true",
        # Mail goes to the test's own SMTP server (the `smtp` fixture), links to its origin.
        "ENTRAIDE_SMTP_PORT": str(smtp.port),
        "ENTRAIDE_WEB_URL": origin,
        "ENTRAIDE_WEBHOOK_RETRY_SCHEDULE_S": "[0.5, 1, 2, 4]",
    }
    running = System(env, tmp_path)
    running.ports = {"gateway": gateway_port, "posts": posts_port,
                     "notifications": notifications_port}  # fmt: skip
    try:
        yield running
    finally:
        running.stop()
        conn = await asyncpg.connect(endpoints.postgres_dsn)
        for name in (schema, schema + "_notifications"):
            await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await conn.close()
        await delete_topics_named_with(endpoints.kafka_bootstrap, unique)
