"""The notifications domain: who is told, what preferences decide, webhook rules."""

import hashlib
import random
from datetime import UTC, datetime, time, timedelta

import pytest
from ulid import ULID

from services.notifications.domain import notices as N
from services.notifications.domain.preferences import (
    Decision,
    Preferences,
    decide,
    digest_due,
    digest_title,
)
from services.notifications.domain.webhooks import WebhookFilter, refused_address, retry_delay_s
from shared.contract import events as m
from shared.contract.values import (
    AlertEndReason,
    Category,
    FuzzedLocation,
    Kind,
    Point,
    ReplyIntent,
)
from tests.factories import NOW, sample_events

POST = N.KnownPost("p1", "u-amine", "Lost my brother", Category.FIND_A_PERSON, Kind.REQUEST,
                   True, 48.85, 2.35)  # fmt: skip


def event(kind):
    return next(e for e in sample_events() if isinstance(e, kind))


def test_a_reply_tells_the_author_and_the_followers_never_the_replier():
    reply = event(m.ReplyCreated)  # u-lea can help on u-amine's post
    told = N.for_reply(reply, POST, followers=["u-amine", "u-lea", "u-karim", "u-karim"])
    assert [(n.member_id, n.reason) for n in told] == [
        ("u-amine", N.Reason.REPLY),
        ("u-karim", N.Reason.REPLY),
    ]
    assert told[0].title == "Someone can help: Lost my brother"
    comment = reply.model_copy(update={"intent": ReplyIntent.COMMENT})
    assert N.for_reply(comment, None, [])[0].title == "New reply to your post"


def test_an_authors_own_reply_tells_only_the_followers():
    reply = event(m.ReplyCreated).model_copy(update={"author_id": "u-amine"})
    assert [n.member_id for n in N.for_reply(reply, POST, ["u-amine", "u-sam"])] == ["u-sam"]


def test_a_match_tells_both_sides_about_the_other_post():
    match = event(m.MatchFound)
    offer = N.KnownPost("p2", "u-lea", "I can drive", Category.FIND_A_PERSON, Kind.OFFER,
                        False, 48.85, 2.35)  # fmt: skip
    told = N.for_match(match, POST, offer)
    # Each notice opens the other side's post, and says it as a code for the client.
    assert [(n.member_id, n.post_id) for n in told] == [("u-amine", "p2"), ("u-lea", "p1")]
    assert "I can drive" in told[0].title and told[0].code == "match_offer"
    assert told[0].params == {"title": "I can drive"}
    assert "Lost my brother" in told[1].title and told[1].code == "match_request"
    assert N.for_match(match.model_copy(update={"offer_author_id": "u-amine"}), POST, offer) == []


def test_an_alert_skips_the_author_and_members_already_reached():
    alert = N.AlertFacts("p1", "u-amine", Category.FIND_A_PERSON, NOW + timedelta(hours=1))
    nearby = [N.NearbyMember("u-amine", 48.85, 2.35), N.NearbyMember("u-lea", 48.851, 2.35),
              N.NearbyMember("u-sam", 48.8516, 2.35)]  # fmt: skip
    told = N.for_alert(alert, POST, Point(lat=48.85, lon=2.35), nearby, already_alerted={"u-sam"})
    assert [(n.member_id, n.urgent) for n in told] == [("u-lea", True)]
    assert told[0].distance_m in (500, 1_000) and told[0].expires_at == alert.expires_at


def test_what_members_are_told_of_the_distance_cannot_locate_the_point():
    """Any two exact points in one public cell tell every member the same numbers: so no
    number of accounts, wherever they stand, learns more than the public cell."""
    rng = random.Random(7)
    public = FuzzedLocation.of(Point(lat=48.8566, lon=2.3522))
    members = [
        N.NearbyMember(f"u{i}", public.lat + rng.uniform(-0.04, 0.04),
                       public.lon + rng.uniform(-0.06, 0.06))
        for i in range(300)
    ]  # fmt: skip
    alert = N.AlertFacts("p1", "u-amine", Category.FIND_A_PERSON, NOW + timedelta(hours=1))
    told = []
    for _ in range(20):  # exact points anywhere in the cell
        point = Point(lat=public.lat + rng.uniform(-0.0044, 0.0044),
                      lon=public.lon + rng.uniform(-0.0066, 0.0066))  # fmt: skip
        if FuzzedLocation.of(point).cell != public.cell:
            continue
        told.append(
            [(n.member_id, n.distance_m) for n in N.for_alert(alert, POST, point, members, set())]
        )
    assert len(told) >= 10 and all(t == told[0] for t in told)
    assert {d for _, d in told[0]} <= {500, 1_000, 3_000, 5_000, 10_000}


