"""Wire the gateway: its streams, hub, Kafka reader and location publisher. Nothing
starts here; ``entrypoints/reader.py`` starts reading and ``entrypoints/server.py``
serves the sockets."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.gateway.adapters.frames import write_text
from services.gateway.adapters.location import KafkaLocationPublisher
from services.gateway.adapters.rooms import KafkaRoomPublisher
from services.gateway.adapters.source import RecordReader, partitions_of
from services.gateway.domain.streams import Streams
from services.gateway.handlers import Hub
from services.gateway.settings import GatewaySettings
from shared.contract.catalogue import (
    ALERT_ROOMS,
    ALERTS,
    CONVERSATIONS,
    MEMBER_LOCATIONS,
    MEMBER_STATUS,
    NOTIFICATIONS,
    POSTS,
    REPLIES,
)
from shared.runtime.auth import KeyRing, TokenVerifier
from shared.runtime.kafka import EventPublisher, build_producer
from shared.runtime.kafka.admin import wait_for_kafka
from shared.runtime.topics import TopicNames

# Small fetch waits: the gateway's latency is the product.
FETCH_MAX_WAIT_MS = 50


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
class GatewayWiring:
    """What bootstrap built, for the entrypoints to use and to close."""

    settings: GatewaySettings
    streams: Streams
    hub: Hub
    reader: RecordReader
    consumer: AIOKafkaConsumer
    producer: AIOKafkaProducer
    verifier: TokenVerifier
    # The search rooms' restricted topics, read whole by a consumer of their own: they
    # are not streamed to the public channels nor part of any cursor (ADR 0002).
    room_partitions: list
    room_consumer: AIOKafkaConsumer
    # Each partition's end offset when reading began: ready once read up to them.
    ends: dict = field(default_factory=dict)
    room_ends: dict = field(default_factory=dict)
    room_positions: dict = field(default_factory=dict)
    # Set by the read loops while they run (entrypoints/reader.py).
    reading: bool = False
    reading_rooms: bool = False

    @property
    def caught_up(self) -> bool:
        """Read up to where the partitions ended when reading began (the resume window,
        and the search rooms: a room must be known before its members reconnect)."""
        rooms_read = bool(self.room_ends) and all(
            self.room_positions.get(tp, -1) >= end - 1 for tp, end in self.room_ends.items()
        )
        return bool(self.ends) and self.streams.caught_up(self.ends) and rooms_read

    async def check_kafka(self) -> None:
        await wait_for_kafka(self.settings.kafka_bootstrap, timeout_s=2)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.consumer.stop()
        with contextlib.suppress(Exception):
            await self.room_consumer.stop()
        with contextlib.suppress(Exception):
            await self.producer.stop()


async def bootstrap(settings: GatewaySettings) -> GatewayWiring:
    names = TopicNames(settings.topic_namespace)
    topics = {"posts": names(POSTS), "replies": names(REPLIES),
              "notifications": names(NOTIFICATIONS),
              "conversations": names(CONVERSATIONS)}  # fmt: skip
    keys = KeyRing(settings.verifying_keys_dir)
    keys.ensure()
    streams = Streams(
        await partitions_of(settings.kafka_bootstrap, list(topics.values())),
        settings.resume_events_per_partition,
    )
    producer = build_producer(settings.kafka_bootstrap)
    publisher = EventPublisher(producer)
    hub = Hub(
        streams,
        cursor_secret=cursor_secret(settings),
        send_buffer_frames=settings.send_buffer_frames,
        frames_per_s=settings.frames_per_s,
        frame_burst=settings.frame_burst,
        location_min_interval_s=settings.location_min_interval_s,
        topics=topics,
        publish_location=KafkaLocationPublisher(publisher, names(MEMBER_LOCATIONS)),
        broadcast=write_text,
        publish_room_event=KafkaRoomPublisher(publisher, names(ALERT_ROOMS)),
    )
    consumer, room_consumer = (
        AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        for _ in range(2)
    )
    # Read whole at start, with the rooms: who is suspended (its sockets close).
    room_topics = [names(ALERTS), names(ALERT_ROOMS), names(MEMBER_STATUS)]
    return GatewayWiring(
        settings=settings,
        streams=streams,
        hub=hub,
        reader=RecordReader(streams),
        consumer=consumer,
        producer=producer,
        verifier=keys.verifier(),
        room_partitions=await partitions_of(settings.kafka_bootstrap, room_topics),
        room_consumer=room_consumer,
    )
