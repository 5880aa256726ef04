"""The matching worker on the real broker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from shared.events import MatchFound, PostResolved, decode_event
from shared.events.catalogue import MATCHES, dead_letter_topic
from shared.events.values import Category, Kind, Outcome
from tests.factories import NOW
from tests.integration.kafka_tools import read_topic
from tests.unit.matching.test_handlers import created as created_at_test_time


def created(*args, **kwargs):
    """A post created now: the worker ignores posts whose expiry has passed."""
    return created_at_test_time(*args, now=datetime.now(UTC), **kwargs)


async def matches(matching, expected: int, timeout_s: float = 30) -> list[MatchFound]:
    records = await read_topic(matching.bootstrap, matching.topic(MATCHES.name), expected,
                               timeout_s)  # fmt: skip
    return [decode_event(r.value).event for r in records]


async def test_a_request_and_a_matching_offer_give_one_match_and_a_mismatch_none(matching):
    await asyncio.to_thread(matching.start_worker)
    await matching.publish(
        created("r1", Kind.REQUEST),
        created("o1", Kind.OFFER),
        created("r2", Kind.REQUEST, category=Category.HOUSING, title="Un lit pour ce soir"),
        created("o2", Kind.OFFER, category=Category.GOODS, title="Un lit pour ce soir"),
    )
    [match] = await matches(matching, 1)
    assert (match.request_id, match.offer_id) == ("r1", "o1")
    assert {r.factor for r in match.reasons} >= {"category", "distance", "words"}
    # Nothing else comes: the housing request and the goods offer do not match.
    assert len(await matches(matching, 2, timeout_s=5)) == 1


async def test_a_resolved_post_is_never_matched_and_poison_goes_to_the_dead_letter_topic(
    matching,
):
    await asyncio.to_thread(matching.start_worker)
    await matching.publish(
        created("r1", Kind.REQUEST),
        PostResolved(post_id="r1", outcome=Outcome.HELPED, resolved_at=NOW),
    )
    poison = b'{"specversion": "1.0", "type": "org.entraide.post.created.v1"}'
    await matching.publisher.send_raw(matching.topic("posts.v1"), key=b"bad", value=poison)
    await matching.publish(
        created("o1", Kind.OFFER),  # would match r1, were it open
        created("r3", Kind.REQUEST, at=(48.857, 2.353)),
    )
    [match] = await matches(matching, 1)
    assert (match.request_id, match.offer_id) == ("r3", "o1")
    dead = await read_topic(
        matching.bootstrap, matching.topic(dead_letter_topic("matching").name), 1
    )
    assert [r.value for r in dead] == [poison]
    assert dict(dead[0].headers)["dlq.stage"] == b"decode"
    assert len(await matches(matching, 2, timeout_s=5)) == 1


async def test_two_workers_one_killed_lose_nothing_and_never_change_an_event_id(matching):
    """kill -9 of a worker under load: after the rebalance the survivor holds the whole
    index (rebuilt from the changelog), every pair is found, and a pair emitted twice
    keeps its event id."""
    first = await asyncio.to_thread(matching.start_worker)
    categories = [Category.VEHICLES, Category.HOUSING, Category.JOBS, Category.GOODS]
    # Requests first: they wait in the index for their offers.
    requests = [created(f"r{i}", Kind.REQUEST, category=categories[i % 4]) for i in range(40)]
    await matching.publish(*requests[:20])
    await asyncio.to_thread(matching.start_worker)
    await matching.publish(*requests[20:])
    offers = [created(f"o{i}", Kind.OFFER, category=categories[i % 4]) for i in range(40)]
    await matching.publish(*offers[:20])
    first.kill()  # SIGKILL: no clean shutdown, no final commit
    await matching.publish(*offers[20:])

    # Each offer matches the best requests of its category (BEST_CANDIDATES at most).
    records = await read_topic(
        matching.bootstrap, matching.topic(MATCHES.name), 0, timeout_s=90,
        until=lambda got: {decode_event(r.value).event.offer_id for r in got}
        >= {o.post_id for o in offers},
    )  # fmt: skip
    by_pair: dict[tuple[str, str], set[str]] = {}
    for record in records:
        envelope, event = decode_event(record.value)
        by_pair.setdefault((event.request_id, event.offer_id), set()).add(envelope.id)
    assert {offer for _, offer in by_pair} == {o.post_id for o in offers}
    assert all(len(ids) == 1 for ids in by_pair.values()), "a pair changed its event id"
    for request_id, offer_id in by_pair:
        assert int(request_id[1:]) % 4 == int(offer_id[1:]) % 4  # same category only
