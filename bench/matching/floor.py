"""bench/matching/floor.py: what one Kafka record costs a faust worker, and what it costs
plain aiokafka, on this machine, in the same run.

    .venv/bin/python -m bench.matching.floor --records 40000

Five figures, CPU microseconds per record of the measuring process (its
``time.process_time``, all threads): a faust agent that does nothing with the records
it reads (from a topic filled beforehand, so fetches come in full batches, the cheapest
case); a plain ``AIOKafkaConsumer`` reading the same topic; ``Topic.send`` of a faust
app; the same app's ``app.producer.send`` (faust's producer, under ``Topic.send``);
``AIOKafkaProducer.send``. Matching's work per post is built of these (ADR 0006:
posts.v1 read, the routed copy sent and read, two changelog entries, the matches), so
they bound what one worker can do whatever the matching code costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faust
from aiokafka import AIOKafkaConsumer

from bench.common import PROJECT_ROOT, RESULTS_DIR
from ops.infra import LocalInfra
from shared.runtime.kafka import build_producer
from shared.runtime.kafka.admin import delete_topics_named_with, ensure_topics
from shared.runtime.settings import Settings

PARTITIONS = 12
RECORD_BYTES = 600  # about a PostCreated event
PRODUCER_LINGER_MS = 5  # as the matching worker's


def cpu_us_per_record(cpu_started_s: float, records: int) -> float:
    return round((time.process_time() - cpu_started_s) * 1e6 / records, 1)


async def fill(bootstrap: str, topic: str, records: int) -> float:
    """Send ``records`` to ``topic``; the sender's CPU per record."""
    producer = build_producer(bootstrap, linger_ms=PRODUCER_LINGER_MS)
    await producer.start()
    started = time.process_time()
    value = b"x" * RECORD_BYTES
    acks = [await producer.send(topic, key=str(i).encode(), value=value) for i in range(records)]
    await asyncio.gather(*acks)
    cost = cpu_us_per_record(started, records)
    await producer.stop()
    return cost


async def plain_read(bootstrap: str, topic: str, records: int) -> float:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=f"{topic}-plain"
    )
    await consumer.start()
    read, started = 0, None
    try:
        while read < records:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                started = started if started is not None else time.process_time()
                read += len(batch)
    finally:
        await consumer.stop()
    return cpu_us_per_record(started, read)


def faust_child(bootstrap: str, topic: str, records: int, out: str) -> None:
    """A faust worker (it owns its process): read ``records`` with a no-op agent, then
    send as many with ``Topic.send`` and as many with ``app.producer.send``; write the
    three costs to ``out`` and exit."""
    app = faust.App(f"{topic}-faust", broker=f"kafka://{bootstrap}", store="memory://",
                    datadir=tempfile.mkdtemp(prefix="bench-matching-floor-"),
                    web_enabled=False, consumer_auto_offset_reset="earliest",
                    producer_linger=PRODUCER_LINGER_MS / 1000)  # fmt: skip
    source = app.topic(topic, key_serializer="raw", value_serializer="raw")
    sink = app.topic(f"{topic}-sink", key_serializer="raw", value_serializer="raw")
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


async def run(args: argparse.Namespace) -> dict:
    settings = Settings()
    await LocalInfra(settings).up()
    tag = f"floor{int(time.time())}"
    topic = f"bench-matching-{tag}"
    await ensure_topics(settings.kafka_bootstrap, [(topic, PARTITIONS),
                                                   (f"{topic}-sink", PARTITIONS)])  # fmt: skip
    try:
        aiokafka_send = await fill(settings.kafka_bootstrap, topic, args.records)
        aiokafka_read = await plain_read(settings.kafka_bootstrap, topic, args.records)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"matching-{tag}.json"
        # Nothing else runs in this process meanwhile: waiting on the child is the point.
        child = subprocess.run(  # noqa: ASYNC221
            [sys.executable, "-m", "bench.matching.floor", "--child", topic,
             "--records", str(args.records), "--out", str(out)],
            cwd=PROJECT_ROOT, capture_output=True, timeout=600, check=False,
        )  # fmt: skip
        if not out.exists():
            raise RuntimeError(f"the faust worker failed: {child.stdout[-2000:]!r}")
        measured = json.loads(out.read_text())
    finally:
        await delete_topics_named_with(settings.kafka_bootstrap, tag)
    result = {
        "records": args.records,
        "record_bytes": RECORD_BYTES,
        "cpu_us_per_record": {
            "aiokafka_consumer_read": aiokafka_read,
            "faust_agent_read": measured["faust_agent_read_us"],
            "aiokafka_producer_send": aiokafka_send,
            "faust_topic_send": measured["faust_topic_send_us"],
            "faust_app_producer_send": measured["faust_producer_send_us"],
        },
    }
    result["faust_vs_aiokafka"] = {
        "read": round(measured["faust_agent_read_us"] / aiokafka_read, 1),
        "send": round(measured["faust_topic_send_us"] / aiokafka_send, 1),
    }
    out.write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=40_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.argv = [sys.argv[0], "worker"]  # faust's command line reads it
        faust_child(Settings().kafka_bootstrap, args.child, args.records, args.out)
    else:
        print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
