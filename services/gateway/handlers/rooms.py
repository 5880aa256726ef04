"""Urgent alerts' search rooms on the sockets: answers, releases and what is said in a
room are checked here, then put on the restricted topic; every gateway applies them
when it reads them back (``apply``), so all gateways agree on who is in which room.

Nothing of a room reaches a socket that is not in it: the subscribe is authorised, and
each change is checked again for every subscriber, so a helper released or an alert
ended leaves the room at once (``room_closed``), and a later subscribe is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from prometheus_client import Counter

from services.gateway.domain import protocol as P
from services.gateway.domain import rooms as R
from services.gateway.handlers.client import Client
from services.gateway.handlers.throttle import LatestWins
from services.gateway.ports import PublishRoomEvent
from shared.contract import events as E
from shared.contract.values import Point, SearchUpdate

log = logging.getLogger(__name__)

ROOM_FRAMES = Counter("entraide_gateway_room_frames_total", "Room frames sent to sockets")


class RoomHub:
    def __init__(
        self,
        publish: PublishRoomEvent | None,
        position_min_interval_s: float,
        spawn: Callable,
        clients_of: Callable[[str], list[Client]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``spawn``: runs a coroutine in the background; ``clients_of``: a member's
        sockets on this gateway; ``clock``: the time events are stamped with."""
        self.clock = clock
        self.rooms = R.Rooms()
        self.publish = publish
        self.position_min_interval_s = position_min_interval_s
        self._spawn = spawn
        self._clients_of = clients_of
        self.subscribers: dict[str, set[Client]] = {}  # post id -> sockets in its room
        # A helper's position: at most one every interval per helper and room; one sent
        # sooner waits (the latest wins) and goes when the interval is over, never lost.
        self._positions = LatestWins()

    # -- events read back from the topics -------------------------------------------------
    def apply(self, event: E.Event) -> None:
        change = self.rooms.apply(event)
        if change is not None:
            self._deliver(change)

    def sweep(self) -> None:
        """Close the rooms whose alert's end never came, past their expiry."""
        for change in self.rooms.sweep():
            self._deliver(change)

    def _deliver(self, change: R.Change) -> None:
        if change.answered is not None:
            member, answer = change.answered
            for client in self._clients_of(member):
                client.push_json({"type": "answered", "post_id": change.post_id,
                                  "answer": answer.value})  # fmt: skip
        if change.ended is not None:
            self._positions.forget(lambda key: key[0] == change.post_id)
            for client in self.subscribers.pop(change.post_id, set()):
                self._close_room(client, change.post_id, change.ended)
            return
        for client in list(self.subscribers.get(change.post_id, ())):
            if client.member in change.leaving or not self.rooms.may_enter(
                change.post_id, client.member
            ):
                self._leave(client, change.post_id, change.leaving_reason)
            else:
                self._show(client, change.post_id)

    # -- socket frames --------------------------------------------------------------------
    def subscribe(self, client: Client, channel: str) -> None:
        post_id = channel.removeprefix(P.ROOM_CHANNEL_PREFIX)
        if not self.rooms.may_enter(post_id, client.member):
            # The same answer for a room that does not exist, has ended, or is not theirs.
            client.error(P.FORBIDDEN, "you are not in this alert's search room", "channel", channel)
            return
        self.subscribers.setdefault(post_id, set()).add(client)
        client.push_json({"type": "subscribed", "channel": channel})
        self._show(client, post_id)

    def unsubscribe(self, client: Client, channel: str) -> bool:
        post_id = channel.removeprefix(P.ROOM_CHANNEL_PREFIX)
        inside = self.subscribers.get(post_id, set())
        if client not in inside:
            return False
        inside.discard(client)
        if not inside:
            del self.subscribers[post_id]
        client.push_json({"type": "unsubscribed", "channel": channel})
        return True

    def disconnect(self, client: Client) -> None:
        for post_id, inside in list(self.subscribers.items()):
            inside.discard(client)
            if not inside:
                del self.subscribers[post_id]

    def answer(self, client: Client, frame: P.AnswerFrame) -> None:
        channel = P.ROOM_CHANNEL_PREFIX + frame.post_id
        if client.member is None:
            client.error(P.LOGIN_REQUIRED, "log in to answer an alert", "post_id", channel)
            return
        refusal = self.rooms.answer_refusal(frame.post_id, client.member)
        if refusal is not None:
            client.error(refusal, _REFUSALS[refusal], "post_id", channel)
            return
        room = self.rooms.room(frame.post_id)
        assert room is not None
        answered = E.HelperAnswered(
            alert_id=room.alert_id, post_id=room.post_id, member_id=client.member,
            name=client.name or "?", answer=frame.answer, answered_at=self.clock(),
        )  # fmt: skip
        self._send(client, answered, channel)

    def release(self, client: Client, frame: P.Release) -> None:
        room = self.rooms.room(frame.post_id)
        channel = P.ROOM_CHANNEL_PREFIX + frame.post_id
        if room is None or client.member != room.author_id:
            client.error(P.FORBIDDEN, "only the requester releases a helper", "post_id", channel)
            return
        if frame.member_id not in room.helpers:
            client.error(P.FORBIDDEN, "not a helper in this room", "member_id", channel)
            return
        released = E.HelperReleased(
            alert_id=room.alert_id, post_id=room.post_id, member_id=frame.member_id,
            released_at=self.clock(),
        )  # fmt: skip
        self._send(client, released, channel)

    def update(self, client: Client, frame: P.RoomUpdate) -> None:
        refusal = (
            self.rooms.refusal(frame.post_id, client.member, frame.update)
            if client.member else R.FORBIDDEN
        )  # fmt: skip
        channel = P.ROOM_CHANNEL_PREFIX + frame.post_id
        if refusal is not None:
            client.error(refusal, "not yours to say in this room", "update", channel)
            return
        missing = frame.missing()
        if missing is None and frame.sector is not None and frame.sector >= R.SECTOR_COUNT:
            client.error(P.BAD_FRAME, f"sectors are 0 to {R.SECTOR_COUNT - 1}", "sector", channel)
            return
        if missing is not None:
            client.error(P.BAD_FRAME, f"{frame.update.value} needs {missing}", missing, channel)
            return
        room = self.rooms.room(frame.post_id)
        assert room is not None and client.member is not None
        point = Point(lat=frame.lat, lon=frame.lon) if frame.lat is not None else None
        text = frame.text.strip() if frame.text else None
        updated = E.SearchUpdated(
            alert_id=room.alert_id, post_id=room.post_id, member_id=client.member,
            name=client.name or "?", update=frame.update, point=point, text=text,
            sector=frame.sector, updated_at=self.clock(),
        )  # fmt: skip
        if frame.update is SearchUpdate.POSITION:
            self._position(client, updated)
        else:
            self._send(client, updated, channel)

    # -- helpers --------------------------------------------------------------------------
    def _position(self, client: Client, updated: E.SearchUpdated) -> None:
        def send(position: E.SearchUpdated) -> None:
            if client.closed or not self.rooms.may_enter(position.post_id, position.member_id):
                return  # gone, released, or the alert ended meanwhile
            self._send(client, position, P.ROOM_CHANNEL_PREFIX + position.post_id)

        key = (updated.post_id, updated.member_id)
        self._positions.submit(key, updated, send, self.position_min_interval_s)

    def _send(self, client: Client, event: E.Event, channel: str) -> None:
        if self.publish is None:
            client.error(P.UNAVAILABLE, "alerts are not available here", "post_id", channel)
            return

        async def publish() -> None:
            try:
                await self.publish(event)  # type: ignore[misc]
            except Exception as exc:
                log.warning("could not publish %s: %s", type(event).__name__, exc)
                client.error(P.UNAVAILABLE, "could not send it: try again", "post_id", channel)

        self._spawn(publish())

    def _show(self, client: Client, post_id: str) -> None:
        room = self.rooms.room(post_id)
        if room is None or client.member is None:
            return
        ROOM_FRAMES.inc()
        client.push(orjson.dumps({"type": "room", "channel": P.ROOM_CHANNEL_PREFIX + post_id,
                                  "room": room.view(client.member)}))  # fmt: skip

    def _leave(self, client: Client, post_id: str, reason: str) -> None:
        inside = self.subscribers.get(post_id, set())
        inside.discard(client)
        if not inside:
            self.subscribers.pop(post_id, None)
        self._close_room(client, post_id, reason)

    @staticmethod
    def _close_room(client: Client, post_id: str, reason: str) -> None:
        client.push_json({"type": "room_closed", "channel": P.ROOM_CHANNEL_PREFIX + post_id,
                          "reason": reason})  # fmt: skip


_REFUSALS = {
    R.FORBIDDEN: "this alert did not reach you, or you were released",
    R.ALERT_ENDED: "this alert has ended",
}