def test_distances_are_said_in_coarse_buckets():
    point = Point(lat=48.8566, lon=2.3522)
    public = FuzzedLocation.of(point)
    north = [N.NearbyMember("u", public.lat + metres / 111_320, public.lon)
             for metres in (0, 450, 550, 1_900, 2_100, 3_900, 4_100, 12_600)]  # fmt: skip
    assert [N.coarse_distance_m(point, m) for m in north] == [
        500,
        500,
        1_000,
        1_000,
        3_000,
        3_000,
        5_000,
        15_000,
    ]


def test_the_end_of_an_alert_tells_everyone_it_reached():
    ended = event(m.UrgentAlertResolved).model_copy(update={"reason": AlertEndReason.TAKEN})
    told = N.for_alert_end(ended, POST, ["u-lea", "u-sam"])
    assert {n.member_id for n in told} == {"u-lea", "u-sam"}
    assert all(n.urgent and n.reason is N.Reason.URGENT_ALERT_RESOLVED for n in told)
    assert "taken" in told[0].title


def test_a_removal_tells_the_author_the_outcome_of_the_reports():
    removed = m.PostRemoved(post_id="p1", reason="reports", removed_at=NOW)
    (told,) = N.for_removal(removed, POST)
    assert told.member_id == "u-amine" and "reports" in told.title
    assert N.for_removal(removed, None) == []


def test_titles_are_cut_to_the_contract_limit():
    long = N.KnownPost("p1", "u-a", "x" * 300, Category.JOBS, Kind.OFFER, False, 0, 0)
    (told,) = N.for_removal(m.PostRemoved(post_id="p1", reason="moderator", removed_at=NOW), long)
    assert len(told.title) == N.TITLE_MAX_CHARS


# preferences ---------------------------------------------------------------------------
ORDINARY = N.Notice("u-lea", N.Reason.MATCH, "a match", "p1", category=Category.JOBS)
URGENT = N.Notice("u-lea", N.Reason.URGENT_ALERT, "urgent", "p1", urgent=True)
NIGHT = datetime(2026, 7, 14, 22, 30, tzinfo=UTC)  # 00:30 in Paris (summer time)
NIGHT_PREFS = Preferences(quiet_start=time(23), quiet_end=time(7), timezone="Europe/Paris")


def test_quiet_hours_hold_ordinary_notifications_across_midnight_in_local_time():
    assert NIGHT_PREFS.in_quiet_hours(NIGHT)
    assert not NIGHT_PREFS.in_quiet_hours(NIGHT + timedelta(hours=7))  # 07:30 Paris
    assert decide(NIGHT_PREFS, ORDINARY, NIGHT, pushed_today=0) is Decision.HOLD
    assert not digest_due(NIGHT_PREFS, NIGHT, 0)
    assert digest_due(NIGHT_PREFS, NIGHT + timedelta(hours=7), 0)


def test_urgent_alerts_are_never_held_nor_dropped():
    capped = Preferences(daily_cap=1, categories=frozenset({Category.HOUSING}))
    assert decide(NIGHT_PREFS, URGENT, NIGHT, pushed_today=0) is Decision.DELIVER
    assert decide(capped, URGENT, NIGHT, pushed_today=50) is Decision.DELIVER


def test_the_daily_cap_and_categories():
    capped = Preferences(daily_cap=3)
    assert decide(capped, ORDINARY, NIGHT, pushed_today=2) is Decision.DELIVER
    assert decide(capped, ORDINARY, NIGHT, pushed_today=3) is Decision.HOLD
    housing_only = Preferences(categories=frozenset({Category.HOUSING}))
    assert decide(housing_only, ORDINARY, NIGHT, 0) is Decision.DROP
    reply = N.Notice("u-lea", N.Reason.REPLY, "a reply", "p1", category=Category.JOBS)
    assert decide(housing_only, reply, NIGHT, 0) is Decision.DELIVER


def test_the_day_starts_at_the_members_local_midnight():
    start = NIGHT_PREFS.day_start(NIGHT)
    assert start.isoformat() == "2026-07-15T00:00:00+02:00"
    assert NIGHT_PREFS.next_day_start(NIGHT) - start == timedelta(days=1)
    assert digest_title(1) == "1 notification while you were away"
    assert digest_title(4) == "4 notifications while you were away"


# webhooks ------------------------------------------------------------------------------
def test_filters_match_category_kind_urgency_and_area():
    assert WebhookFilter().accepts(POST)
    assert WebhookFilter(categories=frozenset({Category.FIND_A_PERSON})).accepts(POST)
    assert not WebhookFilter(categories=frozenset({Category.JOBS})).accepts(POST)
    assert not WebhookFilter(kinds=frozenset({Kind.OFFER})).accepts(POST)
    calm = N.KnownPost("p3", "u", "t", Category.JOBS, Kind.OFFER, False, 48.85, 2.35)
    assert not WebhookFilter(urgent_only=True).accepts(calm)
    paris = Point(lat=48.8566, lon=2.3522)
    assert WebhookFilter(area=paris, area_radius_m=5_000).accepts(POST)
    lyon = Point(lat=45.764, lon=4.8357)
    assert not WebhookFilter(area=lyon, area_radius_m=50_000).accepts(POST)


