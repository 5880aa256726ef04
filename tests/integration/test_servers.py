"""The servers themselves: a broker crash, PostgreSQL and Redis, and `entraide infra`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import asyncpg
import redis.asyncio as aioredis

from ops.infra.install import ensure_kafka_jars
from ops.infra.kafka import KafkaBroker
from shared.contract.envelope import decode_event
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import PROJECT_ROOT
from tests.factories import sample_events
from tests.integration.kafka_tools import read_topic
from tests.integration.net import free_ports


async def test_an_acknowledged_event_survives_kill_9_of_the_broker(tmp_path):
    """A broker of the test's own, so killing it disturbs no other test."""
    ensure_kafka_jars()
    broker = KafkaBroker(tmp_path / "kafka", *free_ports(2), heap_mb=256)
    await broker.start()
    try:
        await ensure_topics(broker.bootstrap, [("crash.v1", 3)])
        producer = build_producer(broker.bootstrap)
        await producer.start()
        events = [e for p in ("p1", "p2", "p3") for e in sample_events(p)]
        try:
            for event in events:
                await EventPublisher(producer).publish(event, topic="crash.v1")
        finally:
            await producer.stop()

        first_pid = broker.pid()
        broker.kill()
        assert first_pid is not None and broker.pid() is None
        await broker.start()
        assert broker.pid() != first_pid

        records = await read_topic(broker.bootstrap, "crash.v1", expected=len(events))
        received = sorted(decode_event(r.value).event.model_dump_json() for r in records)
        assert received == sorted(e.model_dump_json() for e in events)
    finally:
        broker.kill()


async def test_postgres_and_redis_answer_real_queries(endpoints, pg_schema, unique):
    conn = await asyncpg.connect(endpoints.postgres_dsn, server_settings={"search_path": pg_schema})
    try:
        await conn.execute("CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL)")
        await conn.execute("INSERT INTO note (body) VALUES ($1), ($2)", "a bed", "a car")
        assert await conn.fetchval("SELECT count(*) FROM note") == 2
        assert await conn.fetchval("SELECT current_schema()") == pg_schema
    finally:
        await conn.close()

    client = aioredis.from_url(endpoints.redis_url)
    key = f"test:{unique}:members"
    try:
        await client.geoadd(key, (2.3522, 48.8566, "near"))
        await client.geoadd(key, (2.4522, 48.8566, "far"))
        near = await client.geosearch(key, longitude=2.3530, latitude=48.8566, radius=200, unit="m")
        assert near == [b"near"]
    finally:
        await client.delete(key)
        await client.aclose()


def _entraide(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ops.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )


def test_infra_up_status_down_from_nothing(unique):
    """The command line on servers of its own: ports and data folder nobody else uses."""
    data_dir = PROJECT_ROOT / ".data" / f"cli-test-{unique}"
    kafka, controller, postgres, redis, smtp = free_ports(5)
    env = dict(
        os.environ,
        ENTRAIDE_DATA_DIR=str(data_dir),
        ENTRAIDE_KAFKA_PORT=str(kafka),
        ENTRAIDE_KAFKA_CONTROLLER_PORT=str(controller),
        ENTRAIDE_POSTGRES_PORT=str(postgres),
        ENTRAIDE_REDIS_PORT=str(redis),
        ENTRAIDE_SMTP_PORT=str(smtp),
        ENTRAIDE_KAFKA_HEAP_MB="256",
    )
    for name in ("ENTRAIDE_KAFKA_BOOTSTRAP", "ENTRAIDE_POSTGRES_DSN", "ENTRAIDE_REDIS_URL"):
        env.pop(name, None)
    try:
        before = _entraide(["infra", "status"], env)
        assert before.returncode == 1
        assert before.stdout.count("stopped") == 4, before.stdout

        up = _entraide(["infra", "up"], env)
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"127.0.0.1:{env['ENTRAIDE_KAFKA_PORT']}" in up.stdout

        status = _entraide(["infra", "status"], env)
        assert status.returncode == 0, status.stdout + status.stderr
        rows = {line.split()[0]: line.split()[1:3] for line in status.stdout.splitlines()[1:]}
        servers = ("kafka", "postgres", "redis", "mail")
        assert rows == {name: ["running", "ready"] for name in servers}

        again = _entraide(["infra", "up"], env)  # idempotent: already running is fine
        assert again.returncode == 0, again.stderr
    finally:
        down = _entraide(["infra", "down"], env)
        after = _entraide(["infra", "status"], env)
        shutil.rmtree(data_dir, ignore_errors=True)
    assert down.returncode == 0, down.stderr
    assert after.stdout.count("stopped") == 4, after.stdout
