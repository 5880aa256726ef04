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
  a lost notification. The listening connection is checked before every pass and made
  again when PostgreSQL dropped it (a restart).
- It outlives any failure of PostgreSQL or Kafka: a failed pass is counted, logged and
  tried again with a growing backoff, never the end of the relay (asyncpg's
  InterfaceError, "connection is closed", is not a PostgresError: catching only those
  once let the relay's task end unseen while the API kept accepting posts).
- It says how it is doing: the backlog and the age of the oldest pending row in
  /metrics, and ``problem()`` for /readyz (no pass for too long, or rows waiting too
  long).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import asyncpg
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge, Histogram

from shared.runtime.tracing import TRACEPARENT_HEADER, trace_id

log = logging.getLogger(__name__)

OUTBOX_CHANNEL = "entraide_outbox"
LANE_LOCK_CLASS = 0x6F757462  # "outb": the advisory-lock namespace of the lanes
BATCH_SIZE = 500
SAFETY_POLL_S = 1.0
COALESCE_S = 0.003
PRUNE_EVERY_S = 60.0
KEEP_PUBLISHED_S = 24 * 3600
ERROR_BACKOFF_START_S = 0.1
ERROR_BACKOFF_MAX_S = 5.0
BACKLOG_EVERY_S = 1.0
# Readiness: a relay that has not completed a pass, or has left a row pending, for this
# long is not publishing (a pass runs at least every safety poll, 1 s, when idle).
STUCK_AFTER_S = 15.0
# Half the lanes: two relays (the two API workers) each find lanes of their own in a pass.
LANES_PER_PASS = 8

PUBLISHED = Counter("entraide_outbox_published_total", "Outbox rows published to Kafka")
FAILED_PASSES = Counter("entraide_outbox_failed_passes_total",
                        "Relay passes that failed (PostgreSQL or Kafka unavailable)")  # fmt: skip
BACKLOG = Gauge("entraide_outbox_backlog_rows", "Outbox rows not yet published")
OLDEST_PENDING = Gauge("entraide_outbox_oldest_pending_age_seconds",
                       "Age of the oldest outbox row not yet published (0: none)")  # fmt: skip
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
        self._listener: _Listener | None = None
        self.published = 0
        self.passes = 0
        self.failures = 0
        self.listens = 0  # LISTENs made: more than one means it listened again after a drop
        self.last_error: str | None = None
        self.last_pass_at = time.monotonic()
        self.running = False
        self.backlog = 0
        self.oldest_pending_s = 0.0
        self._backlog_at = 0.0

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        last_prune = time.monotonic()
        backoff_s = ERROR_BACKOFF_START_S
        self.running = True
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    await self._ensure_listening()
                    sent, busy_elsewhere = await self.drain_once()
                    self.passes += 1
                    self.last_pass_at = time.monotonic()
                    if self.last_pass_at - self._backlog_at > BACKLOG_EVERY_S:
                        await self._measure_backlog()
                    if self.last_pass_at - last_prune > PRUNE_EVERY_S:
                        await self._prune()
                        last_prune = time.monotonic()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # any failure of a dependency: the relay goes on
                    await self._failed(exc, backoff_s)
                    backoff_s = min(backoff_s * 2, ERROR_BACKOFF_MAX_S)
                    continue
                backoff_s = ERROR_BACKOFF_START_S
                self.last_error = None
                await self._idle(sent, busy_elsewhere)
        finally:
            self.running = False
            await self._drop_listener()

    async def _idle(self, sent: int, busy_elsewhere: bool) -> None:
        if sent == 0 and busy_elsewhere:
            # Rows are pending in lanes another relay holds: it is done in a few
            # milliseconds, and no NOTIFY will say so.
            await asyncio.sleep(COALESCE_S)
        elif sent == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._safety_poll_s)
                # Let the commits that arrive together go out in one pass: a pass per
                # commit cost more database work than the posts themselves.
                await asyncio.sleep(COALESCE_S)

    async def _failed(self, exc: Exception, backoff_s: float) -> None:
        self.failures += 1
        self.last_error = f"{type(exc).__name__}: {exc}"[:300]
        FAILED_PASSES.inc()
        log.warning("outbox relay pass failed, retrying in %.1fs: %s", backoff_s,
                    self.last_error)  # fmt: skip
        # Its connection may be the one that broke: listen again on a fresh one.
        await self._drop_listener()
        await asyncio.sleep(backoff_s)

    def problem(self) -> str | None:
        """Why this relay is not publishing, or None (for /readyz)."""
        if not self.running:
            return "the outbox relay is not running"
        since_pass_s = time.monotonic() - self.last_pass_at
        if since_pass_s > STUCK_AFTER_S:
            why = f": {self.last_error}" if self.last_error else ""
            return f"no relay pass for {since_pass_s:.0f}s{why}"
        if self.oldest_pending_s > STUCK_AFTER_S:
            return f"{self.backlog} outbox rows pending, the oldest {self.oldest_pending_s:.0f}s"
        return None

    async def _measure_backlog(self) -> None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT count(*) AS rows, coalesce(extract(epoch FROM clock_timestamp()"
                " - min(created_at)), 0) AS oldest_s FROM outbox WHERE published_at IS NULL"
            )
        self.backlog, self.oldest_pending_s = row["rows"], float(row["oldest_s"])
        self._backlog_at = time.monotonic()
        BACKLOG.set(self.backlog)
        OLDEST_PENDING.set(self.oldest_pending_s)

    async def _ensure_listening(self) -> None:
        if self._listener is not None and not self._listener.conn.is_closed():
            return
        if self._listener is not None:
            log.warning("the outbox relay's LISTEN connection was closed: listening again")
            await self._drop_listener()
        self._listener = await self._listen()
        self._wake.set()  # a notification may have been missed meanwhile

    async def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            await listener.close()

    async def _listen(self) -> _Listener:
        conn = await self._pool.acquire()
        listener = _Listener(self._pool, conn, lambda *_: self._wake.set())
        try:
            await conn.add_listener(OUTBOX_CHANNEL, listener.callback)
            # PostgreSQL dropped the connection (a restart): wake now to listen again,
            # not at the next safety poll; the NOTIFYs meanwhile went nowhere.
            conn.add_termination_listener(listener.callback)
        except BaseException:
            # Cancelled (a stop right after the start) or failed: a connection kept
            # here would hold the pool's close for ever.
            await self._pool.release(conn)
            raise
        self.listens += 1
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
        self.conn = conn
        self.callback = callback

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.remove_termination_listener(self.callback)
            await self.conn.remove_listener(OUTBOX_CHANNEL, self.callback)
        # A connection PostgreSQL dropped is released all the same (the pool replaces it).
        with contextlib.suppress(Exception):
            await self._pool.release(self.conn)