def test_retries_back_off_with_jitter_then_give_up():
    schedule = (5, 300, 1800)
    rng = random.Random(7)
    delays = [retry_delay_s(n, schedule, rng) for n in (1, 2, 3)]
    for delay, base in zip(delays, schedule, strict=True):
        assert base * 0.8 <= delay <= base * 1.2
    assert retry_delay_s(4, schedule, rng) is None


@pytest.mark.parametrize(
    ("addresses", "refused"),
    [
        (["93.184.216.34"], False),
        (["2606:2800:220:1:248:1893:25c8:1946"], False),
        (["127.0.0.1"], True),
        (["10.1.2.3"], True),
        (["93.184.216.34", "192.168.1.1"], True),
        (["169.254.169.254"], True),
        (["::1"], True),
        (["fe80::1%eth0"], True),
        ([], True),
        (["::ffff:127.0.0.1"], True),  # IPv4-mapped
        (["::ffff:93.184.216.34"], True),  # mapped, even to a public address: never needed
        (["64:ff9b::a00:1"], True),  # NAT64 to 10.0.0.1
        (["2002:7f00:1::1"], True),  # 6to4 of 127.0.0.1
        (["2001:0:4136:e378:8000:63bf:3fff:fdd2"], True),  # Teredo
    ],
)
def test_only_public_addresses_receive_webhooks(addresses, refused):
    assert (refused_address(addresses) is not None) is refused


def test_the_fast_notification_encoding_holds_to_the_contract():
    from services.notifications.adapters.push import encode_notification
    from services.notifications.domain.notices import Stored
    from shared.contract.envelope import decode_event
    from shared.runtime.tracing import new_traceparent

    cause = N.Cause("01JAAAAAAAAAAAAAAAAAAAAAAA")
    for distance, post_id, expires in ((140, "p1", NOW + timedelta(hours=1)), (None, None, None)):
        row = Stored(
            id=cause.notification_id("u-lea"), member_id="u-lea", cause_event_id=cause.event_id,
            reason=N.Reason.URGENT_ALERT, post_id=post_id, title="Urgent, near you: « Léo »",
            urgent=True, distance_m=distance, expires_at=expires, held=False, created_at=NOW,
            read_at=None, title_code="urgent_alert", title_params={"title": "« Léo »"},
        )  # fmt: skip
        traceparent = new_traceparent()
        decoded = decode_event(encode_notification(row, traceparent, NOW))
        assert decoded.event == row.event()
        assert decoded.envelope.id == row.id and decoded.envelope.traceparent == traceparent
        assert decoded.envelope.subject == "u-lea"


def test_a_notification_id_is_fixed_by_its_cause_and_member():
    cause = N.Cause("01JAAAAAAAAAAAAAAAAAAAAAAA")
    assert cause.notification_id("u-lea") == N.Cause(cause.event_id).notification_id("u-lea")
    assert cause.notification_id("u-lea") != cause.notification_id("u-sam")
    # Sorted like its cause: an inbox ordered by id is ordered by time.
    assert cause.notification_id("u-lea")[:10] == cause.event_id[:10]


def test_a_notification_id_is_the_cause_time_and_a_digest_of_cause_and_member():
    # The fast encoding must give exactly the ids python-ulid gives (ids already stored
    # and pushed must keep matching a re-delivered cause).
    rng = random.Random(5)
    for n in range(500):
        millis = rng.randrange(1_600_000_000_000, 4_000_000_000_000)  # 2020 to 2096
        cause = N.Cause(str(ULID.from_bytes(millis.to_bytes(6, "big") + rng.randbytes(10))))
        member = f"u-{n}-{rng.random()}-é"
        digest = hashlib.sha256(f"{cause.event_id}/{member}".encode()).digest()
        expected = ULID.from_bytes(millis.to_bytes(6, "big") + digest[:10])
        assert cause.notification_id(member) == str(expected)


def test_a_delivery_goes_to_the_address_that_was_checked():
    from services.notifications.adapters.webhook_sender import pinned

    assert pinned("https://hooks.example.org/in?x=1", "93.184.216.34") == (
        "https://93.184.216.34/in?x=1", "hooks.example.org", "hooks.example.org"
    )  # fmt: skip
    assert pinned("http://hooks.example.org:8080/in", "2606:2800:220:1::1") == (
        "http://[2606:2800:220:1::1]:8080/in", "hooks.example.org:8080", "hooks.example.org"
    )  # fmt: skip
