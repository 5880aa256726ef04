"""The matching worker on the real broker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from shared.contract.catalogue import MATCHES, dead_letter_topic
from shared.contract.envelope import decode_event
from shared.contract.events import MatchFound, PostResolved
from shared.contract.values import Category, Kind, Outcome
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
