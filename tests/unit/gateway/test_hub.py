"""The gateway's hub through fakes of its ports (sockets, the location publisher): who
gets each event, cursors and resumes, the protocol's errors, slow and noisy clients."""

from __future__ import annotations

import asyncio
import json

import pytest

from services.gateway.domain import protocol as P
from services.gateway.domain.streams import (
    CONVERSATION,
    NOTIFICATION,
    POST,
    REPLY,
    Entry,
    Streams,
)
from services.gateway.domain.subscriptions import RoutingFacts
from services.gateway.handlers import Client, Hub
from shared.contract.events import MemberReinstated, MemberSuspended
from shared.contract.values import Category, Kind
from tests.factories import NOW
from tests.fakes.gateway import FakeLocations, FakeSocket

TOPICS = {"posts": "posts.v1", "replies": "replies.v1", "notifications": "notifications.v1",
          "conversations": "conversations.v1"}  # fmt: skip
PARTITIONS = [("posts.v1", 0), ("posts.v1", 1), ("replies.v1", 0), ("notifications.v1", 0),
              ("conversations.v1", 0)]  # fmt: skip
POSTS_SLOT, REPLIES_SLOT, NOTIFICATIONS_SLOT, CONVERSATIONS_SLOT = 0, 2, 3, 4
PARIS = (48.8566, 2.3522)


def make_hub(window: int = 100, send_buffer_frames: int = 64) -> Hub:
    streams = Streams(PARTITIONS, window)
    for slot in range(len(PARTITIONS)):
        streams.start_at(slot, 0)
    return Hub(
        streams,
        cursor_secret=b"s" * 32,
        send_buffer_frames=send_buffer_frames,
        frames_per_s=20,
        frame_burst=40,
        location_min_interval_s=5,
        topics=TOPICS,
        publish_location=FakeLocations(),
    )


