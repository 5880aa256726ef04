"""The baseline: a bare ``websockets`` broadcast server fed from the same Kafka topic.

    python -m bench.gateway.bare PORT TOPIC BOOTSTRAP

Every record's value goes, as is, to every connected socket (``websockets.broadcast``):
no decoding, no routing, no cursor, no buffer. What a gateway costs is measured
against this.
"""

from __future__ import annotations

import asyncio
import sys

from aiokafka import AIOKafkaConsumer
from websockets.asyncio.server import broadcast, serve

clients: set = set()


async def handler(connection) -> None:
    clients.add(connection)
    try:
        async for _ in connection:
            pass
    finally:
        clients.discard(connection)


async def main(port: int, topic: str, bootstrap: str) -> None:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="latest", fetch_max_wait_ms=50
    )
    await consumer.start()
    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None):
        while True:
            batch = await consumer.getmany(timeout_ms=100)
            for records in batch.values():
                for record in records:
                    broadcast(clients, record.value.decode())


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
