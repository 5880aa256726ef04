"""The posts process's background work beside its API: the outbox relay and the sweep
that expires posts whose time has passed (and forgets long-expired refresh tokens)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from services.posts.bootstrap import PostsWiring
from services.posts.handlers import Handlers
from shared.runtime.lifecycle import cancel_tasks

log = logging.getLogger(__name__)


async def sweep_expired(handlers: Handlers, interval_s: float) -> None:
    while True:
        try:
            while await handlers.expire_due():
                pass
            await handlers.forget_sessions()
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("expiry sweep failed, will retry: %s", exc)
        await asyncio.sleep(interval_s)


class Background:
    def __init__(self, wiring: PostsWiring) -> None:
        self.wiring = wiring
        self.tasks: list[asyncio.Task] = []

    def start(self) -> Background:
        w = self.wiring
        self.tasks.append(asyncio.create_task(w.relay.run(), name="outbox-relay"))
        sweep = sweep_expired(w.handlers, w.settings.expiry_sweep_s)
        self.tasks.append(asyncio.create_task(sweep, name="expiry-sweep"))
        return self

    async def stop(self) -> None:
        self.wiring.relay.stop()
        await cancel_tasks(self.tasks)


class NoBackground:
    """When the relay runs as a process of its own (``run_relay`` off)."""

    async def stop(self) -> None:
        pass
