"""Channels, filters and the subscription index. Pure: no I/O.

Picking the sockets for an event never scans every connection: subscriptions are
indexed by channel (a thread by its post id, notifications by member), and feed
subscriptions by what they filter on: those that take everything in one set, those
with categories by category, those with an area in the geo cells it touches on a grid
sized to it. Only the candidates of the event's category and cells are checked.

The grids: one per size in CELL_SIZES_DEG, each cell four times as wide as the level
below. An area goes on the finest grid whose cells are as large as the area itself, so
it touches at most 2 x 2 cells there (more only for radii near MAX_AREA_RADIUS_M far
north). A post looks up its own cell on each grid: a handful of dictionary lookups.
With one grid of 0.25 degrees, the 5,000 sockets of bench/e2e, neighbourhoods of one
city, all fell into one cell, and every post was checked against each of them
(5.5 ms of the gateway's CPU per post).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from shared.contract.geo import haversine_m
from shared.contract.values import Category, Kind

FEED_CHANNEL = "feed"
ALERTS_CHANNEL = "alerts"  # urgent posts near the member's last location
NOTIFICATIONS_CHANNEL = "notifications"
# The member's private conversations: every event of each, as it happens.
CONVERSATIONS_CHANNEL = "conversations"
PERSONAL_CHANNELS = (NOTIFICATIONS_CHANNEL, CONVERSATIONS_CHANNEL)
THREAD_CHANNEL_PREFIX = "post:"
# ~1.1 km to ~280 km north-south; the largest holds a MAX_AREA_RADIUS_M area's latitudes.
CELL_SIZES_DEG = (0.01, 0.04, 0.16, 0.64, 2.56)
MAX_AREA_RADIUS_M = 100_000
METRES_PER_DEGREE_LAT = 111_195


@dataclass(frozen=True)
class RoutingFacts:
    """What routing needs of a post: from its public projection (fuzzed location)."""

    post_id: str
    category: Category
    kind: Kind
    urgent: bool
    lat: float
    lon: float


@dataclass(frozen=True)
class Area:
    lat: float
    lon: float
    radius_m: int


@dataclass(frozen=True)
class FeedFilter:
    kinds: frozenset[Kind] = frozenset()
    categories: frozenset[Category] = frozenset()
    area: Area | None = None
    urgent_only: bool = False

    @property
    def everything(self) -> bool:
        return not (self.kinds or self.categories or self.area or self.urgent_only)

    def accepts(self, post: RoutingFacts | None) -> bool:
        if post is None:
            return self.everything  # a post we know nothing of: only the unfiltered feed
        if self.kinds and post.kind not in self.kinds:
            return False
        if self.categories and post.category not in self.categories:
            return False
        if self.urgent_only and not post.urgent:
            return False
        if self.area is not None:
            distance = haversine_m(self.area.lat, self.area.lon, post.lat, post.lon)
            return distance <= self.area.radius_m
        return True


@dataclass(eq=False)
class Subscription:
    """One channel of one connection (``target``: whatever the server uses)."""

    target: Hashable
    channel: str
    filter: FeedFilter = field(default_factory=FeedFilter)
    # The alerts channel: how far from the member's location; not indexed until the
    # first location arrives.
    radius_m: int | None = None
    indexed: bool = False


GridCell = tuple[float, int, int]  # (the grid's cell size in degrees, row, column)


def grid_cell(size_deg: float, lat: float, lon: float) -> GridCell:
    return (size_deg, math.floor(lat / size_deg), math.floor(lon / size_deg))


def cells_of_point(lat: float, lon: float) -> list[GridCell]:
    """The point's cell on every grid."""
    return [grid_cell(size, lat, lon) for size in CELL_SIZES_DEG]


