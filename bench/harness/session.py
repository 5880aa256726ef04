"""One benchmark run on the local servers of `entraide infra up`: its tag, in every topic,
schema and Redis key it makes; the processes it starts; its results file. Everything it
made is removed at the end: the local servers outlive runs, and leftovers (once 906
topics and 700,000 Redis keys) weighed on every later run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

from ops.infra import LocalInfra
from ops.local import wait_until_ready
from shared.contract.catalogue import Topic
from shared.runtime.kafka.admin import delete_topics_named_with, ensure_topics
from shared.runtime.settings import PROJECT_ROOT, Settings
from shared.runtime.topics import TopicNames

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
REDIS_SCAN_COUNT = 1_000  # keys a SCAN step returns, and an UNLINK removes
STOP_GRACE_S = 30


class BenchRun:
    def __init__(self, name: str) -> None:
        self.name = name
        self.settings = Settings()
        self.tag = f"{name}{int(time.time())}"
        self.namespace = f".{self.tag}"
        self.names = TopicNames(self.namespace)
        self.schemas: list[str] = []
        self.redis_prefix = f"bench:{self.tag}"
        self.processes: list[subprocess.Popen] = []

    async def __aenter__(self) -> BenchRun:
        await LocalInfra(self.settings).up()
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(self, *exc_info) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()  # stuck in its shutdown: it must not outlive the run
        await self.drop_state()

    @property
    def bootstrap(self) -> str:
        return self.settings.kafka_bootstrap

    async def topics(self, *topics: Topic | tuple[str, int]) -> None:
        """Create catalogue topics (or (name, partitions)) in the run's namespace."""
        await ensure_topics(self.bootstrap, [
            (self.names(t), t.partitions) if isinstance(t, Topic) else (self.names(t[0]), t[1])
            for t in topics
        ])  # fmt: skip

    async def schema(self, name: str | None = None) -> str:
        schema = name or f"bench_{self.tag}"
        conn = await asyncpg.connect(self.settings.postgres_dsn)
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        finally:
            await conn.close()
        self.schemas.append(schema)
        return schema

    async def schema_table(self, schema: str, table: str) -> None:
        conn = await asyncpg.connect(self.settings.postgres_dsn)
        try:
            await conn.execute(f'CREATE TABLE "{schema}".{table}')
        finally:
            await conn.close()

    def service_env(self, **settings: str) -> dict[str, str]:
        """ENTRAIDE_* settings of a service of this run (its namespace, key prefix)."""
        env = {
            "ENTRAIDE_TOPIC_NAMESPACE": self.namespace,
            "ENTRAIDE_REDIS_PREFIX": self.redis_prefix,
            # A benchmark's members all register from this machine.
            "ENTRAIDE_REGISTRATIONS_PER_ADDRESS": "100000000",
            "ENTRAIDE_REGISTRATIONS_PER_MINUTE": "100000000",
        }
        return env | {f"ENTRAIDE_{name.upper()}": value for name, value in settings.items()}

    def log(self, name: str) -> Path:
        return RESULTS_DIR / f"{self.name}-{self.tag}-{name}.log"

    def start(
        self, module: str, env: dict[str, str], log: str, args: Sequence[str] = ()
    ) -> subprocess.Popen:
        """``python -m module args`` with ``env`` added, logging to the results folder;
        stopped when the run ends."""
        with open(self.log(log), "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", module, *args], env={**os.environ, **env},
                cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        return process

    def save(self, result: dict) -> dict:
        result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **result}
        (RESULTS_DIR / f"{self.name}-{self.tag}.json").write_text(json.dumps(result, indent=2))
        return result

    async def drop_state(self) -> None:
        """The Kafka topics whose name holds the tag (faust's too), the schemas, the keys."""
        await delete_topics_named_with(self.bootstrap, self.tag)
        if self.schemas:
            conn = await asyncpg.connect(self.settings.postgres_dsn)
            try:
                for schema in self.schemas:
                    await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            finally:
                await conn.close()
        redis = aioredis.Redis.from_url(self.settings.redis_url)
        try:
            batch = []
            async for key in redis.scan_iter(
                match=f"{self.redis_prefix}:*", count=REDIS_SCAN_COUNT
            ):
                batch.append(key)
                if len(batch) >= REDIS_SCAN_COUNT:
                    await redis.unlink(*batch)
                    batch = []
            if batch:
                await redis.unlink(*batch)
        finally:
            await redis.aclose()


def wait_ready(url: str, timeout_s: float = 60) -> None:
    if not wait_until_ready(url, timeout_s):
        raise TimeoutError(f"{url} not ready in {timeout_s}s")
