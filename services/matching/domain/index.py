"""The candidate index: which open posts could match a new one, without a full scan.

Posts are bucketed by (category, kind) and by a coarse grid cell. Two posts are within
reach when their distance is at most the larger radius (plus slack), so for posts whose
radius is at most NARROW_RADIUS_M, searching the cells within max(new radius,
NARROW_RADIUS_M) of the new post finds all of them. The few posts with a wider radius
live in a per-bucket list that is always scanned.
"""

from __future__ import annotations

import math
from collections import defaultdict

from services.matching.domain.posts import OpenPost
from services.matching.domain.score import LOCATION_SLACK_M
from shared.contract.values import Category, Kind

NARROW_RADIUS_M = 20_000
COARSE_CELL_M = 20_000
_METRES_PER_DEGREE = 111_320.0
_STEP_DEG = COARSE_CELL_M / _METRES_PER_DEGREE

Bucket = tuple[Category, Kind]


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _STEP_DEG), math.floor(lon / _STEP_DEG)


class CandidateIndex:
    def __init__(self) -> None:
        self._narrow: dict[Bucket, dict[tuple[int, int], dict[str, OpenPost]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self._wide: dict[Bucket, dict[str, OpenPost]] = defaultdict(dict)
        self._posts: dict[str, OpenPost] = {}

    def __len__(self) -> int:
        return len(self._posts)

    def __contains__(self, post_id: str) -> bool:
        return post_id in self._posts

    def add(self, post: OpenPost) -> None:
        self.remove(post.post_id)
        bucket = (post.category, post.kind)
        if post.radius_m <= NARROW_RADIUS_M:
            self._narrow[bucket][_cell(post.lat, post.lon)][post.post_id] = post
        else:
            self._wide[bucket][post.post_id] = post
        self._posts[post.post_id] = post

    def remove(self, post_id: str) -> OpenPost | None:
        post = self._posts.pop(post_id, None)
        if post is None:
            return None
        bucket = (post.category, post.kind)
        if post.radius_m <= NARROW_RADIUS_M:
            cells = self._narrow[bucket]
            cell = _cell(post.lat, post.lon)
            cells[cell].pop(post_id, None)
            if not cells[cell]:
                del cells[cell]
        else:
            self._wide[bucket].pop(post_id, None)
        return post

    def candidates(self, new: OpenPost) -> list[OpenPost]:
        """Open posts of the same category and the other kind that may be within reach."""
        other = Kind.OFFER if new.kind is Kind.REQUEST else Kind.REQUEST
        bucket = (new.category, other)
        found = list(self._wide.get(bucket, {}).values())
        cells = self._narrow.get(bucket)
        if not cells:
            return found
        search_m = max(new.radius_m, NARROW_RADIUS_M) + LOCATION_SLACK_M
        dlat = search_m / _METRES_PER_DEGREE
        dlon = search_m / (_METRES_PER_DEGREE * max(math.cos(math.radians(new.lat)), 0.01))
        row0, col0 = _cell(new.lat - dlat, new.lon - dlon)
        row1, col1 = _cell(new.lat + dlat, new.lon + dlon)
        if (row1 - row0 + 1) * (col1 - col0 + 1) > len(cells):
            # A very wide search: walking the occupied cells is cheaper than the grid.
            for (row, col), posts in cells.items():
                if row0 <= row <= row1 and col0 <= col <= col1:
                    found.extend(posts.values())
            return found
        for row in range(row0, row1 + 1):
            for col in range(col0, col1 + 1):
                posts = cells.get((row, col))
                if posts:
                    found.extend(posts.values())
        return found
