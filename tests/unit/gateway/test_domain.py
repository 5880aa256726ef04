"""The gateway's pure parts: cursors, the subscription index, the protocol, the buffer."""

import math

import pytest

from services.gateway.domain import cursor as C
from services.gateway.domain.protocol import CLIENT_FRAME, Subscribe, TokenBucket
from services.gateway.domain.streams import POST, Entry, Streams
from services.gateway.domain.subscriptions import (
    Area,
    FeedFilter,
    RoutingFacts,
    Subscription,
    SubscriptionIndex,
    cells_touched,
)
from shared.contract.geo import haversine_m
from shared.contract.values import Category, Kind

SECRET = b"s" * 32
PARIS = RoutingFacts("p1", Category.HOUSING, Kind.REQUEST, True, 48.8566, 2.3522)


def test_a_cursor_round_trips_and_is_bound_to_its_member():
    vector = C.encode_vector([-1, 0, 5, 300_000, 2**40])
    assert C.decode_vector(vector, 5) == [-1, 0, 5, 300_000, 2**40]
    cursor = C.sign(SECRET, "u-lea", vector)
    assert C.verify(SECRET, "u-lea", cursor, 5) == [-1, 0, 5, 300_000, 2**40]
    for member, bad, slots in [
        ("u-sam", cursor, 5),  # another member's
        (C.ANONYMOUS, cursor, 5),
        ("u-lea", cursor.replace(".", ".x"), 5),  # forged tag
        ("u-lea", "no-tag", 5),
        ("u-lea", cursor, 6),  # another layout of partitions
        ("u-lea", C.sign(SECRET, "u-lea", "!!!"), 5),  # not base64
        ("u-lea", C.sign(b"other", "u-lea", vector), 5),  # another secret
    ]:
        with pytest.raises(C.InvalidCursor):
            C.verify(SECRET, member, bad, slots)


def test_filters_accept_by_kind_category_urgency_and_area():
    assert FeedFilter().everything and FeedFilter().accepts(PARIS) and FeedFilter().accepts(None)
    assert not FeedFilter(kinds=frozenset({Kind.OFFER})).accepts(PARIS)
    assert not FeedFilter(categories=frozenset({Category.JOBS})).accepts(PARIS)
    assert FeedFilter(urgent_only=True).accepts(PARIS)
    assert not FeedFilter(urgent_only=True).accepts(None)  # unknown post: unfiltered only
    assert FeedFilter(area=Area(48.86, 2.35, 2_000)).accepts(PARIS)
    assert not FeedFilter(area=Area(45.76, 4.84, 50_000)).accepts(PARIS)


def test_the_index_picks_candidates_without_scanning_and_forgets_removed():
    index = SubscriptionIndex()
    subs = {
        "all": Subscription("c1", "feed"),
        "housing": Subscription("c2", "feed", FeedFilter(categories=frozenset({Category.HOUSING}))),
        "jobs": Subscription("c3", "feed", FeedFilter(categories=frozenset({Category.JOBS}))),
        "paris": Subscription("c4", "alerts", FeedFilter(area=Area(48.85, 2.35, 5_000))),
        "lyon": Subscription("c5", "feed", FeedFilter(area=Area(45.76, 4.84, 5_000))),
        "offers": Subscription("c6", "feed", FeedFilter(kinds=frozenset({Kind.OFFER}))),
        "thread": Subscription("c7", "post:p1"),
        "other-thread": Subscription("c8", "post:p2"),
    }  # fmt: skip
    for sub in subs.values():
        index.add(sub)
    lea = Subscription("c9", "notifications")
    index.add(lea, member="u-lea")
    chosen = {s.target for s in index.for_post("p1", PARIS)}
    assert chosen == {"c1", "c2", "c4", "c7"}
    assert {s.target for s in index.for_post("p1", None)} == {"c1", "c7"}
    assert [s.target for s in index.for_thread("p2")] == ["c8"]
    assert [s.target for s in index.for_member("u-lea")] == ["c9"]
    for sub in subs.values():
        index.remove(sub)
    index.remove(lea, member="u-lea")
    assert index.for_post("p1", PARIS) == [] and index.count == 0
    index.remove(lea, member="u-lea")  # twice is harmless
    assert index.count == 0


