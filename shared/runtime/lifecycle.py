"""What every service's process does the same way: start its dependencies with the app,
answer readiness checks, and cancel its background tasks on the way out."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import asyncpg
from fastapi import FastAPI
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff


async def cancel_tasks(tasks: Iterable[asyncio.Task]) -> None:
    """Cancel the tasks and wait for each to end, whatever it ends with."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


# A connection Redis dropped (a restart) is found broken when next used: one retry on
# a fresh connection, instead of failing the request that happened to take it (posts
# answered 503 for minutes after Redis came back, once per stale connection).
REDIS_RETRIES = 1


def redis_retry() -> dict[str, Any]:
    """The keyword arguments of a Redis client or pool that retry once on a broken
    connection."""
    return {
        "retry": Retry(NoBackoff(), REDIS_RETRIES),
        "retry_on_error": [redis_errors.ConnectionError, redis_errors.TimeoutError],
    }


async def check_postgres(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT 1")


def freeze_startup_objects() -> None:
    """Leave what start-up made (modules, models, pools) out of every later garbage
    collection. A full collection walks every tracked object: in notifications under
    bench/notifications it took 53-57 ms, the tail of an urgent alert's latency, for
    objects that live as long as the process anyway."""
    gc.collect()
    gc.freeze()


def use_wiring(app: FastAPI, wiring: Any) -> None:
    """The routes find what bootstrap built, and the bearer dependency the verifier."""
    app.state.wiring = wiring
    app.state.verifier = wiring.verifier
    # Suspended members (shared.runtime.revocations), where the service checks them.
    app.state.revocations = getattr(wiring, "revocations", None)


class Stoppable(Protocol):
    async def stop(self) -> None: ...


def service_lifespan(
    given: Any | None,
    build: Callable[[], Awaitable[Any]],
    start: Callable[[Any], Awaitable[Stoppable]],
):
    """The app's lifespan: with ``given`` wiring (tests), the caller owns its life;
    otherwise build it, start its background work, and stop and close both at the end."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if given is not None:
            yield
            return
        built = await build()
        use_wiring(app, built)
        background = await start(built)
        freeze_startup_objects()
        try:
            yield
        finally:
            await background.stop()
            await built.close()

    return lifespan
