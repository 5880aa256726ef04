"""Urgent alerts reach the consenting members inside the radius, ring by ring, and
everyone reached hears when it ends."""

from collections import Counter
from datetime import timedelta

from shared.contract import events as m
from shared.contract.values import AlertEndReason, Category, Point
from tests.factories import NOW
from tests.integration.kafka_tools import wait_until
from tests.integration.notifications.conftest import member_id

FESTIVAL = Point(lat=48.8566, lon=2.3522)
METRES_PER_DEGREE_LAT = 111_195


def north_of(point: Point, metres: float) -> Point:
    return Point(lat=point.lat + metres / METRES_PER_DEGREE_LAT, lon=point.lon)


def profile(
    member: str, *, consent=True, home=None, interests=(), radius_m=1_000
) -> m.MemberProfileChanged:
    return m.MemberProfileChanged(
        member_id=member, urgent_alerts_consent=consent, home=home, interests=interests,
        alert_radius_m=radius_m, changed_at=NOW,
    )  # fmt: skip


async def test_an_urgent_alert_reaches_consenting_members_nearby_ring_by_ring(notifications):
    author = member_id("author")
    near = member_id("near")  # consents, 100 m away
    no_consent = member_id("no-consent")  # 50 m away, never said yes
    other_interests = member_id("jobs-only")  # 80 m away, interested in jobs only
    on_the_move = member_id("on-the-move")  # home far away, device 150 m away
    second_ring = member_id("ring1")  # 700 m away: reached by the 1 km ring only
    own_radius = member_id("own-radius")  # 700 m away, but only within 500 m of her
    far = member_id("far")  # 8 km away: never reached
    for event in (
        profile(author, home=FESTIVAL),
        profile(near, home=north_of(FESTIVAL, 100), interests=(Category.FIND_A_PERSON,)),
        profile(no_consent, consent=False, home=north_of(FESTIVAL, 50)),
        profile(other_interests, home=north_of(FESTIVAL, 80), interests=(Category.JOBS,)),
        profile(on_the_move, home=north_of(FESTIVAL, 30_000)),
        profile(second_ring, home=north_of(FESTIVAL, 700)),
        profile(own_radius, home=north_of(FESTIVAL, 700), radius_m=500),
        profile(far, home=north_of(FESTIVAL, 8_000)),
    ):
        await notifications.put(event)
    await notifications.put(
        m.MemberLocated(member_id=on_the_move, point=north_of(FESTIVAL, 150), located_at=NOW)
    )
    # Profiles and locations travel on other topics than alerts: wait until they are in.
    await wait_for_directory(notifications, 9)

    post_id, alert_id = member_id("p"), member_id("a")
    raised = await notifications.put(
        m.UrgentAlertRaised(
            alert_id=alert_id, post_id=post_id, author_id=author,
            category=Category.FIND_A_PERSON, point=FESTIVAL, radius_m=200, ring=0,
            expires_at=NOW + timedelta(hours=3), raised_at=NOW,
        )
    )  # fmt: skip
    first = await notifications.notifications(until=lambda got: len(got) >= 2, timeout_s=10)
    reached = {d.event.member_id: d.event for d in first}
    assert set(reached) == {near, on_the_move}
    assert all(n.urgent and n.reason == "urgent_alert" for n in reached.values())
    # 100 m from the exact point, but told only a bucket measured from the public cell.
    assert reached[near].distance_m in (500, 1_000)
    assert reached[near].cause_event_id == raised

    await notifications.put(
        m.UrgentAlertEscalated(
            alert_id=alert_id, post_id=post_id, point=FESTIVAL, radius_m=1_000, ring=1,
            escalated_at=NOW,
        )
    )  # fmt: skip
    second = await notifications.notifications(until=lambda got: len(got) >= 3, timeout_s=10)
    # The notifications topic has several partitions: read back, the order across
    # them is not the order they were written in, so compare who, not where.
    newly = Counter(d.event.member_id for d in second) - Counter(reached.keys())
    assert list(newly.elements()) == [second_ring]

    await notifications.put(
        m.UrgentAlertResolved(
            alert_id=alert_id, post_id=post_id, reason=AlertEndReason.RESOLVED, resolved_at=NOW
        )
    )
    everything = await notifications.notifications(until=lambda got: len(got) >= 6, timeout_s=10)
    ended = [d.event for d in everything if d.event.reason == "urgent_alert_resolved"]
    assert {n.member_id for n in ended} == {near, on_the_move, second_ring}
    # And nobody else: a second read, a second long, finds nothing more.
    assert len(await notifications.notifications(until=lambda got: False, timeout_s=1)) == 6


async def test_withdrawing_consent_stops_the_alerts(notifications):
    lea = member_id("lea")
    await notifications.put(profile(lea, home=north_of(FESTIVAL, 60)))
    await notifications.put(profile(lea, consent=False, home=north_of(FESTIVAL, 60)))
    await wait_for_directory(notifications, 2)
    directory = notifications.wiring.events.directory
    assert await directory.near(Category.FIND_A_PERSON, FESTIVAL, 500) == []


async def wait_for_directory(harness, handled: int) -> None:
    await wait_until(lambda: harness.background.loop.handled >= handled, 10, "profiles handled")
