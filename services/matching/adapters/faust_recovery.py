"""Fixes to faust-streaming 0.15.3 (with aiokafka), which can lose records in a rebalance.

1. The end of recovery.

What goes wrong (seen in ``tests/integration/matching/test_failover.py``, 4 runs in 5
before this fix): when a worker takes over partitions, faust's
``Recovery.on_recovery_completed`` resumes the stream partitions *before* it awaits the
seek to the committed offsets, while the consumer's flow is already running (it was
resumed to read the changelogs). For the ~0.5 s the seek takes, records are fetched and
handed to the agents' queues, and faust notes how far it has read. Then
``app.flow_control.resume()`` clears those queues (they are ``clear_on_resume``). The
records fetched again from the committed offset are below the read offset, so faust
drops them as already seen ("DROPPED MESSAGE ROFF" in its dev log): the records that
were waiting in a queue are never processed. The same family of races was fixed
upstream for recovery without tables (faust-streaming/faust#216, #253), not this path.

The fix keeps the stream partitions paused until the seek is done and the queues are
cleared, then resumes them: the first record fetched is the committed one. Everything
else is faust's own code, unchanged.

2. Records fetched and then thrown away (seen in the same test in CI, once: the first
offer, published while a worker that kept its partitions was in a rebalance, was never
matched). faust asks aiokafka for records of its *active* partitions, passing its own
set, and waits up to a second. A rebalance empties that set while the call waits, and
aiokafka reads an empty set as "every partition". The records come back, aiokafka
counts them as consumed, and faust throws them away: the flow is stopped, or their
partition is not in the set. Its answer to a stopped flow, a seek to the committed
offsets, does nothing for a partition that has never been committed (aiokafka seeks
only offsets above 0). So (a) records faust will not deliver are taken out of the
batch and their partition is rewound to the first of them, and (b) the seek to the
committed offsets also rewinds never-committed partitions to their beginning (the
app's ``auto_offset_reset`` is "earliest") and those committed at 0 to 0. Handlers are
idempotent, so a record read twice is harmless; a record skipped is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import faust
from aiokafka import AIOKafkaConsumer
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.transport.consumer import ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaFaustConsumer
from faust.types import TP

FIXED_FAUST_VERSION = "0.15.3"


async def _on_recovery_completed(self: Recovery, generation_id: int = 0) -> None:
    consumer = self.app.consumer
    self.log.info("Restore complete!")
    await self.app.on_rebalance_complete.send()
    self._set_recovery_ended()
    callbacks = [
        asyncio.ensure_future(
            table.on_recovery_completed(
                self.actives_for_table[table], self.standbys_for_table[table]
            )
        )
        for table in self.tables.values()
    ]
    if callbacks:
        await asyncio.wait(callbacks)
    assignment = consumer.assignment()
    if self.app.consumer_generation_id != generation_id:
        self.log.warning("Recovery rebalancing again")
        return
    if assignment:
        self.log.info("Seek stream partitions to committed offsets.")
        await self._wait(consumer.perform_seek(), timeout=self.app.conf.broker_request_timeout)
    self.completed.set()
    # Clear the queues and resume the flow first; only then fetch the stream partitions.
    self.app.flow_control.resume()
    consumer.resume_flow()
    consumer.resume_partitions({tp for tp in assignment if not self._is_changelog_tp(tp)})
    await self.app._fetcher.maybe_start()
    self.tables.on_actives_ready()
    if not self.app.assignor.assigned_standbys():
        self.tables.on_standbys_ready()
    self.app.on_rebalance_end()
    self.log.info("Worker ready")


def undeliverable(consumer, active_partitions: set | None, records: Mapping) -> list:
    """The partitions of ``records`` that faust's ``getmany`` would throw away: all of
    them while the flow is stopped, else those neither active nor buffered (its test)."""
    if not consumer.flow_active:
        return list(records)
    if active_partitions is None:
        return []
    buffered = consumer._buffered_partitions
    return [tp for tp in records if tp not in active_partitions and tp not in buffered]


# faust calls it with ``timeout=``: the name is not ours to choose.
async def _getmany(self: AIOKafkaFaustConsumer, active_partitions, timeout: float):  # noqa: ASYNC109
    records = await ThreadDelegateConsumer._getmany(self, active_partitions, timeout)
    dropped = undeliverable(self, active_partitions, records)
    if not dropped:
        return records
    kafka = self._thread._ensure_consumer()
    assigned = kafka.assignment()
    for tp in dropped:
        batch = records.pop(tp)
        if tp in assigned and batch:
            kafka.seek(tp, batch[0].offset)  # read them again once the flow resumes
    return records


async def _seek_or_rewind(kafka: AIOKafkaConsumer) -> Mapping[TP, int]:
    committed = await kafka.seek_to_committed()
    never = [tp for tp, offset in committed.items() if offset is None or offset < 0]
    for tp, offset in committed.items():
        if offset == 0:
            kafka.seek(tp, 0)
    if never:
        await kafka.seek_to_beginning(*never)
    return committed


async def _seek_to_committed(self: AIOKafkaConsumerThread) -> Mapping[TP, int]:
    return await self.call_thread(_seek_or_rewind, self._ensure_consumer())


async def _start_tables_at_once(self: TableManager) -> None:
    """TableManager.on_start without its one-second sleep (see 3. above)."""
    if not self.should_stop:
        await self._update_channels()
        await self.recovery.start()


def install() -> None:
    """Replace faust's methods; refuse to patch a faust version this was not written for."""
    if faust.__version__ != FIXED_FAUST_VERSION:
        raise RuntimeError(
            f"faust-streaming {faust.__version__}: check whether "
            "services/matching/adapters/faust_recovery.py is still needed, then update it"
        )
    Recovery.on_recovery_completed = _on_recovery_completed
    TableManager.on_start = _start_tables_at_once
    AIOKafkaFaustConsumer._getmany = _getmany
    AIOKafkaConsumerThread.seek_to_committed = _seek_to_committed
