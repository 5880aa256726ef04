"""Schemathesis against the service's own OpenAPI document: no input gets a 5xx, and
every answer is one the document gives (its status, content type, headers and schema).

The API runs as a real process (uvicorn) on a free port, as in production.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from ops.local import wait_until_ready
from shared.contract.catalogue import POSTS, REPLIES, URGENT_REQUESTS
from shared.runtime.kafka.admin import ensure_topics
from shared.runtime.settings import PROJECT_ROOT
from tests.integration.net import free_port
from tests.integration.posts.conftest import PASSWORD, post_body

EXAMPLES_PER_OPERATION_AND_MODE = 25
CHECKS = (
    not_a_server_error, status_code_conformance, content_type_conformance,
    response_schema_conformance, response_headers_conformance,
)  # fmt: skip


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 30) -> None:
    if not wait_until_ready(url, timeout_s, lambda: process.poll() is None):
        raise AssertionError(f"the API did not become ready: {log.read_text()[-2000:]}")


async def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    endpoints, pg_schema, unique, tmp_path
):
    suffix = f".{unique}"
    await ensure_topics(
        endpoints.kafka_bootstrap, [(t.name + suffix, 1) for t in (POSTS, REPLIES, URGENT_REQUESTS)]
    )
    env = dict(
        os.environ,
        ENTRAIDE_KAFKA_BOOTSTRAP=endpoints.kafka_bootstrap,
        ENTRAIDE_POSTGRES_DSN=endpoints.postgres_dsn,
        ENTRAIDE_REDIS_URL=endpoints.redis_url,
        ENTRAIDE_POSTGRES_SCHEMA=pg_schema,
        ENTRAIDE_REDIS_PREFIX=f"test:{unique}",
        ENTRAIDE_TOPIC_NAMESPACE=suffix,
        ENTRAIDE_KEYS_DIR=str(tmp_path / "keys"),
        ENTRAIDE_HTTP_PORT=str(free_port()),
        ENTRAIDE_POSTS_PER_HOUR="100000",
        ENTRAIDE_REPLIES_PER_HOUR="100000",
        ENTRAIDE_REPORTS_PER_HOUR="100000",
    )
    # Schemathesis and the process are synchronous: run them off the event loop.
    calls, server_errors, log = await asyncio.to_thread(fuzz_a_real_process, env, tmp_path)
    assert server_errors == [], "\n".join(server_errors[:20]) + "\n" + log[-2000:]
    assert calls > 100


def fuzz_a_real_process(env: dict[str, str], tmp_path: Path) -> tuple[int, list[str], str]:
    log_path = tmp_path / "posts.log"
    url = f"http://127.0.0.1:{env['ENTRAIDE_HTTP_PORT']}"
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe blocks the server
        process = subprocess.Popen(
            [sys.executable, "-m", "services.posts.entrypoints.main"],
            env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            wait_healthy(url, process, log_path)
            calls, server_errors = fuzz(url, member_headers(url))
        finally:
            process.terminate()
            process.wait(20)
    return calls, server_errors, log_path.read_text()


def member_headers(url: str) -> dict[str, str]:
    email = f"fuzz-{time.monotonic_ns()}@example.org"
    account = {"email": email, "password": PASSWORD, "display_name": "fuzz"}
    assert httpx.post(f"{url}/auth/register", json=account).status_code == 201
    login = {"email": email, "password": PASSWORD}
    token = httpx.post(f"{url}/auth/login", json=login).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    # A real post, so that generated requests sometimes meet a row, not only 404s.
    assert httpx.post(f"{url}/posts", json=post_body(), headers=auth).status_code == 201
    return auth


def fuzz(url: str, auth: dict[str, str]) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    server_errors: list[str] = []
    calls = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
                deadline=None,
                database=None,
                # The same cases every run, so CI cannot turn red by chance; to explore
                # further, run it by hand with derandomize=False and more examples.
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case) -> None:
                nonlocal calls
                calls += 1
                response = case.call(base_url=url, headers=auth, timeout=10)
                try:
                    case.validate_response(response, checks=CHECKS)
                except FailureGroup as failures:
                    server_errors.append(
                        f"{case.method} {case.formatted_path} {case.query} {case.body!r:.300}"
                        f" -> {response.status_code} {response.text[:200]}: {failures}"
                    )

            try:
                call()
            except Unsatisfiable:
                # No invalid input exists for this operation (e.g. GET /healthz).
                assert mode is GenerationMode.NEGATIVE, operation.label
    return calls, server_errors
