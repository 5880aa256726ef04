"""The notifications handlers through fakes of their ports: who is told what, what is
held, what partners are sent, and what one delivery's answer decides."""

from __future__ import annotations

import random
from datetime import time, timedelta

import pytest

from services.notifications.domain.notices import Reason
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.webhooks import Endpoint, WebhookFilter
from services.notifications.handlers import (
    DeliveryHandlers,
    EventHandlers,
    InboxHandlers,
    WebhookHandlers,
)
from shared.contract.envelope import decode_event, encode_event, new_event_id
from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound
from shared.contract.events import (
    ConversationRead,
    MatchFound,
    MemberLocated,
    MemberProfileChanged,
    MessageSent,
    PostCreated,
    PostWithdrawn,
    ReplyCreated,
    UrgentAlertEscalated,
    UrgentAlertRaised,
    UrgentAlertResolved,
)
from shared.contract.identity import Claims, Role
from shared.contract.values import AlertEndReason, Category, Kind, Point, ReplyIntent
from tests.factories import FESTIVAL, NOW, public_post
from tests.fakes.notifications import (
    GRACE,
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

AUTHOR = "u-amine"  # public_post's author
PARTNER = Claims("u-chaudron", Role.PARTNER, 0)


@pytest.fixture
def events() -> EventHandlers:
    return EventHandlers(
        inbox=FakeInbox(),
        directory=FakeDirectory(),
        webhooks=FakeWebhookStore(),
        publish=FakePusher(),
        clock=FakeClock(NOW),
        rooms=FakeAlertRooms(),
        outcomes=FakeOutcomes(),
    )


async def handle(handlers: EventHandlers, event, event_id: str | None = None) -> str:
    event_id = event_id or new_event_id()
    await handlers.handle(decode_event(encode_event(event, event_id=event_id)))
    return event_id


def told(handlers: EventHandlers, reason: Reason | None = None) -> dict[str, list[str]]:
    """member -> titles of what was pushed to them (of one reason)."""
    out: dict[str, list[str]] = {}
    for row in handlers.publish.pushed:
        if reason is None or row.reason is reason:
            out.setdefault(row.member_id, []).append(row.title)
    return out


def reply(author: str, post_id: str = "p1", intent=ReplyIntent.COMMENT) -> ReplyCreated:
    return ReplyCreated(
        reply_id=new_event_id(), post_id=post_id, post_author_id=AUTHOR, author_id=author,
        intent=intent, body="On my way", created_at=NOW,
    )  # fmt: skip


async def test_a_reply_tells_the_author_and_the_followers_never_the_replier(events):
    await handle(events, PostCreated(post_id="p1", post=public_post("p1")))
    await handle(events, reply("u-lea", intent=ReplyIntent.CAN_HELP))
    assert list(told(events)) == [AUTHOR]
    assert told(events)[AUTHOR][0].startswith("Someone can help")
    await handle(events, reply("u-sam"))
    assert sorted(told(events)) == [AUTHOR, "u-lea"]  # Léa follows the thread she replied to
    assert "u-sam" not in told(events)


def message(sender: str, text: str = "Still free?") -> MessageSent:
    return MessageSent(
        message_id=new_event_id(), conversation_id="c1", post_id="p1", members=(AUTHOR, "u-lea"),
        sender_id=sender, sender_name="Léa", body=text, sent_at=NOW,
    )  # fmt: skip


async def test_a_message_tells_the_other_member_once_until_they_read_it(events):
    await handle(events, PostCreated(post_id="p1", post=public_post("p1")))
    await handle(events, message("u-lea"))
    await handle(events, message("u-lea", "Hello?"))
    (pushed,) = events.publish.pushed
    assert pushed.member_id == AUTHOR and pushed.reason is Reason.MESSAGE
    assert pushed.title_params["conversation"] == "c1" and pushed.title_params["name"] == "Léa"
    assert "Still free" not in pushed.title  # never the text
    await handle(events, ConversationRead(conversation_id="c1", members=(AUTHOR, "u-lea"),
                                          member_id=AUTHOR, up_to_message_id="m",
                                          read_at=NOW))  # fmt: skip
    assert all(row.read_at is not None for row in events.inbox.rows.values())
    await handle(events, message("u-lea", "Thanks!"))
    assert len(events.publish.pushed) == 2


async def test_a_message_in_quiet_hours_is_held_for_the_digest(events):
    await events.inbox.save_preferences(
        AUTHOR, Preferences(quiet_start=time(0, 0), quiet_end=time(23, 59), timezone="UTC")
    )
    await handle(events, message("u-lea"))
    assert events.publish.pushed == []
    (row,) = events.inbox.rows.values()
    assert row.held and row.reason is Reason.MESSAGE


async def test_a_re_delivered_cause_makes_the_same_notification_ids(events):
    await handle(events, PostCreated(post_id="p1", post=public_post("p1")))
    cause = reply("u-lea")
    event_id = await handle(events, cause)
    await handle(events, cause, event_id)
    first, again = events.publish.pushed
    assert first.id == again.id
    assert len(events.inbox.rows) == 1


async def test_a_match_tells_both_sides_about_the_other_post(events):
    offer = public_post("o1", author_id="u-lea", kind=Kind.OFFER, title="Spare bed tonight")
    await handle(events, PostCreated(post_id="p1", post=public_post("p1")))
    await handle(events, PostCreated(post_id="o1", post=offer))
    await handle(events, MatchFound(
        match_id="m1", request_id="p1", offer_id="o1", request_author_id=AUTHOR,
        offer_author_id="u-lea", score=0.7, reasons=(), found_at=NOW,
    ))  # fmt: skip
    titles = told(events, Reason.MATCH)
    assert "Spare bed tonight" in titles[AUTHOR][0]
    assert "little brother" in titles["u-lea"][0]
    # The pair is kept for its two authors, each seeing the other post; nobody else.
    inbox = InboxHandlers(events.inbox, events.clock)
    [seen] = await inbox.matches(Claims(AUTHOR, Role.MEMBER, 0), "p1")
    assert (seen.other_post_id, seen.other.title, seen.score) == ("o1", "Spare bed tonight", 0.7)
    [from_offer] = await inbox.matches(Claims("u-lea", Role.MEMBER, 0), "o1")
    assert from_offer.other_post_id == "p1"
    assert await inbox.matches(Claims("u-lea", Role.MEMBER, 0), "p1") == []
    assert await inbox.matches(Claims("u-sam", Role.MEMBER, 0), "o1") == []
    # Withdrawn: its pairs are listed to nobody.
    await handle(events, PostWithdrawn(post_id="o1", withdrawn_at=NOW))
    assert await inbox.matches(Claims(AUTHOR, Role.MEMBER, 0), "p1") == []


def consenting(member_id: str, north_m: float) -> MemberProfileChanged:
    home = Point(lat=FESTIVAL.lat + north_m / 111_195, lon=FESTIVAL.lon)
    return MemberProfileChanged(member_id=member_id, home=home, urgent_alerts_consent=True,
                                changed_at=NOW)  # fmt: skip


async def test_an_alert_reaches_members_near_the_point_ring_by_ring_then_ends(events):
    for member_id, north_m in (("u-near", 150), ("u-800", 800), (AUTHOR, 10)):
        await handle(events, consenting(member_id, north_m))
    await handle(events, MemberProfileChanged(member_id="u-no", home=FESTIVAL, changed_at=NOW))
    alert = dict(alert_id="a-p1", post_id="p1")
    await handle(events, UrgentAlertRaised(
        **alert, author_id=AUTHOR, category=Category.FIND_A_PERSON, point=FESTIVAL,
        radius_m=500, ring=0, expires_at=NOW + timedelta(hours=1), raised_at=NOW,
    ))  # fmt: skip
    assert list(told(events, Reason.URGENT_ALERT)) == ["u-near"]  # not the author, no consent
    # Who may answer is said on the rooms' topic, ring by ring.
    assert await events.rooms.reached_members("p1") == {"u-near"}
    escalated = UrgentAlertEscalated(**alert, point=FESTIVAL, radius_m=1_000, ring=1,
                                     escalated_at=NOW)  # fmt: skip
    cause = await handle(events, escalated)
    assert sorted(told(events, Reason.URGENT_ALERT)) == ["u-800", "u-near"]
    assert len(told(events, Reason.URGENT_ALERT)["u-near"]) == 1  # an earlier ring: not again
    rings = sorted((r.ring, r.member_ids) for r in events.rooms.sent.values())
    assert rings == [(0, ("u-near",)), (1, ("u-800",))]
    await handle(events, escalated, cause)  # re-delivered: the same event id, nothing new
    assert len(events.rooms.sent) == 2
    await handle(events, UrgentAlertResolved(**alert, reason=AlertEndReason.RESOLVED,
                                             resolved_at=NOW))  # fmt: skip
    assert sorted(told(events, Reason.URGENT_ALERT_RESOLVED)) == ["u-800", "u-near"]


async def test_a_device_location_moves_a_member_into_an_alert(events):
    await handle(events, consenting("u-lea", 5_000))
    await handle(events, MemberLocated(member_id="u-lea", point=FESTIVAL, located_at=NOW))
    await handle(events, UrgentAlertRaised(
        alert_id="a-p1", post_id="p1", author_id=AUTHOR, category=Category.FIND_A_PERSON,
        point=FESTIVAL, radius_m=200, ring=0, expires_at=NOW + timedelta(hours=1), raised_at=NOW,
    ))  # fmt: skip
    assert list(told(events)) == ["u-lea"]


async def test_quiet_hours_hold_ordinary_notifications_for_a_digest(events):
    events.inbox.prefs[AUTHOR] = Preferences(quiet_start=time(21), quiet_end=time(7),
                                             timezone="UTC")  # fmt: skip
    await handle(events, PostCreated(post_id="p1", post=public_post("p1")))
    await handle(events, reply("u-lea"))
    assert told(events) == {}
    assert await events.inbox.held_count(AUTHOR) == 1
    assert await events.send_digests() == 0  # still quiet
    events.clock.now = NOW + timedelta(hours=10)
    assert await events.send_digests() == 1
    assert told(events, Reason.DIGEST)[AUTHOR] == ["1 notification while you were away"]
    assert await events.inbox.held_count(AUTHOR) == 0


async def test_public_post_events_go_to_the_partners_whose_filters_take_them(events):
    store = events.webhooks
    for endpoint_id, categories in (
        ("e-person", {Category.FIND_A_PERSON}),
        ("e-jobs", {Category.JOBS}),
    ):
        await store.add_endpoint(
            _endpoint(endpoint_id, WebhookFilter(categories=frozenset(categories)))
        )
    woken = []
    events.wake_deliveries = lambda: woken.append(True)
    event_id = await handle(events, PostCreated(post_id="p1", post=public_post("p1")))
    [delivery] = store.queue.values()
    assert (delivery.endpoint_id, delivery.message_id) == ("e-person", event_id)
    assert woken == [True]


def _endpoint(endpoint_id: str, filter: WebhookFilter, partner: str = PARTNER.member_id):
    return Endpoint(endpoint_id, partner, "https://partner.example/hooks", "", "whsec_1",
                    None, None, filter, True, None, NOW)  # fmt: skip


@pytest.fixture
def webhooks() -> WebhookHandlers:
    return WebhookHandlers(
        store=FakeWebhookStore(),
        sender=FakeSender(refused={"http://10.0.0.1/": "the host resolves to a private address"}),
        make_secret=FakeSecrets(),
        clock=FakeClock(NOW),
        outcomes=FakeOutcomes(),
        secret_grace=GRACE,
    )


async def test_a_partner_registers_and_manages_only_its_own_endpoints(webhooks):
    endpoint = await webhooks.register(PARTNER, "https://partner.example/h", "", WebhookFilter())
    assert endpoint.secret == "whsec_fake1"
    with pytest.raises(Invalid) as refused:
        await webhooks.register(PARTNER, "http://10.0.0.1/", "", WebhookFilter())
    assert refused.value.field == "url"
    other = Claims("u-other", Role.PARTNER, 0)
    with pytest.raises(Forbidden):
        await webhooks.endpoint(other, endpoint.id)
    with pytest.raises(NotFound):
        await webhooks.endpoint(PARTNER, "e-missing")
    rotated = await webhooks.rotate_secret(PARTNER, endpoint.id)
    assert rotated.secret == "whsec_fake2" and rotated.previous_valid_until == NOW + GRACE
    signing = (await webhooks.endpoint(PARTNER, endpoint.id)).secrets(NOW)
    assert signing == ["whsec_fake2", "whsec_fake1"]
    await webhooks.delete(PARTNER, endpoint.id)
    assert await webhooks.endpoints(PARTNER) == []


async def test_an_organisation_has_at_most_ten_endpoints(webhooks):
    for n in range(10):
        await webhooks.register(PARTNER, f"https://partner.example/{n}", "", WebhookFilter())
    with pytest.raises(Conflict) as eleventh:
        await webhooks.register(PARTNER, "https://partner.example/10", "", WebhookFilter())
    assert eleventh.value.code == "too_many_endpoints"


async def test_replay_sends_again_what_followed_the_cursor(webhooks):
    endpoint = await webhooks.register(PARTNER, "https://partner.example/h", "", WebhookFilter())
    for message in ("m1", "m2", "m3"):
        await webhooks.store.enqueue([endpoint.id], message, "t", "{}")
    items, next_cursor = await webhooks.deliveries(PARTNER, endpoint.id, 0, 2)
    assert [d.message_id for d in items] == ["m1", "m2"] and next_cursor == 2
    assert await webhooks.replay(PARTNER, endpoint.id, 1) == 2


@pytest.mark.parametrize(
    "answers,status,enabled",
    [(("200",), "delivered", True), (("500",), "pending", True), (("410",), "dead", False),
     (("none",), "pending", True)],
)  # fmt: skip
async def test_one_try_decides_delivered_retry_dead_or_disabled(answers, status, enabled):
    store = FakeWebhookStore()
    await store.add_endpoint(_endpoint("e1", WebhookFilter()))
    await store.enqueue(["e1"], "m1", "t", "{}")
    deliveries = DeliveryHandlers(store, FakeSender(*answers), FakeClock(NOW), (5, 60),
                                  random.Random(1))  # fmt: skip
    await deliveries.deliver(store.queue[1])
    assert store.queue[1].status == status
    assert store.endpoints["e1"].enabled is enabled


async def test_the_last_failed_try_makes_the_delivery_dead():
    store = FakeWebhookStore()
    await store.add_endpoint(_endpoint("e1", WebhookFilter()))
    await store.enqueue(["e1"], "m1", "t", "{}")
    deliveries = DeliveryHandlers(store, FakeSender("500", "500"), FakeClock(NOW), (5,),
                                  random.Random(1))  # fmt: skip
    await deliveries.deliver(store.queue[1])
    assert store.queue[1].status == "pending"
    await deliveries.deliver(store.queue[1])
    assert store.queue[1].status == "dead" and store.queue[1].attempts == 2


async def test_the_inbox_pages_newest_first_and_marks_read(events):
    inbox = InboxHandlers(events.inbox, FakeClock(NOW))
    await handle(events, PostCreated(post_id="p1", post=public_post("p1")))
    for replier in ("u-lea", "u-sam", "u-ines"):
        await handle(events, reply(replier))
    member = Claims(AUTHOR, Role.MEMBER, 0)
    page = await inbox.page(member, None, 2, False)
    assert len(page.items) == 2 and page.unread == 3 and page.next_cursor == page.items[-1].id
    rest = await inbox.page(member, page.next_cursor, 2, False)
    assert len(rest.items) == 1 and rest.next_cursor is None
    assert await inbox.mark_read(member, [page.items[0].id]) == 1
    assert await inbox.mark_read(member, None) == 2
    assert (await inbox.page(member, None, 10, True)).items == []
