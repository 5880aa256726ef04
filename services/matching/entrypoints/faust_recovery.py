"""A fix to faust-streaming 0.15.3's end of recovery, which can lose records on takeover.

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
"""

from __future__ import annotations

import asyncio

import faust
from faust.tables.recovery import Recovery

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


def install() -> None:
    """Replace faust's method; refuse to patch a faust version this was not written for."""
    if faust.__version__ != FIXED_FAUST_VERSION:
        raise RuntimeError(
            f"faust-streaming {faust.__version__}: check whether "
            "services/matching/entrypoints/faust_recovery.py is still needed, then update it"
        )
    Recovery.on_recovery_completed = _on_recovery_completed
