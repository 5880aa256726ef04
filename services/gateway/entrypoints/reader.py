"""The gateway's read loop: every partition of its topics, from the start of the resume
window, each record turned into an entry and handed to the hub."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from services.gateway.adapters.source import assign_from_start, assign_from_window, room_event
from services.gateway.bootstrap import GatewayWiring
from shared.contract.events import MemberReinstated, MemberSuspended
from shared.runtime.lifecycle import cancel_tasks

FETCH_TIMEOUT_MS = 100
READ_RETRY_S = 1.0

log = logging.getLogger(__name__)


async def batches(consumer: AIOKafkaConsumer, what: str) -> AsyncIterator[list[ConsumerRecord]]:
    """The consumer's records, one fetch at a time (empty when nothing came within the
    fetch timeout), for ever: a failure (the broker gone, a leader moving) is logged and
    the reading goes on from where it was."""
    while True:
        try:
            batch = await consumer.getmany(timeout_ms=FETCH_TIMEOUT_MS)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("reading %s failed, retrying: %s: %s", what, type(exc).__name__, exc)
            await asyncio.sleep(READ_RETRY_S)
            continue
        yield [record for records in batch.values() for record in records]


async def read_forever(wiring: GatewayWiring) -> None:
    """Read until cancelled; a failure (the broker gone, a leader moving) is logged and
    the reading goes on from where it was: a reader that ended would leave every socket
    silent while the gateway looks alive."""
    reader, hub, streams = wiring.reader, wiring.hub, wiring.streams
    wiring.reading = True
    try:
        async for fetched in batches(wiring.consumer, "Kafka"):
            for record in fetched:
                entry = reader.entry(record)
                if entry is None:
                    slot = streams.slot_of[(record.topic, record.partition)]
                    streams.skip(slot, record.offset)
                else:
                    hub.dispatch(entry)
    finally:
        wiring.reading = False


async def read_rooms_forever(wiring: GatewayWiring) -> None:
    """The search rooms' topics, whole, into the hub's rooms, and member-status.v1 into
    who is suspended (retrying as above). A room
    that outlived its alert's expiry (its end never came) is closed here too. A record
    that fails is logged and skipped: this loop must not end, or released helpers and
    ended alerts would keep their room on this gateway."""
    rooms, positions = wiring.hub.rooms, wiring.room_positions
    wiring.reading_rooms = True
    try:
        async for fetched in batches(wiring.room_consumer, "the rooms"):
            for record in fetched:
                event = room_event(record)
                if event is not None:
                    try:
                        if isinstance(event, MemberSuspended | MemberReinstated):
                            wiring.hub.standing(event)
                        else:
                            rooms.apply(event)
                    except Exception:
                        log.exception("could not apply %s@%d", record.topic, record.offset)
                positions[(record.topic, record.partition)] = record.offset
            rooms.sweep()
    finally:
        wiring.reading_rooms = False


class Reading:
    """Start the producer and the consumer, position every partition at the start of
    the resume window, and read from there until stopped."""

    def __init__(self, wiring: GatewayWiring) -> None:
        self.wiring = wiring
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> Reading:
        w = self.wiring
        await w.producer.start()
        await w.consumer.start()
        ends = await assign_from_window(w.consumer, w.streams)
        w.ends = {(tp.topic, tp.partition): end for tp, end in ends.items()}
        await w.room_consumer.start()
        w.room_ends, starts = await assign_from_start(w.room_consumer, w.room_partitions)
        w.room_positions.update(starts)
        self.tasks.append(asyncio.create_task(read_forever(w), name="read"))
        self.tasks.append(asyncio.create_task(read_rooms_forever(w), name="read-rooms"))
        return self

    async def stop(self) -> None:
        await cancel_tasks(self.tasks)
