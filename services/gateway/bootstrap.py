"""Build the gateway: its streams, hub, Kafka reader and location publisher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.gateway.adapters.frames import write_text
from services.gateway.adapters.source import RecordReader, assign_from_window, partitions_of
from services.gateway.hub import Hub
from services.gateway.settings import GatewaySettings
from services.gateway.streams import Streams
from shared.contract.catalogue import MEMBER_LOCATIONS, NOTIFICATIONS, POSTS, REPLIES
from shared.contract.events import MemberLocated
from shared.contract.values import Point
from shared.runtime.auth import KeyRing, TokenVerifier
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import wait_for_kafka
from shared.runtime.lifecycle import cancel_tasks

log = logging.getLogger(__name__)

FETCH_TIMEOUT_MS = 100


def cursor_secret(settings: GatewaySettings) -> bytes:
    """The secret every gateway signs cursors with (a file beside the signing keys)."""
    path = settings.cursor_secret_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another gateway made it first
            with open(path, "x") as out:
                out.write(secrets.token_hex(32))
            path.chmod(0o600)
    return bytes.fromhex(path.read_text().strip())


@dataclass
class Gateway:
    settings: GatewaySettings
    streams: Streams
    hub: Hub
    reader: RecordReader
    consumer: AIOKafkaConsumer
    producer: AIOKafkaProducer
    verifier: TokenVerifier
    ends: dict = field(default_factory=dict)
    tasks: list[asyncio.Task] = field(default_factory=list)

    @property
    def caught_up(self) -> bool:
        return self.streams.caught_up(self.ends)

    async def check_kafka(self) -> None:
        await wait_for_kafka(self.settings.kafka_bootstrap, timeout_s=2)

    async def start(self) -> None:
        await self.producer.start()
        await self.consumer.start()
        ends = await assign_from_window(self.consumer, self.streams)
        self.ends = {(tp.topic, tp.partition): end for tp, end in ends.items()}
        self.tasks.append(asyncio.create_task(self._read(), name="read"))

    async def _read(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=FETCH_TIMEOUT_MS)
            for records in batch.values():
                for record in records:
                    entry = self.reader.entry(record)
                    if entry is None:
                        slot = self.streams.slot_of[(record.topic, record.partition)]
                        self.streams.skip(slot, record.offset)
                    else:
                        self.hub.dispatch(entry)

    async def close(self) -> None:
        await cancel_tasks(self.tasks)
        with contextlib.suppress(Exception):
            await self.consumer.stop()
        with contextlib.suppress(Exception):
            await self.producer.stop()


async def bootstrap(settings: GatewaySettings) -> Gateway:
    suffix = settings.topic_suffix
    topics = {
        "posts": POSTS.name + suffix,
        "replies": REPLIES.name + suffix,
        "notifications": NOTIFICATIONS.name + suffix,
    }
    keys = KeyRing(settings.verifying_keys_dir)
    keys.ensure()
    streams = Streams(
        await partitions_of(settings.kafka_bootstrap, list(topics.values())),
        settings.resume_events_per_partition,
    )
    producer = build_producer(settings.kafka_bootstrap)
    publisher = EventPublisher(producer)

    async def publish_location(member_id: str, lat: float, lon: float) -> None:
        located = MemberLocated(
            member_id=member_id, point=Point(lat=lat, lon=lon), located_at=datetime.now(UTC)
        )
        try:
            await publisher.publish(located, topic=MEMBER_LOCATIONS.name + suffix)
        except Exception as exc:  # a lost location is replaced by the next one
            log.warning("could not publish a location: %s", exc)

    hub = Hub(
        streams,
        cursor_secret=cursor_secret(settings),
        send_buffer_frames=settings.send_buffer_frames,
        frames_per_s=settings.frames_per_s,
        frame_burst=settings.frame_burst,
        location_min_interval_s=settings.location_min_interval_s,
        topics=topics,
        publish_location=publish_location,
        broadcast=write_text,
    )
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        # Small fetch waits: the gateway's latency is the product.
        fetch_max_wait_ms=50,
    )
    return Gateway(
        settings=settings,
        streams=streams,
        hub=hub,
        reader=RecordReader(streams),
        consumer=consumer,
        producer=producer,
        verifier=keys.verifier(),
    )