def cells_touched(area: Area) -> list[GridCell]:
    """Every cell the area's bounding box overlaps, on the finest grid whose cells are
    at least as large as the box."""
    dlat = area.radius_m / METRES_PER_DEGREE_LAT
    dlon = area.radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(area.lat)), 0.01))
    size = next((s for s in CELL_SIZES_DEG if s >= 2 * max(dlat, dlon)), CELL_SIZES_DEG[-1])
    _, south, west = grid_cell(size, area.lat - dlat, area.lon - dlon)
    _, north, east = grid_cell(size, area.lat + dlat, area.lon + dlon)
    return [(size, r, c) for r in range(south, north + 1) for c in range(west, east + 1)]


class SubscriptionIndex:
    def __init__(self) -> None:
        self._everything: set[Subscription] = set()
        self._filtered_anywhere: set[Subscription] = set()  # kinds or urgency only
        self._by_category: dict[Category, set[Subscription]] = defaultdict(set)
        self._by_cell: dict[GridCell, set[Subscription]] = defaultdict(set)
        self._threads: dict[str, set[Subscription]] = defaultdict(set)
        # The personal channels, by (channel, member).
        self._personal: dict[tuple[str, str], set[Subscription]] = defaultdict(set)
        self.count = 0

    # feed and alerts ------------------------------------------------------------------
    def _feed_buckets(self, sub: Subscription) -> Iterable[set[Subscription]]:
        f = sub.filter
        if f.everything:
            return [self._everything]
        if f.area is not None:
            return [self._by_cell[cell] for cell in cells_touched(f.area)]
        if f.categories:
            return [self._by_category[c] for c in f.categories]
        return [self._filtered_anywhere]

    def add(self, sub: Subscription, member: str | None = None) -> None:
        sub.indexed = True
        self.count += 1
        if sub.channel in PERSONAL_CHANNELS:
            assert member is not None
            self._personal[(sub.channel, member)].add(sub)
        elif sub.channel.startswith(THREAD_CHANNEL_PREFIX):
            self._threads[sub.channel.removeprefix(THREAD_CHANNEL_PREFIX)].add(sub)
        else:
            for bucket in self._feed_buckets(sub):
                bucket.add(sub)

    def remove(self, sub: Subscription, member: str | None = None) -> None:
        if not sub.indexed:
            return
        sub.indexed = False
        self.count -= 1
        if sub.channel in PERSONAL_CHANNELS:
            _discard(self._personal, (sub.channel, member), sub)
        elif sub.channel.startswith(THREAD_CHANNEL_PREFIX):
            _discard(self._threads, sub.channel.removeprefix(THREAD_CHANNEL_PREFIX), sub)
        else:
            for bucket in self._feed_buckets(sub):
                bucket.discard(sub)
            if sub.filter.area is not None:
                for cell in cells_touched(sub.filter.area):
                    if not self._by_cell.get(cell, True):
                        del self._by_cell[cell]

    # who gets an event ------------------------------------------------------------------
    def for_post(self, post_id: str, facts: RoutingFacts | None) -> list[Subscription]:
        """Feed and alert subscriptions that accept the post, and its thread's."""
        chosen = list(self._everything)
        if facts is not None:
            near = [self._by_cell.get(cell, ()) for cell in cells_of_point(facts.lat, facts.lon)]
            candidates = self._filtered_anywhere.union(
                self._by_category.get(facts.category, ()), *near
            )
            chosen += [s for s in candidates if s.filter.accepts(facts)]
        chosen += self._threads.get(post_id, ())
        return chosen

    def for_thread(self, post_id: str) -> list[Subscription]:
        return list(self._threads.get(post_id, ()))

    def for_member(self, member: str, channel: str = NOTIFICATIONS_CHANNEL) -> list[Subscription]:
        return list(self._personal.get((channel, member), ()))

    def for_members(self, members: Iterable[str], channel: str) -> list[Subscription]:
        return [sub for member in members for sub in self._personal.get((channel, member), ())]


def _discard(index: dict, key, sub: Subscription) -> None:
    bucket = index.get(key)
    if bucket is not None:
        bucket.discard(sub)
        if not bucket:
            del index[key]
