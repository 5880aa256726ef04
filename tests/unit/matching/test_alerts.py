"""Urgent alerts as the agent handles them, with a dict for the table."""

from datetime import timedelta

from services.matching.domain import alerts
from services.matching.domain.rings import RingPlan
from shared.contract import events as E
from shared.contract.values import Answer, Category, Outcome, ReplyIntent
from tests.factories import FESTIVAL, NOW

PLAN = RingPlan(radii_m=(200, 1_000, 5_000), waits_s=(60, 120))


def placed(post_id="p1", hours=6):
    return E.UrgentRequestPlaced(
        post_id=post_id, author_id="u-amine", category=Category.FIND_A_PERSON, point=FESTIVAL,
        expires_at=NOW + timedelta(hours=hours), placed_at=NOW,
    )  # fmt: skip


def can_help(post_id="p1", at=NOW):
    return E.ReplyCreated(
        reply_id="r1", post_id=post_id, post_author_id="u-amine", author_id="u-lea",
        intent=ReplyIntent.CAN_HELP, body="On my way", created_at=at,
    )  # fmt: skip


def test_an_urgent_request_raises_the_first_ring_with_the_exact_point():
    table = {}
    [(raised, _)] = alerts.handle(placed(), table, PLAN)
    assert isinstance(raised, E.UrgentAlertRaised)
    assert (raised.ring, raised.radius_m, raised.point) == (0, 200, FESTIVAL)
    assert alerts.handle(placed(), table, PLAN) == []  # seen twice: nothing new


def test_nobody_answers_so_it_widens_by_rings_on_schedule():
    table = {}
    alerts.handle(placed(), table, PLAN)
    assert alerts.due_post_ids(table, NOW + timedelta(seconds=59)) == []
    assert alerts.due_post_ids(table, NOW + timedelta(seconds=60)) == ["p1"]
    [(first, _)] = alerts.tick("p1", table, PLAN, NOW + timedelta(seconds=61))
    assert isinstance(first, E.UrgentAlertEscalated) and (first.ring, first.radius_m) == (1, 1_000)
    assert alerts.tick("p1", table, PLAN, NOW + timedelta(seconds=62)) == []  # a second tick
    [(second, _)] = alerts.tick("p1", table, PLAN, NOW + timedelta(seconds=190))
    assert (second.ring, second.radius_m) == (2, 5_000)
    assert alerts.due_post_ids(table, NOW + timedelta(hours=1)) == []  # widest ring reached


def test_a_strangers_offer_of_help_ends_nothing_and_the_rings_go_on():
    table = {}
    alerts.handle(placed(), table, PLAN)
    assert alerts.handle(can_help(at=NOW + timedelta(seconds=30)), table, PLAN) == []
    assert alerts.due_post_ids(table, NOW + timedelta(seconds=60)) == ["p1"]
    [(wider, _)] = alerts.tick("p1", table, PLAN, NOW + timedelta(seconds=61))
    assert isinstance(wider, E.UrgentAlertEscalated) and wider.ring == 1


def answered(member_id, answer=Answer.COMING, post_id="p1"):
    return E.HelperAnswered(alert_id=f"a-{post_id}", post_id=post_id, member_id=member_id,
                            name=member_id, answer=answer, answered_at=NOW)  # fmt: skip


def test_enough_helpers_coming_pause_the_rings_and_a_release_resumes_them():
    plan = RingPlan(radii_m=(500, 1_000, 3_000), waits_s=(60, 60), wanted_helpers=2)
    table = {}
    alerts.handle(placed(), table, plan)
    for event in (answered("u-lea"), answered("u-sam"), answered("u-noe", Answer.CANNOT)):
        assert alerts.handle(event, table, plan) == []
    # Two coming: at the minute, the ring stays (its wait starts again).
    assert alerts.tick("p1", table, plan, NOW + timedelta(seconds=61)) == []
    assert table["p1"]["ring"] == 0
    release = E.HelperReleased(alert_id="a-p1", post_id="p1", member_id="u-sam", released_at=NOW)
    alerts.handle(release, table, plan)
    alerts.handle(answered("u-sam"), table, plan)  # a "coming" that raced the release
    assert alerts.tick("p1", table, plan, NOW + timedelta(seconds=100)) == []  # not yet due
    [(wider, _)] = alerts.tick("p1", table, plan, NOW + timedelta(seconds=122))
    assert (wider.ring, wider.radius_m) == (1, 1_000)


def test_the_default_plan_reaches_500_m_at_once_and_widens_every_minute():
    plan = RingPlan()
    assert plan.radii_m == (500, 1_000, 3_000) and plan.waits_s == (60.0, 60.0)
    assert plan.wanted_helpers == 3


def test_resolving_the_post_ends_the_alert():
    table = {}
    alerts.handle(placed(), table, PLAN)
    [(ended, _)] = alerts.handle(
        E.PostResolved(post_id="p1", outcome=Outcome.HELPED, resolved_at=NOW), table, PLAN
    )
    assert ended.reason == "resolved"


def test_an_alert_expires_with_its_post_and_is_forgotten_a_day_later():
    table = {}
    alerts.handle(placed(hours=1), table, PLAN)
    table["p1"]["next_escalation_at"] = None  # widest ring already
    [(ended, _)] = alerts.tick("p1", table, PLAN, NOW + timedelta(hours=1))
    assert ended.reason == "expired"
    assert alerts.due_post_ids(table, NOW + timedelta(hours=2)) == []
    later = NOW + timedelta(hours=1) + alerts.FORGET_AFTER
    assert alerts.due_post_ids(table, later) == ["p1"]
    assert alerts.tick("p1", table, PLAN, later) == [] and table == {}


def test_recomputed_alert_events_keep_their_ids():
    first, second = {}, {}
    [(_, a)] = alerts.handle(placed(), first, PLAN)
    [(_, b)] = alerts.handle(placed(), second, PLAN)
    assert a == b
    [(_, ring_a)] = alerts.tick("p1", first, PLAN, NOW + timedelta(seconds=61))
    [(_, ring_b)] = alerts.tick("p1", second, PLAN, NOW + timedelta(seconds=75))
    assert ring_a == ring_b  # fixed by the scheduled time, not by when the tick ran
