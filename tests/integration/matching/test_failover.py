"""Two matching workers share the work; one is killed with -9 under load.

Every category's requests arrive while the kill happens, so the survivor takes over
partitions of both topics (posts.v1 and the by-category topic) mid-stream. After the
rebalance it must hold the whole index: every request posted before, during and after
the kill meets its offer, and a pair seen twice keeps its event id.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from shared.contract.catalogue import MATCHES
from shared.contract.envelope import decode_event
from shared.contract.values import Category, Kind
from tests.integration.kafka_tools import read_topic
from tests.integration.matching.test_worker import created

PLACES_PER_CATEGORY = 60
PLACE_ROWS = 20
# Far enough apart (about 30 km) that a request reaches only the offer at its place.
PLACE_STEP_DEG = 0.3
# Requests keep coming through the kill, the session timeout and the takeover, so the
# survivor is busy when its partitions are revoked and assigned again.
REQUESTS_PER_S = 25
KILL_AFTER_REQUESTS = 60
# The dead worker's partitions move after its session times out (10 s), then the
# survivor restores the tables from their changelogs.
ALL_MATCHED_TIMEOUT_S = 120


def places() -> list[tuple[Category, int, tuple[float, float]]]:
    return [
        (category, n, _grid(c * PLACES_PER_CATEGORY + n))
        for c, category in enumerate(Category)
        for n in range(PLACES_PER_CATEGORY)
    ]


def _grid(n: int) -> tuple[float, float]:
    return 42.0 + PLACE_STEP_DEG * (n % PLACE_ROWS), -4.0 + PLACE_STEP_DEG * (n // PLACE_ROWS)


@pytest.mark.timeout(300)
async def test_two_workers_one_killed_nothing_lost_or_doubled(matching):
    first = await asyncio.to_thread(matching.start_worker)
    await asyncio.to_thread(matching.start_worker)
    spots = places()
    await matching.publish(
        *(created(f"o-{cat}-{n}", Kind.OFFER, category=cat, at=at) for cat, n, at in spots)
    )
    # Requests in an order that visits every category in turn, so both workers are busy.
    requests = [
        created(f"r-{cat}-{n}", Kind.REQUEST, category=cat, at=at)
        for cat, n, at in sorted(spots, key=lambda s: (s[1], s[0]))
    ]
    for sent, request in enumerate(requests, start=1):
        await matching.publish(request)
        if sent == KILL_AFTER_REQUESTS:
            first.kill()
        await asyncio.sleep(1 / REQUESTS_PER_S)

    expected = {(f"r-{cat}-{n}", f"o-{cat}-{n}") for cat, n, _ in spots}

    def all_pairs_seen(records) -> bool:
        return expected <= {_pair(r) for r in records}

    records = await read_topic(matching.bootstrap, matching.topic(MATCHES.name), 0,
                               ALL_MATCHED_TIMEOUT_S, until=all_pairs_seen)  # fmt: skip
    seen = {_pair(r) for r in records}
    assert expected - seen == set(), f"never matched: {sorted(expected - seen)}"
    assert seen == expected, "a request met an offer at another place"
    event_ids = defaultdict(set)
    for record in records:
        event_ids[_pair(record)].add(decode_event(record.value).envelope.id)
    assert all(len(ids) == 1 for ids in event_ids.values()), "a pair changed event id"


def _pair(record) -> tuple[str, str]:
    match = decode_event(record.value).event
    return match.request_id, match.offer_id
