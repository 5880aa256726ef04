"""The hub: routes each event to the subscribed sockets, and handles client frames.

Each event is encoded once (when it is read), then for each recipient only the
cursor's tag (one per member; one for all anonymous clients) is joined to it. Every
client has a bounded send buffer drained by its own writer task: the hub never waits
on a socket, and a client whose buffer overflows is closed (4008), so a slow reader
never slows the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import OrderedDict

import orjson
from prometheus_client import Counter, Gauge
from pydantic import ValidationError

from services.gateway.domain import cursor as cursors
from services.gateway.domain import protocol as P
from services.gateway.domain.streams import (
    CONVERSATION,
    NOTIFICATION,
    POST,
    REPLY,
    Entry,
    Streams,
)
from services.gateway.domain.subscriptions import (
    ALERTS_CHANNEL,
    CONVERSATIONS_CHANNEL,
    NOTIFICATIONS_CHANNEL,
    PERSONAL_CHANNELS,
    THREAD_CHANNEL_PREFIX,
    Area,
    FeedFilter,
    Subscription,
    SubscriptionIndex,
)
from services.gateway.handlers.client import Client
from services.gateway.handlers.rooms import RoomHub
from services.gateway.handlers.throttle import LatestWins
from services.gateway.ports import Broadcast, PublishLocation, PublishRoomEvent
from shared.contract.events import MemberReinstated, MemberSuspended

log = logging.getLogger(__name__)

SEEN_NOTIFICATIONS_KEPT = 200_000

CONNECTIONS = Gauge("entraide_gateway_connections", "Open WebSocket connections")
SUBSCRIPTIONS = Gauge("entraide_gateway_subscriptions", "Channel subscriptions")
DELIVERIES = Counter("entraide_gateway_deliveries_total", "Event frames queued to sockets")
DROPPED_SLOW = Counter("entraide_gateway_dropped_slow_clients_total", "Clients closed as slow")
RESUMES = Counter("entraide_gateway_resumes_total", "Subscriptions with a cursor", ["outcome"])


class Hub:
    def __init__(
        self,
        streams: Streams,
        *,
        cursor_secret: bytes,
        send_buffer_frames: int,
        frames_per_s: float,
        frame_burst: int,
        location_min_interval_s: float,
        topics: dict[str, str],
        publish_location: PublishLocation | None = None,
        broadcast: Broadcast | None = None,
        publish_room_event: PublishRoomEvent | None = None,
    ) -> None:
        """``topics``: "posts", "replies", "notifications" and "conversations" to their
        topic names."""
        self.streams = streams
        self.index = SubscriptionIndex()
        self.secret = cursor_secret
        self.send_buffer_frames = send_buffer_frames
        self.frames_per_s = frames_per_s
        self.frame_burst = frame_burst
        self.location_min_interval_s = location_min_interval_s
        self.publish_location = publish_location
        # Writes one frame to many sockets in one call and returns the positions of
        # those without room (adapters.frames.write_text).
        self.broadcast = broadcast or _no_broadcast
        self.clients: set[Client] = set()
        # Members a moderator suspended (member-status.v1): no socket of theirs stays open.
        self.suspended: set[str] = set()
        self._seen_notifications: OrderedDict[str, None] = OrderedDict()
        self._post_slots = streams.slots_of([topics["posts"]])
        self._reply_slots = streams.slots_of([topics["replies"]])
        self._notification_slots = streams.slots_of([topics["notifications"]])
        self._conversation_slots = streams.slots_of([topics["conversations"]])
        self._tasks: set[asyncio.Task] = set()
        # A location sent sooner than the interval waits for it (the latest wins).
        self._locations = LatestWins()
        self.rooms = RoomHub(
            publish_room_event, location_min_interval_s, self._spawn,
            lambda member: [c for c in self.clients if c.member == member],
        )  # fmt: skip

    # connections ---------------------------------------------------------------------
    def connect(self, client: Client) -> None:
        self.clients.add(client)
        CONNECTIONS.set(len(self.clients))

    def disconnect(self, client: Client) -> None:
        client.closed = True
        for sub in client.subs.values():
            self.index.remove(sub, client.member)
        client.subs.clear()
        self.rooms.disconnect(client)
        self._locations.forget(lambda key: key is client)
        self.clients.discard(client)
        CONNECTIONS.set(len(self.clients))
        SUBSCRIPTIONS.set(self.index.count)

    def standing(self, event: MemberSuspended | MemberReinstated) -> None:
        """A suspension closes every socket of the member now (4003); its end lets them
        connect again."""
        if isinstance(event, MemberReinstated):
            self.suspended.discard(event.member_id)
            return
        self.suspended.add(event.member_id)
        for client in [c for c in self.clients if c.member == event.member_id]:
            self.disconnect(client)
            self._spawn(client.close(P.CLOSE_SUSPENDED, "this account is suspended"))

    def drop_slow(self, client: Client) -> None:
        DROPPED_SLOW.inc()
        self.disconnect(client)
        self._spawn(client.close(P.CLOSE_TOO_SLOW, "too slow: frames were not read in time"))

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # events --------------------------------------------------------------------------
    def dispatch(self, entry: Entry) -> None:
        """Keep the event for resumes, then queue it to every subscribed socket."""
        if entry.kind == NOTIFICATION:
            entry = self._mark_duplicate(entry)
        self.streams.append(entry)
        if entry.duplicate:
            return
        targets = self._targets(entry)
        if not targets:
            return
        vector = cursors.encode_vector(self.streams.positions)
        groups: dict[tuple[str, str], list[Client]] = {}
        for sub in targets:
            client: Client = sub.target  # type: ignore[assignment]
            groups.setdefault((sub.channel, client.member_key), []).append(client)
        for (channel, member_key), clients in groups.items():
            frame = self._frame(channel, member_key, vector, entry)
            # The sockets with nothing waiting get the frame in one broadcast call (as
            # the bare server does); the others, and those the broadcast found without
            # room, queue it behind what they already wait for.
            direct = []
            for client in clients:
                if client.closed:
                    continue
                if client.can_write_now():
                    direct.append(client)
                else:
                    client.enqueue(frame)
            if direct:
                for position in self.broadcast([c.connection for c in direct], frame):
                    direct[position].enqueue(frame)
        DELIVERIES.inc(len(targets))
        # One line per event, not per socket: enough to follow a post to the sockets.
        log.info("delivered %s to %d subscriptions", entry.event_id, len(targets),
                 extra={"trace_id": entry.trace_id})  # fmt: skip

    def _mark_duplicate(self, entry: Entry) -> Entry:
        # A re-published notification keeps its id (notifications ADR 0007): drop it.
        if entry.event_id in self._seen_notifications:
            return dataclasses.replace(entry, duplicate=True)
        self._seen_notifications[entry.event_id] = None
        if len(self._seen_notifications) > SEEN_NOTIFICATIONS_KEPT:
            self._seen_notifications.popitem(last=False)
        return entry

    def _targets(self, entry: Entry) -> list[Subscription]:
        if entry.kind == POST:
            return self.index.for_post(entry.post_id, entry.facts)
        if entry.kind == REPLY:
            return self.index.for_thread(entry.post_id)
        if entry.kind == CONVERSATION:
            return self.index.for_members(entry.members, CONVERSATIONS_CHANNEL)
        return self.index.for_member(entry.member_id)

    def _frame(self, channel: str, member_key: str, vector: str, entry: Entry) -> bytes:
        cursor = cursors.sign(self.secret, member_key, vector)
        return b"".join((
            b'{"type":"event","channel":"', channel.encode(), b'","cursor":"',
            cursor.encode(), b'","event":', entry.payload, b"}",
        ))  # fmt: skip

    def current_cursor(self, client: Client) -> str:
        vector = cursors.encode_vector(self.streams.positions)
        return cursors.sign(self.secret, client.member_key, vector)

    # client frames -------------------------------------------------------------------
    def receive(self, client: Client, text: str | bytes) -> None:
        """Handle one client frame. Never raises for bad input: answers an error frame
        (or, far over the rate limit, closes)."""
        if not client.bucket.take(time.monotonic()):
            client.refused += 1
            if client.refused > self.frame_burst:
                self._spawn(client.close(P.CLOSE_TOO_MANY_FRAMES, "too many frames"))
                self.disconnect(client)
                return
            client.error(P.RATE_LIMITED, f"at most {self.frames_per_s:g} frames per second")
            return
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError:
            client.error(P.BAD_JSON, "frames are JSON objects")
            return
        if not isinstance(raw, dict) or raw.get("type") not in P.CLIENT_TYPES:
            kind = raw.get("type") if isinstance(raw, dict) else None
            client.error(P.UNKNOWN_TYPE, f"unknown frame type {kind!r}", "type")
            return
        try:
            frame = P.CLIENT_FRAME.validate_python(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"][1:]) or None
            client.error(P.BAD_FRAME, first["msg"], field)
            return
        if isinstance(frame, P.Ping):
            client.push_json({"type": "pong"})
        elif isinstance(frame, P.Subscribe):
            self.subscribe(client, frame)
        elif isinstance(frame, P.Unsubscribe):
            self.unsubscribe(client, frame.channel)
        elif isinstance(frame, P.Location):
            self.locate(client, frame.lat, frame.lon)
        elif isinstance(frame, P.AnswerFrame):
            self.rooms.answer(client, frame)
        elif isinstance(frame, P.Release):
            self.rooms.release(client, frame)
        elif isinstance(frame, P.RoomUpdate):
            self.rooms.update(client, frame)

    def _filter(self, client: Client, frame: P.Subscribe) -> FeedFilter | None:
        if frame.channel == ALERTS_CHANNEL:
            if client.location is None:
                return None
            lat, lon = client.location
            return FeedFilter(area=Area(lat, lon, frame.radius_m), urgent_only=True)
        f = frame.filters
        area = Area(f.area.lat, f.area.lon, f.area.radius_m) if f.area else None
        return FeedFilter(
            kinds=frozenset(f.kinds), categories=frozenset(f.categories), area=area,
            urgent_only=f.urgent_only,
        )  # fmt: skip

    def _slots_for(self, channel: str) -> list[int]:
        if channel == NOTIFICATIONS_CHANNEL:
            return self._notification_slots
        if channel == CONVERSATIONS_CHANNEL:
            return self._conversation_slots
        if channel.startswith(THREAD_CHANNEL_PREFIX):
            return self._post_slots + self._reply_slots
        return self._post_slots

    def subscribe(self, client: Client, frame: P.Subscribe) -> None:
        channel = frame.channel
        if channel.startswith(P.ROOM_CHANNEL_PREFIX):
            self.rooms.subscribe(client, channel)
            return
        if channel in PERSONAL_CHANNELS and client.member is None:
            client.error(P.LOGIN_REQUIRED, f"connect with a token to get {channel}", "channel")
            return
        offsets = None
        if frame.cursor is not None:
            try:
                offsets = cursors.verify(
                    self.secret, client.member_key, frame.cursor, len(self.streams.partitions)
                )
            except cursors.InvalidCursor as exc:
                RESUMES.labels("refused").inc()
                client.error(P.BAD_CURSOR, str(exc), "cursor")
                return
        feed_filter = self._filter(client, frame)
        if channel in client.subs:
            self.index.remove(client.subs.pop(channel), client.member)
        sub = Subscription(client, channel, feed_filter or FeedFilter(), radius_m=frame.radius_m)
        # From here to index.add nothing awaits: no event can slip between the replay
        # and the live stream, and none is sent twice.
        subscribed = {"type": "subscribed", "channel": channel}
        if offsets is None:
            # Where this subscription starts: a client that gets no event before it
            # disconnects still resumes from here.
            subscribed["cursor"] = self.current_cursor(client)
        client.push_json(subscribed)
        if offsets is not None and feed_filter is not None:
            self._replay(client, sub, offsets)
        client.subs[channel] = sub
        if feed_filter is not None:  # alerts wait for the client's first location
            self.index.add(sub, client.member)
        SUBSCRIPTIONS.set(self.index.count)

    def _replay(self, client: Client, sub: Subscription, offsets: list[int]) -> None:
        slots = self._slots_for(sub.channel)
        if not all(self.streams.covers(slot, offsets[slot]) for slot in slots):
            RESUMES.labels("snapshot_required").inc()
            client.push_json({
                "type": "snapshot_required", "channel": sub.channel,
                "cursor": self.current_cursor(client),
            })  # fmt: skip
            return
        vector = list(offsets)
        replayed = 0
        for entry in self.streams.after(offsets, slots):
            vector[entry.slot] = entry.offset
            if entry.duplicate or not self._matches(sub, client, entry):
                continue
            frame = self._frame(
                sub.channel, client.member_key, cursors.encode_vector(vector), entry
            )
            client.push(frame, replay=True)
            replayed += 1
        RESUMES.labels("replayed").inc()
        client.push_json({
            "type": "resumed", "channel": sub.channel, "replayed": replayed,
            "cursor": self.current_cursor(client),
        })  # fmt: skip

    def _matches(self, sub: Subscription, client: Client, entry: Entry) -> bool:
        if sub.channel == NOTIFICATIONS_CHANNEL:
            return entry.kind == NOTIFICATION and entry.member_id == client.member
        if sub.channel == CONVERSATIONS_CHANNEL:
            return entry.kind == CONVERSATION and client.member in entry.members
        if sub.channel.startswith(THREAD_CHANNEL_PREFIX):
            return entry.post_id == sub.channel.removeprefix(THREAD_CHANNEL_PREFIX)
        return entry.kind == POST and sub.filter.accepts(entry.facts)

    def unsubscribe(self, client: Client, channel: str) -> None:
        if channel.startswith(P.ROOM_CHANNEL_PREFIX) and self.rooms.unsubscribe(client, channel):
            return
        sub = client.subs.pop(channel, None)
        if sub is None:
            client.error(P.NOT_SUBSCRIBED, f"not subscribed to {channel}", "channel")
            return
        self.index.remove(sub, client.member)
        SUBSCRIPTIONS.set(self.index.count)
        client.push_json({"type": "unsubscribed", "channel": channel})

    def locate(self, client: Client, lat: float, lon: float) -> None:
        """Where the client is: for its alerts channel, and (members only) for the
        notifications service. Never echoed to anyone."""
        client.location = (lat, lon)
        alerts = client.subs.get(ALERTS_CHANNEL)
        if alerts is not None:
            self.index.remove(alerts, client.member)
            radius = alerts.radius_m or P.DEFAULT_ALERT_RADIUS_M
            alerts.filter = FeedFilter(area=Area(lat, lon, radius), urgent_only=True)
            self.index.add(alerts, client.member)
        if not client.member or self.publish_location is None:
            return
        # At most one every interval is forwarded; one sent sooner waits for the end of
        # the interval (the latest wins), so the notifications service never alerts
        # from an old point when a newer one was sent.
        self._locations.submit(
            client, (lat, lon), lambda point: self._forward_location(client, point),
            self.location_min_interval_s,
        )  # fmt: skip

    def _forward_location(self, client: Client, point: tuple[float, float]) -> None:
        if not client.closed:
            self._spawn(self.publish_location(client.member, *point))  # type: ignore[misc]


def _no_broadcast(connections: list, frame: bytes) -> list[int]:
    raise RuntimeError("no broadcast: clients without a connection never write directly")
