"""The outbox relay: publishes committed outbox rows to Kafka, in order per key.

Safety, by construction rather than by care:
- A row is marked published only after Kafka acknowledged it (acks=all). A relay killed
  between the two re-sends the row later with the same bytes, so the same event id:
  consumers deduplicate on it.
- Rows are split into lanes by a hash of their key. A relay publishes a lane only while
  holding that lane's transaction-scoped advisory lock, so two relays never publish the
  same row at once, and the events of one post (one key, one lane) go out in id order.
  A pass takes up to LANES_PER_PASS lanes in one transaction, starting at a different
  lane each time, so two relays share the lanes.
- It wakes on NOTIFY from the insert trigger; the timed poll is only a safety net for
  a lost notification (e.g. the listening connection dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import asyncpg
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Histogram

from shared.runtime.tracing import TRACEPARENT_HEADER, trace_id

log = logging.getLogger(__name__)

OUTBOX_CHANNEL = "entraide_outbox"
LANE_LOCK_CLASS = 0x6F757462  # "outb": the advisory-lock namespace of the lanes
BATCH_SIZE = 500
SAFETY_POLL_S = 1.0
COALESCE_S = 0.003
PRUNE_EVERY_S = 60.0
KEEP_PUBLISHED_S = 24 * 3600
ERROR_BACKOFF_S = 1.0
# Half the lanes: two relays (the two API workers) each find lanes of their own in a pass.
LANES_PER_PASS = 8

PUBLISHED = Counter("entraide_outbox_published_total", "Outbox rows published to Kafka")
COMMIT_TO_ACK = Histogram(
    "entraide_outbox_commit_to_ack_seconds",
    "From the row's insert to Kafka's acknowledgement",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5),
)


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        topic_name: Callable[[str], str] = lambda name: name,
        batch_size: int = BATCH_SIZE,
        safety_poll_s: float = SAFETY_POLL_S,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._topic_name = topic_name
        self._batch_size = batch_size
        self._safety_poll_s = safety_poll_s
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._next_lane = 0
        self.published = 0
        self.passes = 0

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        listener = await self._listen()
        last_prune = time.monotonic()
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    sent, busy_elsewhere = await self.drain_once()
                    self.passes += 1
                except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                    log.warning("outbox relay pass failed, retrying: %s", exc)
                    await asyncio.sleep(ERROR_BACKOFF_S)
                    continue
                if time.monotonic() - last_prune > PRUNE_EVERY_S:
                    await self._prune()
                    last_prune = time.monotonic()
                if sent == 0 and busy_elsewhere:
                    # Rows are pending in lanes another relay holds: it is done in a few
                    # milliseconds, and no NOTIFY will say so.
                    await asyncio.sleep(COALESCE_S)
                elif sent == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._safety_poll_s)
                        # Let the commits that arrive together go out in one pass: a pass
                        # per commit cost more database work than the posts themselves.
                        await asyncio.sleep(COALESCE_S)
        finally:
            await listener.close()

    async def _listen(self) -> _Listener:
        conn = await self._pool.acquire()
        listener = _Listener(self._pool, conn, lambda *_: self._wake.set())
        try:
            await conn.add_listener(OUTBOX_CHANNEL, listener.callback)
        except BaseException:
            # Cancelled (a stop right after the start) or failed: a connection kept
            # here would hold the pool's close for ever.
            await self._pool.release(conn)
            raise
        return listener

    async def drain_once(self) -> tuple[int, bool]:
        """One pass over some of the lanes with pending rows. Returns how many rows were
        published, and whether pending rows were left because other relays held their lanes.

        Five round trips to PostgreSQL a pass (the pending lanes, BEGIN, the read, the
        mark, COMMIT), however many lanes it takes: a transaction per lane, five round
        trips each, made the relay's CPU per post a third of the API's (bench/ingest,
        ADR 0004).
        """
        async with self._pool.acquire() as conn:
            # One index-only look: under load most wake-ups concern a few lanes, and idle
            # lanes must cost nothing.
            pending = await conn.fetch(
                "SELECT DISTINCT lane FROM outbox WHERE published_at IS NULL"
            )
            lanes = sorted(row["lane"] for row in pending)
            if not lanes:
                return 0, False
            # Start at a different lane each pass so that two relays spread over the lanes
            # instead of queueing on the same locks.
            shift = self._next_lane % len(lanes)
            self._next_lane += 1
            wanted = (lanes[shift:] + lanes[:shift])[:LANES_PER_PASS]
            async with conn.transaction():
                # The locks are taken once (ARRAY(...) is evaluated before the scan), on the
                # wanted lanes only; a lane another relay holds is simply not read.
                # FOR UPDATE: the statement's snapshot is older than the locks it takes. A
                # relay that released a lane just before (its commit) has marked rows this
                # snapshot still sees as pending; FOR UPDATE checks each row again at its
                # latest version and leaves those out, so none goes out twice.
                rows = await conn.fetch(
                    "SELECT id, topic, key, value, traceparent FROM outbox"
                    " WHERE published_at IS NULL AND lane = ANY(ARRAY("
                    "  SELECT lane FROM unnest($1::smallint[]) AS lane"
                    "  WHERE pg_try_advisory_xact_lock($2, lane)))"
                    " ORDER BY id LIMIT $3 FOR UPDATE",
                    wanted, LANE_LOCK_CLASS, self._batch_size,
                )  # fmt: skip
                if not rows:
                    return 0, True
                # send() queues in order and returns a future per message; the idempotent
                # producer keeps that order per partition even across retries.
                acks = [
                    await self._producer.send(
                        self._topic_name(row["topic"]),
                        key=row["key"].encode(),
                        value=bytes(row["value"]),
                        headers=_headers(row["traceparent"]),
                    )
                    for row in rows
                ]
                await asyncio.gather(*acks)
                for row in rows:
                    log.info("published %s key %s", row["topic"], row["key"],
                             extra={"trace_id": trace_id(row["traceparent"])})  # fmt: skip
                marked = await conn.fetch(
                    "UPDATE outbox SET published_at = clock_timestamp()"
                    " WHERE id = ANY($1::bigint[]) RETURNING published_at - created_at AS lag",
                    [row["id"] for row in rows],
                )
        for row in marked:
            COMMIT_TO_ACK.observe(row["lag"].total_seconds())
        PUBLISHED.inc(len(rows))
        self.published += len(rows)
        return len(rows), False

    async def _prune(self) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(
                "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)",
                float(KEEP_PUBLISHED_S),
            )


def _headers(traceparent: str | None) -> list[tuple[str, bytes]]:
    return [(TRACEPARENT_HEADER, traceparent.encode())] if traceparent else []


class _Listener:
    """A pooled connection kept for LISTEN while the relay runs."""

    def __init__(self, pool: asyncpg.Pool, conn: asyncpg.Connection, callback) -> None:
        self._pool = pool
        self._conn = conn
        self.callback = callback

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._conn.remove_listener(OUTBOX_CHANNEL, self.callback)
        await self._pool.release(self._conn)
