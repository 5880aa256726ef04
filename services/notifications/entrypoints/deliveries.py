"""The delivery loop: takes due deliveries from the queue and hands each to the delivery
handler (one try, and what its answer decides).

Deliveries are concurrent and bounded twice: in total (``max_in_flight``) and per
endpoint (``per_endpoint``), and an endpoint at its bound is not claimed for, so a
partner that times out or never answers ties up at most its own share and never
holds the others back. Each try's result is written before the next claim, and a
claim is a lease, so a restart in the middle loses nothing (see WebhookStore).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import timedelta

from services.notifications.handlers import DeliveryHandlers
from services.notifications.ports import Clock, WebhookStore
from shared.runtime.lifecycle import cancel_tasks

log = logging.getLogger(__name__)

IDLE_POLL_S = 1.0


class DeliveryWorker:
    def __init__(
        self,
        store: WebhookStore,
        handlers: DeliveryHandlers,
        *,
        wake: asyncio.Event,
        lease_s: float,
        max_in_flight: int,
        per_endpoint: int,
        clock: Clock,
    ) -> None:
        self.store = store
        self.handlers = handlers
        self.lease = timedelta(seconds=lease_s)
        self.max_in_flight = max_in_flight
        self.per_endpoint = per_endpoint
        self.clock = clock
        self._wake = wake
        self._in_flight: Counter[str] = Counter()
        self._tasks: set[asyncio.Task] = set()
        self._slot_freed = asyncio.Event()
        self._claimed: dict[asyncio.Task, int] = {}

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                try:
                    claimed = await self._claim()
                except OSError as exc:
                    log.warning("delivery queue unreachable, will retry: %s", exc)
                    claimed = 0
                if not claimed:
                    await self._idle()
        finally:
            # A clean stop hands its unfinished deliveries back at once instead of
            # leaving them leased: one may be sent again (same webhook-id), none is lost.
            unfinished = list(self._claimed.values())
            await cancel_tasks(self._tasks)
            if unfinished:
                with contextlib.suppress(Exception):
                    await self.store.release(unfinished)

    async def _idle(self) -> None:
        self._wake.clear()
        self._slot_freed.clear()
        wait_s = IDLE_POLL_S
        next_due = await self.store.next_due_at()
        if next_due is not None:
            wait_s = min(wait_s, max(0.0, (next_due - self.clock()).total_seconds()))
        waiters = [asyncio.ensure_future(self._wake.wait())]
        if self._tasks:
            waiters.append(asyncio.ensure_future(self._slot_freed.wait()))
        _, pending = await asyncio.wait(waiters, timeout=wait_s, return_when="FIRST_COMPLETED")
        for waiter in pending:
            waiter.cancel()

    async def _claim(self) -> int:
        free = self.max_in_flight - len(self._tasks)
        if free <= 0:
            return 0
        busy = [e for e, n in self._in_flight.items() if n >= self.per_endpoint]
        deliveries = await self.store.claim_due(
            self.clock(), self.lease, free, per_endpoint=self.per_endpoint, busy=busy
        )
        for delivery in deliveries:
            self._in_flight[delivery.endpoint_id] += 1
            task = asyncio.create_task(self.handlers.deliver(delivery))
            self._tasks.add(task)
            self._claimed[task] = delivery.seq
            task.add_done_callback(self._done(delivery.endpoint_id))
        return len(deliveries)

    def _done(self, endpoint_id: str):
        def done(task: asyncio.Task) -> None:
            self._tasks.discard(task)
            self._claimed.pop(task, None)
            self._in_flight[endpoint_id] -= 1
            if self._in_flight[endpoint_id] <= 0:
                del self._in_flight[endpoint_id]
            self._slot_freed.set()
            if not task.cancelled() and task.exception() is not None:
                log.error("delivery task failed: %s", task.exception())

        return done
