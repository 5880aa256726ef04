"""An urgent alert's search room on real Kafka: gateways build it from the restricted
topics (a gateway started later rebuilds it whole), let in only the requester and the
helpers coming, and close it on every gateway when the alert ends."""

from __future__ import annotations

from datetime import timedelta

from shared.contract import events as m
from shared.contract.values import AlertEndReason, Category
from shared.runtime.auth import Role
from tests.factories import FESTIVAL, NOW

ALERT = dict(alert_id="a-lost", post_id="lost")


async def test_a_room_rebuilt_on_any_gateway_open_only_to_its_people(gateways):
    await gateways.put(m.UrgentAlertRaised(
        **ALERT, author_id="u-amine", category=Category.FIND_A_PERSON, point=FESTIVAL,
        radius_m=500, ring=0, expires_at=NOW + timedelta(days=365), raised_at=NOW,
    ))  # fmt: skip
    await gateways.put(m.AlertReached(**ALERT, ring=0, member_ids=("u-lea",), reached_at=NOW))
    first = await gateways.start()  # reads both topics whole before it is ready
    signer = gateways.keys.signer()
    token = {name: signer.issue(f"u-{name}", Role.MEMBER, ttl_s=600, name=name.title())
             for name in ("amine", "lea", "stranger")}  # fmt: skip

    stranger = await gateways.socket(first, token["stranger"])
    await stranger.send({"type": "subscribe", "channel": "room:lost"})
    await stranger.send({"type": "answer", "post_id": "lost", "answer": "coming"})
    await stranger.wait_for(lambda s: len(s.of_type("error")) == 2, what="two refusals")
    assert {e["code"] for e in stranger.of_type("error")} == {"forbidden"}

    amine = await gateways.socket(first, token["amine"])
    await amine.send({"type": "subscribe", "channel": "room:lost"})
    await amine.wait_for(lambda s: bool(s.of_type("room")), what="the requester's room")
    lea = await gateways.socket(first, token["lea"])
    await lea.send({"type": "answer", "post_id": "lost", "answer": "coming"})
    await lea.wait_for(lambda s: bool(s.of_type("answered")), what="her answer taken")
    await lea.send({"type": "subscribe", "channel": "room:lost"})
    await lea.wait_for(lambda s: bool(s.of_type("room")), what="the helper's room")
    assert lea.of_type("room")[-1]["room"]["point"] == FESTIVAL.model_dump()
    await amine.wait_for(lambda s: [h["name"] for h in s.of_type("room")[-1]["room"]["helpers"]]
                         == ["Lea"], what="Léa coming, seen by the requester")  # fmt: skip

    # A gateway started now rebuilds the room (her answer included) from the topics.
    second = await gateways.start()
    lea_elsewhere = await gateways.socket(second, token["lea"])
    await lea_elsewhere.send({"type": "subscribe", "channel": "room:lost"})
    await lea_elsewhere.wait_for(lambda s: bool(s.of_type("room")), what="the room on another")
    assert (
        lea_elsewhere.of_type("room")[-1]["room"]["helpers"]
        == (lea.of_type("room")[-1]["room"]["helpers"])
    )

    await gateways.put(m.UrgentAlertResolved(**ALERT, reason=AlertEndReason.RESOLVED,
                                             resolved_at=NOW))  # fmt: skip
    for socket in (amine, lea, lea_elsewhere):
        await socket.wait_for(lambda s: bool(s.of_type("room_closed")), what="the room closed")
        assert socket.of_type("room_closed")[-1]["reason"] == "resolved"
    await lea_elsewhere.send({"type": "subscribe", "channel": "room:lost"})
    await lea_elsewhere.wait_for(lambda s: bool(s.of_type("error")), what="a refusal")
    assert lea_elsewhere.of_type("error")[-1]["code"] == "forbidden"
    # Nothing of the room ever reached the stranger.
    assert not stranger.of_type("room") and str(FESTIVAL.lat) not in str(stranger.frames)
