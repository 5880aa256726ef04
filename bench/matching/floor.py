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

import asyncio
import json
import time

from aiokafka import AIOKafkaConsumer

from bench.harness import cli
from bench.harness.session import RESULTS_DIR, BenchRun
from bench.harness.stats import ratio
from bench.matching.faust_child import PRODUCER_LINGER_MS, RECORD_BYTES, cpu_us_per_record
from shared.runtime.kafka import build_producer

PARTITIONS = 12


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


async def run(args) -> dict:
    async with BenchRun("floor") as bench:
        topic = bench.names("records")
        await bench.topics(("records", PARTITIONS), ("sink", PARTITIONS))
        aiokafka_send = await fill(bench.bootstrap, topic, args.records)
        aiokafka_read = await plain_read(bench.bootstrap, topic, args.records)
        out = RESULTS_DIR / f"matching-{bench.tag}-faust.json"
        child = bench.start("bench.matching.faust_child", {}, "faust",
                            [topic, bench.names("sink"), str(args.records), str(out)])  # fmt: skip
        while not out.exists() and child.poll() is None:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        if not out.exists():
            raise RuntimeError(f"the faust worker failed: see {bench.log('faust')}")
        faust_us = json.loads(out.read_text())
        return bench.save({
            "records": args.records, "record_bytes": RECORD_BYTES,
            "cpu_us_per_record": {
                "aiokafka_consumer_read": aiokafka_read,
                "faust_agent_read": faust_us["faust_agent_read_us"],
                "aiokafka_producer_send": aiokafka_send,
                "faust_topic_send": faust_us["faust_topic_send_us"],
                "faust_app_producer_send": faust_us["faust_producer_send_us"],
            },
            "faust_vs_aiokafka": {
                "read": ratio(faust_us["faust_agent_read_us"], aiokafka_read),
                "send": ratio(faust_us["faust_topic_send_us"], aiokafka_send),
            },
        })  # fmt: skip


if __name__ == "__main__":
    cli.main(
        __doc__, lambda parser: parser.add_argument("--records", type=int, default=40_000), run
    )
