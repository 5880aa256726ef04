"""Run the outbox relay alone: ``python -m services.posts.entrypoints.relay``.

Safe to run in several copies beside the API processes (see adapters/outbox.py).
"""

from __future__ import annotations

import asyncio
import signal

from services.posts.bootstrap import build_relay, create_pool
from services.posts.settings import PostsSettings
from shared.runtime.kafka import build_producer
from shared.runtime.logs import configure_logging


async def run(settings: PostsSettings) -> None:
    pool = await create_pool(settings)
    producer = build_producer(settings.kafka_bootstrap)
    await producer.start()
    relay = build_relay(pool, producer, settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, relay.stop)
    try:
        await relay.run()
    finally:
        await producer.stop()
        await pool.close()


def main() -> None:
    settings = PostsSettings()
    configure_logging("posts-relay", settings.log_level)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