class Events:
    """Entries as the reader makes them, with offsets in order per partition."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.offsets = [0] * len(PARTITIONS)

    def _entry(self, slot: int, kind: str, event_id: str, **fields) -> Entry:
        offset = self.offsets[slot]
        self.offsets[slot] += 1
        payload = json.dumps({"type": kind, "id": event_id}).encode()
        return Entry(slot=slot, offset=offset, timestamp_ms=sum(self.offsets), kind=kind,
                     event_id=event_id, payload=payload, **fields)  # fmt: skip

    def post(self, post_id: str, category=Category.HOUSING, urgent=False, at=PARIS) -> str:
        facts = RoutingFacts(post_id, category, Kind.REQUEST, urgent, *at)
        entry = self._entry(POSTS_SLOT, POST, f"e-{post_id}", post_id=post_id, member_id=None,
                            facts=facts)  # fmt: skip
        self.hub.dispatch(entry)
        return entry.event_id

    def reply(self, post_id: str, reply_id: str) -> None:
        self.hub.dispatch(self._entry(REPLIES_SLOT, REPLY, f"e-{reply_id}", post_id=post_id,
                                      member_id=None, facts=None))  # fmt: skip

    def notification(self, member_id: str, notification_id: str) -> None:
        self.hub.dispatch(self._entry(NOTIFICATIONS_SLOT, NOTIFICATION, notification_id,
                                      post_id=None, member_id=member_id, facts=None))  # fmt: skip

    def message(self, members: tuple[str, str], message_id: str) -> None:
        self.hub.dispatch(self._entry(CONVERSATIONS_SLOT, CONVERSATION, f"e-{message_id}",
                                      post_id="p1", member_id=None, facts=None,
                                      members=members))  # fmt: skip


@pytest.fixture
def hub() -> Hub:
    return make_hub()


WRITERS: list[asyncio.Task] = []


@pytest.fixture(autouse=True)
async def _stop_the_writers():
    yield
    for writer in WRITERS:
        writer.cancel()
    await asyncio.gather(*WRITERS, return_exceptions=True)
    WRITERS.clear()


async def connect(hub: Hub, member: str | None = None, stuck: bool = False):
    socket = FakeSocket(stuck)
    client = Client(socket.send, socket.close, member, hub)
    hub.connect(client)
    WRITERS.append(asyncio.create_task(client.writer()))
    return client, socket


async def say(hub: Hub, client: Client, frame: dict | str) -> None:
    hub.receive(client, frame if isinstance(frame, str) else json.dumps(frame))
    for _ in range(3):
        await asyncio.sleep(0)  # the client's writer sends what was queued


def ids(socket: FakeSocket, channel: str | None = None) -> list[str]:
    return [f["event"]["id"] for f in socket.events(channel)]


async def test_the_feed_gets_the_posts_its_filters_take_each_with_a_cursor(hub):
    events = Events(hub)
    lea, lea_socket = await connect(hub, "u-lea")
    sam, sam_socket = await connect(hub)
    await say(hub, lea, {"type": "subscribe", "channel": "feed"})
    await say(hub, sam, {"type": "subscribe", "channel": "feed",
                         "filters": {"categories": ["jobs"]}})  # fmt: skip
    events.post("p1", Category.HOUSING)
    events.post("p2", Category.JOBS)
    await say(hub, lea, {"type": "ping"})
    await say(hub, sam, {"type": "ping"})
    assert lea_socket.of_type("subscribed")[0]["cursor"]
    assert ids(lea_socket, "feed") == ["e-p1", "e-p2"]
    assert ids(sam_socket, "feed") == ["e-p2"]
    assert all(f["cursor"] for f in lea_socket.events())


async def test_a_thread_gets_its_replies_and_notifications_go_to_their_member_once(hub):
    events = Events(hub)
    lea, lea_socket = await connect(hub, "u-lea")
    anonymous, anonymous_socket = await connect(hub)
    await say(hub, lea, {"type": "subscribe", "channel": "post:p1"})
    await say(hub, lea, {"type": "subscribe", "channel": "notifications"})
    await say(hub, anonymous, {"type": "subscribe", "channel": "notifications"})
    assert anonymous_socket.of_type("error")[0]["code"] == P.LOGIN_REQUIRED
    events.reply("p1", "r1")
    events.reply("p2", "r2")
    events.notification("u-lea", "n1")
    events.notification("u-sam", "n2")
    events.notification("u-lea", "n1")  # re-published with its id (ADR 0007)
    await say(hub, lea, {"type": "ping"})
    assert ids(lea_socket, "post:p1") == ["e-r1"]
    assert ids(lea_socket, "notifications") == ["n1"]


async def test_a_conversation_reaches_its_two_members_only_and_resumes(hub):
    events = Events(hub)
    tom, tom_socket = await connect(hub, "u-tom")
    lea, lea_socket = await connect(hub, "u-lea")
    eve, eve_socket = await connect(hub, "u-eve")
    anonymous, anonymous_socket = await connect(hub)
    for client in (tom, lea, eve, anonymous):
        await say(hub, client, {"type": "subscribe", "channel": "conversations"})
    assert anonymous_socket.of_type("error")[0]["code"] == P.LOGIN_REQUIRED
    events.message(("u-tom", "u-lea"), "m1")
    events.message(("u-tom", "u-sam"), "m2")
    for client in (tom, lea, eve):
        await say(hub, client, {"type": "ping"})
    assert ids(tom_socket, "conversations") == ["e-m1", "e-m2"]
    assert ids(lea_socket, "conversations") == ["e-m1"]
    assert ids(eve_socket, "conversations") == []

    # Lea drops; two messages later she resumes with her cursor: both, once.
    cursor = lea_socket.events()[-1]["cursor"]
    hub.disconnect(lea)
    events.message(("u-tom", "u-lea"), "m3")
    events.message(("u-tom", "u-sam"), "m4")
    events.message(("u-tom", "u-lea"), "m5")
    again, resumed = await connect(hub, "u-lea")
    await say(hub, again, {"type": "subscribe", "channel": "conversations", "cursor": cursor})
    events.message(("u-tom", "u-lea"), "m6")
    await say(hub, again, {"type": "ping"})
    assert ids(resumed, "conversations") == ["e-m3", "e-m5", "e-m6"]
    # Eve cannot replay Lea's with Lea's cursor: it is signed for Lea.
    await say(hub, eve, {"type": "subscribe", "channel": "conversations", "cursor": cursor})
    assert eve_socket.of_type("error")[-1]["code"] == P.BAD_CURSOR


async def test_a_suspension_closes_the_members_sockets_and_its_end_lets_them_back(hub):
    sam, sam_socket = await connect(hub, "u-sam")
    lea, _ = await connect(hub, "u-lea")
    await say(hub, sam, {"type": "subscribe", "channel": "notifications"})
    hub.standing(MemberSuspended(member_id="u-sam", suspended_at=NOW))
    await asyncio.sleep(0)
    assert sam.closed and sam_socket.closed_with[0] == P.CLOSE_SUSPENDED
    assert not lea.closed and "u-sam" in hub.suspended
    assert hub.index.for_member("u-sam") == []
    hub.standing(MemberReinstated(member_id="u-sam", reinstated_at=NOW))
    assert "u-sam" not in hub.suspended


async def test_a_client_resumes_from_its_cursor_with_nothing_missed_or_doubled(hub):
    events = Events(hub)
    lea, socket = await connect(hub, "u-lea")
    await say(hub, lea, {"type": "subscribe", "channel": "feed"})
    events.post("p1")
    await say(hub, lea, {"type": "ping"})
    cursor = socket.events()[-1]["cursor"]
    hub.disconnect(lea)
    events.post("p2")
    events.post("p3")
    again, resumed = await connect(hub, "u-lea")
    await say(hub, again, {"type": "subscribe", "channel": "feed", "cursor": cursor})
    events.post("p4")
    await say(hub, again, {"type": "ping"})
    assert ids(resumed) == ["e-p2", "e-p3", "e-p4"]
    assert resumed.of_type("resumed")[0]["replayed"] == 2
    stranger, stranger_socket = await connect(hub, "u-sam")
    await say(hub, stranger, {"type": "subscribe", "channel": "feed", "cursor": cursor})
    assert stranger_socket.of_type("error")[0]["code"] == P.BAD_CURSOR


async def test_a_cursor_older_than_the_window_asks_for_a_snapshot():
    hub = make_hub(window=2)
    events = Events(hub)
    lea, socket = await connect(hub, "u-lea")
    await say(hub, lea, {"type": "subscribe", "channel": "feed"})
    events.post("p1")
    await say(hub, lea, {"type": "ping"})
    cursor = socket.events()[-1]["cursor"]
    for post_id in ("p2", "p3", "p4"):
        events.post(post_id)
    again, resumed = await connect(hub, "u-lea")
    await say(hub, again, {"type": "subscribe", "channel": "feed", "cursor": cursor})
    [snapshot] = resumed.of_type("snapshot_required")
    assert snapshot["channel"] == "feed" and snapshot["cursor"]


@pytest.mark.parametrize(
    "frame,code,field",
    [("not json", P.BAD_JSON, None), ({"type": "dance"}, P.UNKNOWN_TYPE, "type"),
     ({"type": "subscribe", "channel": "everything"}, P.BAD_FRAME, "channel"),
     ({"type": "location", "lat": 91, "lon": 0}, P.BAD_FRAME, "lat"),
     ({"type": "unsubscribe", "channel": "feed"}, P.NOT_SUBSCRIBED, "channel")],
)  # fmt: skip
async def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(hub, frame, code, field):
    client, socket = await connect(hub, "u-lea")
    await say(hub, client, frame)
    [error] = socket.of_type("error")
    assert error["code"] == code and error.get("field") == field
    assert socket.closed_with is None


async def test_a_client_far_over_the_frame_rate_is_closed(hub):
    client, socket = await connect(hub)
    for _ in range(hub.frame_burst + 1):
        hub.receive(client, '{"type": "ping"}')
    await asyncio.sleep(0)
    assert socket.of_type("error")[0]["code"] == P.RATE_LIMITED and socket.closed_with is None
    for _ in range(hub.frame_burst):
        hub.receive(client, '{"type": "ping"}')
    await asyncio.sleep(0)
    assert socket.closed_with[0] == P.CLOSE_TOO_MANY_FRAMES
    assert client not in hub.clients


async def test_a_slow_reader_is_closed_and_slows_nobody():
    hub = make_hub(send_buffer_frames=3)
    events = Events(hub)
    slow, slow_socket = await connect(hub, stuck=True)
    quick, quick_socket = await connect(hub)
    for client in (slow, quick):
        await say(hub, client, {"type": "subscribe", "channel": "feed"})
    for n in range(6):
        events.post(f"p{n}")
        await asyncio.sleep(0)  # the quick reader's writer keeps up; the stuck one cannot
    await say(hub, quick, {"type": "ping"})
    assert slow_socket.closed_with[0] == P.CLOSE_TOO_SLOW and slow not in hub.clients
    assert len(ids(quick_socket)) == 6


async def test_the_alerts_channel_waits_for_a_location_and_a_member_location_is_published(hub):
    events = Events(hub)
    lea, socket = await connect(hub, "u-lea")
    await say(hub, lea, {"type": "subscribe", "channel": "alerts", "radius_m": 2_000})
    events.post("far", urgent=True)  # no location yet: nothing
    await say(hub, lea, {"type": "location", "lat": PARIS[0], "lon": PARIS[1]})
    await say(hub, lea, {"type": "location", "lat": PARIS[0], "lon": PARIS[1]})
    events.post("near", urgent=True)
    events.post("calm", urgent=False)
    events.post("lyon", urgent=True, at=(45.76, 4.84))
    await say(hub, lea, {"type": "ping"})
    assert ids(socket, "alerts") == ["e-near"]
    assert hub.publish_location.published == [("u-lea", *PARIS)]  # once in the interval
