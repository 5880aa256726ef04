"""The faust side of bench/matching/floor.py, in a process of its own (faust owns it):

python -m bench.matching.faust_child TOPIC SINK RECORDS OUT
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import faust

from shared.runtime.settings import Settings

RECORD_BYTES = 600  # about a PostCreated event
PRODUCER_LINGER_MS = 5  # as the matching worker's


def cpu_us_per_record(cpu_started_s: float, records: int) -> float:
    return round((time.process_time() - cpu_started_s) * 1e6 / records, 1)


def faust_child(bootstrap: str, topic: str, sink_topic: str, records: int, out: str) -> None:
    """A faust worker (it owns its process): read ``records`` with a no-op agent, then
    send as many with ``Topic.send`` and as many with ``app.producer.send``; write the
    three costs to ``out`` and exit."""
    app = faust.App(f"{topic}-faust", broker=f"kafka://{bootstrap}", store="memory://",
                    datadir=tempfile.mkdtemp(prefix="bench-matching-floor-"),
                    web_enabled=False, consumer_auto_offset_reset="earliest",
                    producer_linger=PRODUCER_LINGER_MS / 1000)  # fmt: skip
    source = app.topic(topic, key_serializer="raw", value_serializer="raw")
    sink = app.topic(sink_topic, key_serializer="raw", value_serializer="raw")
    result: dict[str, float] = {}

    @app.agent(source)
    async def read(stream) -> None:
        count, started = 0, None
        async for _event in stream.events():
            started = started if started is not None else time.process_time()
            count += 1
            if count == records:
                result["faust_agent_read_us"] = cpu_us_per_record(started, records)
                result["faust_topic_send_us"] = await send_all(sink.send)
                result["faust_producer_send_us"] = await send_all(producer_send)
                # The measuring is over: blocking the loop to write costs nothing now.
                Path(out).write_text(json.dumps(result))  # noqa: ASYNC240
                os._exit(0)  # faust's shutdown is slow and not what is measured

    async def producer_send(key: bytes, value: bytes):
        return await app.producer.send(sink.get_topic_name(), key, value, None, None, None)

    async def send_all(send) -> float:
        started = time.process_time()
        value = b"x" * RECORD_BYTES
        acks = [await send(key=str(i).encode(), value=value) for i in range(records)]
        await asyncio.gather(*acks)
        return cpu_us_per_record(started, records)

    faust.Worker(app, loglevel="INFO", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    topic, sink, records, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sys.argv = [sys.argv[0], "worker"]  # faust's command line reads it
    faust_child(Settings().kafka_bootstrap, topic, sink, records, out)
