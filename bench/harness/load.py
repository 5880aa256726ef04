"""Open-loop load: request i starts at its intended time whatever happened to the others."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from hdrh.histogram import HdrHistogram


async def open_loop(
    rate_per_s: float,
    duration_s: float,
    send: Callable[[int], Awaitable[None]],
    latency: HdrHistogram,
    errors: list[str],
    max_in_flight: int = 2_000,
) -> tuple[float, int]:
    """Start request i at its intended time, whatever happened to the others, and
    measure from that intended time: a slow server cannot slow the load down and hide
    its own queueing (coordinated omission). Returns the achieved start rate and how
    often the generator had to wait for a free slot (the server was that far behind)."""
    interval_s = 1.0 / rate_per_s
    total = int(rate_per_s * duration_s)
    in_flight: set[asyncio.Task] = set()
    saturated = 0
    started_at = time.perf_counter()

    async def one(i: int, intended: float) -> None:
        try:
            await send(i)
        except Exception as exc:  # counted, not raised: the run goes on
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return
        latency.record_value(max(1, int((time.perf_counter() - intended) * 1_000_000)))

    for i in range(total):
        intended = started_at + i * interval_s
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(in_flight) >= max_in_flight:
            saturated += 1
            await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        task = asyncio.create_task(one(i, intended))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    last_start = time.perf_counter()
    await asyncio.gather(*in_flight)
    return total / max(last_start - started_at, 1e-9), saturated


async def paced(rate_per_s: float, count: int, send: Callable[[int], Awaitable[None]]) -> None:
    """Call ``send(i)`` at ``rate_per_s``, each awaited before the next (a producer's
    ``send`` only queues, so this is open loop for Kafka records)."""
    interval_s = 1.0 / rate_per_s
    started = time.perf_counter()
    for i in range(count):
        delay = started + i * interval_s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await send(i)
