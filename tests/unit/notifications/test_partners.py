"""What partners are sent beyond a post's own events: replies, answers, matches and an
urgent alert's lifecycle without any member's id, words or exact point; and each day's
outcomes, with no cell under five."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from services.notifications.domain.webhooks import Endpoint, WebhookFilter
from services.notifications.handlers import EventHandlers, WebhookHandlers
from shared.contract.envelope import decode_event, encode_event, new_event_id
from shared.contract.errors import Invalid
from shared.contract.events import PostCreated, PostResolved
from shared.contract.identity import Claims, Role
from shared.contract.partner import OUTCOMES_EVENT
from shared.contract.values import Category, FuzzedLocation, Outcome, Point
from tests.factories import FESTIVAL, NOW, public_post, sample_events
from tests.fakes.notifications import (
    FakeAlertRooms,
    FakeDirectory,
    FakeInbox,
    FakeOutcomes,
    FakePusher,
    FakeSecrets,
    FakeSender,
    FakeWebhookStore,
)
from tests.fakes.posts import FakeClock

PARTNER = Claims("u-chaudron", Role.PARTNER, 0)
LYON = Point(lat=45.7640, lon=4.8357)
MEMBER_FIELDS = {"author_id", "post_author_id", "request_author_id", "offer_author_id",
                 "member_id", "member_ids", "members", "sender_id", "body", "point"}  # fmt: skip


@pytest.fixture
def wired() -> tuple[EventHandlers, WebhookHandlers]:
    store, outcomes, clock = FakeWebhookStore(), FakeOutcomes(), FakeClock(NOW)
    events = EventHandlers(inbox=FakeInbox(), directory=FakeDirectory(), webhooks=store,
                           publish=FakePusher(), clock=clock, rooms=FakeAlertRooms(),
                           outcomes=outcomes)  # fmt: skip
    webhooks = WebhookHandlers(store=store, sender=FakeSender(), make_secret=FakeSecrets(),
                               clock=clock, outcomes=outcomes)  # fmt: skip
    return events, webhooks


def _endpoint(endpoint_id: str, filter: WebhookFilter | None = None) -> Endpoint:
    return Endpoint(endpoint_id, PARTNER.member_id, "https://partner.example/hooks", "",
                    "whsec_1", None, None, filter or WebhookFilter(), True, None, NOW)  # fmt: skip


async def handle(events: EventHandlers, event) -> None:
    await events.handle(decode_event(encode_event(event, event_id=new_event_id())))


def sent(store: FakeWebhookStore) -> list[dict]:
    return [json.loads(d.payload) for d in sorted(store.queue.values(), key=lambda d: d.seq)]


async def test_partners_follow_replies_matches_and_alerts_without_who_or_where(wired):
    events, _ = wired
    await events.webhooks.add_endpoint(_endpoint("e1"))
    for event in sample_events("p1"):
        await handle(events, event)
    payloads = sent(events.webhooks)
    types = [p["type"] for p in payloads]
    for expected in ("org.entraide.reply.created.v1", "org.entraide.reply.answered.v1",
                     "org.entraide.match.found.v1", "org.entraide.urgent-alert.raised.v1",
                     "org.entraide.urgent-alert.escalated.v1",
                     "org.entraide.urgent-alert.resolved.v1"):  # fmt: skip
        assert types.count(expected) == 1, (expected, types)
    beyond_the_post = [p for p in payloads if ".post." not in p["type"]]
    for payload in beyond_the_post:
        assert not MEMBER_FIELDS & set(payload["data"]), payload
        text = json.dumps(payload)
        assert "u-amine" not in text and "u-lea" not in text
        assert str(FESTIVAL.lat) not in text and str(FESTIVAL.lon) not in text
    # Nothing of the rooms, the conversations or the members' own events.
    assert not [t for t in types if "helper" in t or "message" in t or "member" in t]
    match = next(p["data"] for p in payloads if p["type"].endswith("match.found.v1"))
    assert match["request_id"] == "p1" and match["reasons"]


async def _resolve(events, post_id: str, at: Point, outcome=Outcome.HELPED, **post) -> None:
    created = public_post(post_id, location=FuzzedLocation.of(at), **post)
    await handle(events, PostCreated(post_id=post_id, post=created))
    await handle(events, PostResolved(post_id=post_id, outcome=outcome,
                                      resolved_at=NOW - timedelta(days=1)))  # fmt: skip


async def test_each_day_partners_get_the_cells_of_five_or_more_resolved(wired):
    events, webhooks = wired
    for n in range(5):
        await _resolve(events, f"paris-{n}", FESTIVAL)
    await _resolve(events, "paris-5", FESTIVAL, Outcome.NO_LONGER_NEEDED)  # not help
    for n in range(4):
        await _resolve(events, f"lyon-{n}", LYON)  # four: could point at someone
    await events.webhooks.add_endpoint(_endpoint("e-all"))
    await events.webhooks.add_endpoint(
        _endpoint("e-jobs", WebhookFilter(categories=frozenset({Category.JOBS})))
    )
    queued = await webhooks.send_outcomes()
    assert queued == 6  # the three closed days, to each endpoint
    assert await webhooks.send_outcomes() == 0  # a day goes once to an endpoint
    by_endpoint: dict[str, list[dict]] = {}
    for d in sorted(events.webhooks.queue.values(), key=lambda d: d.seq):
        if d.event_type == OUTCOMES_EVENT:
            by_endpoint.setdefault(d.endpoint_id, []).append(json.loads(d.payload)["data"])
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    [day] = [d for d in by_endpoint["e-all"] if d["day"] == yesterday]
    [cell] = day["cells"]
    assert (cell["category"], cell["kind"], cell["resolved"]) == ("find_a_person", "request", 5)
    assert abs(cell["lat"] - FESTIVAL.lat) < 0.2 and day["k_anonymity"] == 5
    assert all(d["cells"] == [] for d in by_endpoint["e-jobs"])
    shown = await webhooks.outcomes_between(NOW.date() - timedelta(days=7), NOW.date())
    assert [len(d.cells) for d in shown if d.day.isoformat() == yesterday] == [1]
    with pytest.raises(Invalid) as too_long:
        await webhooks.outcomes_between(NOW.date() - timedelta(days=92), NOW.date())
    assert too_long.value.code == "too_many_days"


async def test_a_resolution_delivered_twice_counts_once(wired):
    events, webhooks = wired
    for n in range(4):
        await _resolve(events, f"p{n}", FESTIVAL)
    await _resolve(events, "p3", FESTIVAL)  # the same post again: still four
    day = (NOW - timedelta(days=1)).date()
    assert (await webhooks.outcomes_between(day, day))[0].cells == ()


async def test_a_partner_replays_from_a_point_in_time(wired):
    _, webhooks = wired
    endpoint = await webhooks.register(PARTNER, "https://partner.example/h", "", WebhookFilter())
    webhooks.store.now = NOW - timedelta(hours=2)
    await webhooks.store.enqueue([endpoint.id], "m1", "t", "{}")
    webhooks.store.now = NOW
    await webhooks.store.enqueue([endpoint.id], "m2", "t", "{}")
    assert await webhooks.replay_since(PARTNER, endpoint.id, NOW - timedelta(hours=1)) == 1
    assert await webhooks.replay_since(PARTNER, endpoint.id, NOW - timedelta(hours=3)) == 2