def test_an_area_is_indexed_in_a_few_cells_of_a_grid_its_size():
    for radius_m in (100, 900, 1_000, 5_000, 20_000, 60_000):
        cells = cells_touched(Area(48.85, 2.35, radius_m))
        assert len(cells) <= 4, radius_m
        assert len({size for size, _, _ in cells}) == 1
    small, large = cells_touched(Area(48.85, 2.35, 900)), cells_touched(Area(48.85, 2.35, 60_000))
    assert small[0][0] < large[0][0]


@pytest.mark.parametrize("radius_m", [100, 900, 5_000, 60_000, 100_000])
@pytest.mark.parametrize("centre", [(48.85, 2.35), (-33.9, 18.4), (64.1, -21.9), (0.0, 0.0)])
def test_every_post_inside_an_area_finds_it(centre, radius_m):
    """The index is an optimisation only: no post within the radius may be missed."""
    lat, lon = centre
    sub = Subscription(target="s", channel="feed", filter=FeedFilter(area=Area(lat, lon, radius_m)))
    index = SubscriptionIndex()
    index.add(sub)
    dlat = radius_m / 111_195
    dlon = dlat / math.cos(math.radians(lat))
    inside = 0
    for k in range(400):  # points on a spiral out to the edge, in every direction
        angle, reach = k * 2.399963, 0.999 * math.sqrt(k / 400)
        point = (lat + reach * dlat * math.sin(angle), lon + reach * dlon * math.cos(angle))
        post = RoutingFacts("p", Category.HOUSING, Kind.OFFER, False, *point)
        if haversine_m(lat, lon, *point) <= radius_m:
            inside += 1
            assert index.for_post("p", post) == [sub], point
    assert inside > 300


def test_client_frames_are_validated():
    frame = CLIENT_FRAME.validate_python(
        {"type": "subscribe", "channel": "post:01ABC", "cursor": "x.y"}
    )
    assert isinstance(frame, Subscribe) and frame.channel == "post:01ABC"
    for bad in ({"type": "subscribe", "channel": "post:"}, {"type": "location", "lat": 1},
                {"type": "subscribe", "channel": "feed", "radius_m": 10}):  # fmt: skip
        with pytest.raises(ValueError):
            CLIENT_FRAME.validate_python(bad)


def test_the_token_bucket_allows_a_burst_then_the_rate():
    bucket = TokenBucket(rate_per_s=2, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5) and not bucket.take(0.5)


def entry(slot: int, offset: int, ts: int) -> Entry:
    return Entry(slot=slot, offset=offset, timestamp_ms=ts, kind=POST, event_id=f"e{slot}-{offset}",
                 post_id="p", member_id=None, facts=None, payload=b"{}")  # fmt: skip


def test_the_buffer_replays_after_a_cursor_and_knows_what_it_lost():
    streams = Streams([("posts", 0), ("posts", 1)], window=3)
    streams.start_at(0, 10)
    streams.start_at(1, 0)
    for offset in range(10, 15):
        streams.append(entry(0, offset, ts=offset))
    streams.append(entry(1, 0, ts=11))
    assert streams.positions == [14, 0]
    assert streams.covers(0, 11) and streams.covers(0, 14)  # 12, 13, 14 are kept
    assert not streams.covers(0, 10)  # 11 was evicted
    assert not streams.covers(0, 15)  # a cursor from the future: forged or another cluster
    replay = streams.after([11, -1], [0, 1])
    assert [(e.slot, e.offset) for e in replay] == [(1, 0), (0, 12), (0, 13), (0, 14)]
