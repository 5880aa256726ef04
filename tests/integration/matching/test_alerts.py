"""Urgent alerts on the real broker: raised, widened on schedule, ended by the post."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from shared.contract.catalogue import ALERTS
from shared.contract.envelope import decode_event
from shared.contract.events import (
    PostResolved,
    PostWithdrawn,
    ReplyCreated,
    UrgentRequestPlaced,
)
from shared.contract.values import Category, Outcome, ReplyIntent
from tests.factories import FESTIVAL
from tests.integration.kafka_tools import read_topic


def placed(post_id: str) -> UrgentRequestPlaced:
    now = datetime.now(UTC)
    return UrgentRequestPlaced(
        post_id=post_id, author_id="u-amine", category=Category.FIND_A_PERSON, point=FESTIVAL,
        expires_at=now + timedelta(hours=6), placed_at=now,
    )  # fmt: skip


async def alert_events(matching, expected: int, timeout_s: float = 30):
    records = await read_topic(matching.bootstrap, matching.topic(ALERTS.name), expected,
                               timeout_s)  # fmt: skip
    return [decode_event(r.value).event for r in records]


async def test_an_urgent_request_escalates_while_nobody_answers_and_stops_when_resolved(
    matching,
):
    # Rings of 500 m, 1 km and 3 km (the default), one second apart here.
    await asyncio.to_thread(
        matching.start_worker, ENTRAIDE_ALERT_WAITS_S="[1, 1]", ENTRAIDE_ALERT_TICK_S="0.2"
    )
    await matching.publisher.publish(placed("u1"), topic=matching.topic("urgent-requests.v1"))
    events = await alert_events(matching, 3)
    assert [(type(e).__name__, e.radius_m) for e in events] == [
        ("UrgentAlertRaised", 500),
        ("UrgentAlertEscalated", 1_000),
        ("UrgentAlertEscalated", 3_000),
    ]
    assert events[0].point == FESTIVAL
    resolved = PostResolved(post_id="u1", outcome=Outcome.HELPED, resolved_at=datetime.now(UTC))
    await matching.publisher.publish(resolved, topic=matching.topic("posts.v1"))
    events = await alert_events(matching, 4)
    assert type(events[-1]).__name__ == "UrgentAlertResolved" and events[-1].reason == "resolved"
    assert len(await alert_events(matching, 5, timeout_s=3)) == 4


async def test_a_strangers_offer_of_help_ends_nothing_the_requester_withdrawing_does(matching):
    await asyncio.to_thread(
        matching.start_worker, ENTRAIDE_ALERT_WAITS_S="[2, 60]", ENTRAIDE_ALERT_TICK_S="0.2"
    )
    await matching.publisher.publish(placed("u2"), topic=matching.topic("urgent-requests.v1"))
    help_offer = ReplyCreated(
        reply_id="r1", post_id="u2", post_author_id="u-amine", author_id="u-stranger",
        intent=ReplyIntent.CAN_HELP, body="I see him", created_at=datetime.now(UTC),
    )  # fmt: skip
    await matching.publisher.publish(help_offer, topic=matching.topic("replies.v1"))
    # The reply ends nothing: the alert widens on schedule.
    events = await alert_events(matching, 2)
    assert [type(e).__name__ for e in events] == ["UrgentAlertRaised", "UrgentAlertEscalated"]
    withdrawn = PostWithdrawn(post_id="u2", withdrawn_at=datetime.now(UTC))
    await matching.publisher.publish(withdrawn, topic=matching.topic("posts.v1"))
    events = await alert_events(matching, 3)
    assert type(events[-1]).__name__ == "UrgentAlertResolved" and events[-1].reason == "withdrawn"
