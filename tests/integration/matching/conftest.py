"""A matching worker of the test's own (a real faust worker process) on its own topics."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shared.contract.catalogue import (
    ALERT_ROOMS,
    ALERTS,
    MATCHES,
    POSTS,
    REPLIES,
    URGENT_REQUESTS,
    dead_letter_topic,
)
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import PROJECT_ROOT

WORKER_READY_TIMEOUT_S = 90


@dataclass
class MatchingHarness:
    bootstrap: str
    suffix: str
    publisher: EventPublisher
    logs: list[Path] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    start_worker: Callable[..., subprocess.Popen] | None = None

    def topic(self, name: str) -> str:
        return name + self.suffix

    async def publish(self, *events) -> None:
        for event in events:
            await self.publisher.publish(event, topic=self.topic(POSTS.name))


def wait_for_worker(process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Ready" in text:
            return
        if process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{text[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"the worker was not ready:\n{log.read_text()[-3000:]}")


@pytest.fixture
async def matching(endpoints, unique, tmp_path) -> AsyncIterator[MatchingHarness]:
    suffix = f".{unique}"
    await ensure_topics(
        endpoints.kafka_bootstrap,
        [
            (POSTS.name + suffix, POSTS.partitions),
            (MATCHES.name + suffix, MATCHES.partitions),
            (URGENT_REQUESTS.name + suffix, URGENT_REQUESTS.partitions),
            (REPLIES.name + suffix, REPLIES.partitions),
            (ALERTS.name + suffix, ALERTS.partitions),
            (ALERT_ROOMS.name + suffix, ALERT_ROOMS.partitions),
            (dead_letter_topic("matching").name + suffix, 1),
        ],
    )
    producer = build_producer(endpoints.kafka_bootstrap)
    await producer.start()
    harness = MatchingHarness(endpoints.kafka_bootstrap, suffix, EventPublisher(producer))

    def start_worker(**extra_env: str) -> subprocess.Popen:
        log = tmp_path / f"worker{len(harness.workers)}.log"
        env = dict(
            os.environ,
            ENTRAIDE_KAFKA_BOOTSTRAP=endpoints.kafka_bootstrap,
            ENTRAIDE_TOPIC_NAMESPACE=suffix,
            ENTRAIDE_WEB_ENABLED="false",
            **extra_env,
        )
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "services.matching.entrypoints.worker"],
                env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        harness.workers.append(process)
        harness.logs.append(log)
        wait_for_worker(process, log)
        return process

    harness.start_worker = start_worker
    try:
        yield harness
    finally:
        for process in harness.workers:
            if process.poll() is None:
                process.terminate()
        for process in harness.workers:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        await producer.stop()
