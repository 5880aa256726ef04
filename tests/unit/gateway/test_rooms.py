"""Urgent alerts' search rooms: who may answer and enter, what they see, and that
nothing of a room reaches anyone else (the domain, then the hub through fakes)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from services.gateway.domain import rooms as R
from services.gateway.handlers import Hub
from shared.contract import events as E
from shared.contract.values import AlertEndReason, Answer, Category, Point, SearchUpdate
from tests.factories import FESTIVAL, NOW
from tests.fakes.gateway import FakeRoomPublisher
from tests.unit.gateway.test_hub import connect, make_hub, say

ALERT = dict(alert_id="a-p1", post_id="p1")


def raised(author="u-amine") -> E.UrgentAlertRaised:
    return E.UrgentAlertRaised(**ALERT, author_id=author, category=Category.FIND_A_PERSON,
                               point=FESTIVAL, radius_m=500, ring=0,
                               expires_at=NOW + timedelta(hours=2), raised_at=NOW)  # fmt: skip


def reached(*members: str, ring: int = 0) -> E.AlertReached:
    return E.AlertReached(**ALERT, ring=ring, member_ids=members, reached_at=NOW)


def answered(member: str, answer: Answer = Answer.COMING) -> E.HelperAnswered:
    return E.HelperAnswered(**ALERT, member_id=member, name=member.removeprefix("u-").title(),
                            answer=answer, answered_at=NOW)  # fmt: skip


def ended() -> E.UrgentAlertResolved:
    return E.UrgentAlertResolved(**ALERT, reason=AlertEndReason.RESOLVED, resolved_at=NOW)


def test_only_the_requester_and_the_reached_helpers_who_come_enter():
    rooms = R.Rooms()
    rooms.apply(raised())
    rooms.apply(reached("u-lea", "u-sam", "u-amine"))  # the author is never "reached"
    assert rooms.may_enter("p1", "u-amine") and not rooms.may_enter("p1", "u-lea")
    assert rooms.answer_refusal("p1", "u-lea") is None
    assert rooms.answer_refusal("p1", "u-amine") == R.FORBIDDEN  # not her own alert
    assert rooms.answer_refusal("p1", "u-stranger") == R.FORBIDDEN
    assert rooms.answer_refusal("no-such-post", "u-lea") == R.FORBIDDEN  # the same answer
    change = rooms.apply(answered("u-lea"))
    assert change.answered == ("u-lea", Answer.COMING) and rooms.may_enter("p1", "u-lea")
    rooms.apply(answered("u-sam", Answer.CANNOT))
    assert not rooms.may_enter("p1", "u-sam")
    # A forged record (a member never reached) changes nothing.
    assert rooms.apply(answered("u-stranger")) is None
    view = rooms.room("p1").view("u-amine")
    assert view["role"] == "requester" and view["declined"] == 1
    assert [h["name"] for h in view["helpers"]] == ["Lea"] and view["reached_by_ring"] == [2]


def test_a_released_helper_leaves_and_cannot_come_back():
    rooms = R.Rooms()
    for event in (raised(), reached("u-lea"), answered("u-lea")):
        rooms.apply(event)
    change = rooms.apply(E.HelperReleased(**ALERT, member_id="u-lea", released_at=NOW))
    assert change.leaving == {"u-lea"} and not rooms.may_enter("p1", "u-lea")
    assert rooms.answer_refusal("p1", "u-lea") == R.FORBIDDEN
    assert rooms.apply(answered("u-lea")) is None


def test_the_end_drops_the_room_and_its_points():
    rooms = R.Rooms()
    for event in (raised(), reached("u-lea"), answered("u-lea")):
        rooms.apply(event)
    change = rooms.apply(ended())
    assert change.ended == "resolved" and rooms.room("p1") is None
    assert not rooms.may_enter("p1", "u-amine") and not rooms.may_enter("p1", "u-lea")
    assert rooms.answer_refusal("p1", "u-lea") == R.ALERT_ENDED
    assert rooms.apply(raised()) is None and rooms.room("p1") is None  # re-read: stays ended


def test_helpers_spread_over_the_sectors_and_a_searched_one_moves_its_helper_on():
    rooms = R.Rooms()
    members = [f"u-{n}" for n in range(R.SECTOR_COUNT + 1)]
    rooms.apply(raised())
    rooms.apply(reached(*members))
    for member in members:
        rooms.apply(answered(member))
    sectors = [h.sector for h in rooms.room("p1").helpers.values()]
    assert sectors == [*range(R.SECTOR_COUNT), 0]  # one each before two share one
    searched = E.SearchUpdated(**ALERT, member_id="u-1", name="One",
                               update=SearchUpdate.SEARCHED, sector=1, updated_at=NOW)  # fmt: skip
    rooms.apply(searched)
    room = rooms.room("p1")
    assert room.searched == {1} and room.helpers["u-1"].sector not in (1, None)
    # Only the requester moves the last-seen point; the sectors start again around it.
    moved = Point(lat=FESTIVAL.lat + 0.001, lon=FESTIVAL.lon)
    by_helper = E.SearchUpdated(
        **ALERT, member_id="u-1", name="One", update=SearchUpdate.LAST_SEEN, point=moved,
        updated_at=NOW,
    )  # fmt: skip
    assert rooms.apply(by_helper) is None and room.point == FESTIVAL
    rooms.apply(by_helper.model_copy(update={"member_id": "u-amine"}))
    assert room.point == moved and room.searched == set()


def test_events_read_before_their_alert_wait_for_it():
    """Kafka orders one topic's partition, not two topics: who a ring reached may be read
    before the alert's raise (on a gateway's restart, or live)."""
    rooms = R.Rooms()
    rooms.apply(reached("u-lea"))
    rooms.apply(answered("u-lea"))
    assert rooms.room("p1") is None
    rooms.apply(raised())
    assert rooms.may_enter("p1", "u-lea") and rooms.room("p1").reached == {"u-lea"}
    # After the end, late records are not kept for a raise that will never come again.
    rooms.apply(ended())
    rooms.apply(reached("u-sam"))
    assert rooms.early == {}


def test_a_room_whose_end_was_lost_closes_after_its_expiry():
    now = [NOW]
    rooms = R.Rooms(clock=lambda: now[0])
    rooms.apply(raised())
    assert rooms.sweep() == []
    now[0] = NOW + timedelta(hours=2) + R.EXPIRY_GRACE + timedelta(seconds=1)
    [change] = rooms.sweep()
    assert change.ended == "expired" and rooms.room("p1") is None


def test_a_helper_who_cannot_come_after_all_leaves_the_room():
    rooms = R.Rooms()
    for event in (raised(), reached("u-lea"), answered("u-lea")):
        rooms.apply(event)
    change = rooms.apply(answered("u-lea", Answer.CANNOT))
    assert change.leaving == {"u-lea"} and change.leaving_reason == "declined"
    assert not rooms.may_enter("p1", "u-lea")
    assert rooms.answer_refusal("p1", "u-lea") is None  # she may still say she is coming


# -- on the sockets -----------------------------------------------------------------------


@pytest.fixture
def hub() -> Hub:
    hub = make_hub()
    publisher = FakeRoomPublisher()
    hub.rooms.publish = publisher
    hub.rooms.position_min_interval_s = 0.05
    publisher.hub = hub
    return hub


async def test_a_helper_answers_enters_the_room_sees_the_point_and_leaves_at_the_end(hub):
    hub.rooms.apply(raised())
    hub.rooms.apply(reached("u-lea", "u-noe"))
    amine, amine_socket = await connect(hub, "u-amine")
    lea, lea_socket = await connect(hub, "u-lea")
    lea.name = "Léa"
    _, noe_socket = await connect(hub, "u-noe")  # reached, never answers
    stranger, stranger_socket = await connect(hub, "u-stranger")
    await say(hub, amine, {"type": "subscribe", "channel": "room:p1"})
    await say(hub, stranger, {"type": "subscribe", "channel": "room:p1"})
    await say(hub, stranger, {"type": "answer", "post_id": "p1", "answer": "coming"})
    assert [f["code"] for f in stranger_socket.of_type("error")] == ["forbidden", "forbidden"]

    await say(hub, lea, {"type": "answer", "post_id": "p1", "answer": "coming"})
    await asyncio.sleep(0.01)
    assert lea_socket.of_type("answered") == [
        {"type": "answered", "post_id": "p1", "answer": "coming"}
    ]
    await say(hub, lea, {"type": "subscribe", "channel": "room:p1"})
    (view,) = [f["room"] for f in lea_socket.of_type("room")]
    assert view["role"] == "helper" and view["point"] == FESTIVAL.model_dump()
    assert view["helpers"][0]["name"] == "Léa" and view["helpers"][0]["sector"] == 0
    # The requester saw her come, live.
    assert [h["name"] for h in amine_socket.of_type("room")[-1]["room"]["helpers"]] == ["Léa"]

    await say(hub, lea, {"type": "room_update", "post_id": "p1", "update": "message",
                         "text": "Near the stage"})  # fmt: skip
    await asyncio.sleep(0.01)
    assert amine_socket.of_type("room")[-1]["room"]["messages"][0]["text"] == "Near the stage"

    hub.rooms.apply(ended())
    await say(hub, lea, {"type": "ping"})
    for socket in (amine_socket, lea_socket):
        assert socket.of_type("room_closed")[-1]["reason"] == "resolved"
    await say(hub, lea, {"type": "subscribe", "channel": "room:p1"})
    assert lea_socket.of_type("error")[-1]["code"] == "forbidden"
    await say(hub, lea, {"type": "answer", "post_id": "p1", "answer": "coming"})
    assert lea_socket.of_type("error")[-1]["code"] == "alert_ended"
    # Nothing of the room ever reached the members outside it.
    for socket in (noe_socket, stranger_socket):
        assert not [f for f in socket.frames if f["type"] in ("room", "room_closed")]
        assert "48.8566" not in json.dumps(socket.frames)


async def test_a_released_helper_is_put_out_at_once_on_every_socket(hub):
    hub.rooms.apply(raised())
    hub.rooms.apply(reached("u-lea"))
    amine, _ = await connect(hub, "u-amine")
    lea, lea_socket = await connect(hub, "u-lea")
    lea_phone, lea_phone_socket = await connect(hub, "u-lea")
    await say(hub, lea, {"type": "answer", "post_id": "p1", "answer": "coming"})
    await asyncio.sleep(0.01)
    await say(hub, lea, {"type": "subscribe", "channel": "room:p1"})
    await say(hub, lea_phone, {"type": "subscribe", "channel": "room:p1"})
    # A position waits for the interval when the release comes: it is never sent.
    for lat in (48.1, 48.2):
        await say(hub, lea, {"type": "room_update", "post_id": "p1", "update": "position",
                             "lat": lat, "lon": 2.3})  # fmt: skip
    await say(hub, lea, {"type": "release", "post_id": "p1", "member_id": "u-lea"})
    assert lea_socket.of_type("error")[-1]["code"] == "forbidden"  # only the requester
    await say(hub, amine, {"type": "release", "post_id": "p1", "member_id": "u-lea"})
    await asyncio.sleep(0.01)
    await say(hub, lea, {"type": "ping"})
    for socket in (lea_socket, lea_phone_socket):
        assert socket.of_type("room_closed") == [
            {"type": "room_closed", "channel": "room:p1", "reason": "released"}
        ]
    await say(hub, lea, {"type": "subscribe", "channel": "room:p1"})
    assert lea_socket.of_type("error")[-1]["code"] == "forbidden"
    await asyncio.sleep(0.1)  # past the interval: the waiting position was dropped
    positions = [e.point.lat for e in hub.rooms.publish.published
                 if isinstance(e, E.SearchUpdated)]  # fmt: skip
    assert positions == [48.1]


async def test_who_may_say_what_in_the_room(hub):
    hub.rooms.apply(raised())
    hub.rooms.apply(reached("u-lea"))
    amine, amine_socket = await connect(hub, "u-amine")
    lea, lea_socket = await connect(hub, "u-lea")
    await say(hub, lea, {"type": "answer", "post_id": "p1", "answer": "coming"})
    await asyncio.sleep(0.01)
    refused = [
        (lea, {"update": "last_seen", "lat": 48.8, "lon": 2.3}, "forbidden"),
        (lea, {"update": "description", "text": "Red coat"}, "forbidden"),
        (amine, {"update": "position", "lat": 48.8, "lon": 2.3}, "forbidden"),
        (amine, {"update": "last_seen"}, "bad_frame"),
        (lea, {"update": "message", "text": "   "}, "bad_frame"),
        (lea, {"update": "searched", "sector": 8}, "bad_frame"),
    ]
    for client, update, code in refused:
        await say(hub, client, {"type": "room_update", "post_id": "p1", **update})
        socket = lea_socket if client is lea else amine_socket
        assert socket.of_type("error")[-1]["code"] == code, update
    assert hub.rooms.publish.published[1:] == []  # only Léa's answer went out


async def test_positions_come_at_most_every_interval_and_the_latest_is_never_dropped(hub):
    hub.rooms.apply(raised())
    hub.rooms.apply(reached("u-lea"))
    lea, _ = await connect(hub, "u-lea")
    await say(hub, lea, {"type": "answer", "post_id": "p1", "answer": "coming"})
    await asyncio.sleep(0.01)
    for lat in (48.1, 48.2, 48.3):
        await say(hub, lea, {"type": "room_update", "post_id": "p1", "update": "position",
                             "lat": lat, "lon": 2.3})  # fmt: skip
    positions = [e.point.lat for e in hub.rooms.publish.published
                 if isinstance(e, E.SearchUpdated)]  # fmt: skip
    assert positions == [48.1]
    await asyncio.sleep(0.1)  # the interval is over: the latest goes, the one between not
    positions = [e.point.lat for e in hub.rooms.publish.published
                 if isinstance(e, E.SearchUpdated)]  # fmt: skip
    assert positions == [48.1, 48.3]


async def test_a_location_sent_too_soon_waits_and_is_forwarded_not_dropped():
    hub = make_hub()
    hub.location_min_interval_s = 0.05
    lea, _ = await connect(hub, "u-lea")
    await say(hub, lea, {"type": "location", "lat": 48.1, "lon": 2.3})
    await say(hub, lea, {"type": "location", "lat": 48.2, "lon": 2.3})
    await say(hub, lea, {"type": "location", "lat": 48.3, "lon": 2.3})
    assert hub.publish_location.published == [("u-lea", 48.1, 2.3)]
    await asyncio.sleep(0.1)
    assert hub.publish_location.published == [("u-lea", 48.1, 2.3), ("u-lea", 48.3, 2.3)]
