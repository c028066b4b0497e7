"""Timezones people mean: IANA names, cities (GeoNames), offsets as written ("GMT+1", "UTC-5", "+05:30") and common
abbreviations (EST, CET, IST ...), with a fuzzy fallback for typos.

Pure rules; the only file read is the city table shipped beside the code (``bot/data/cities.tsv``, static package data
like tzdata itself, built by ``scripts/import_cities.py``). The current time comes in as a parameter.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from rapidfuzz import fuzz, process

from bot.errors import InvalidInput

CITIES_FILE = Path(__file__).resolve().parents[1] / "data" / "cities.tsv"
# Zones without a region that members may type: UTC and GMT (the Etc/ zones are found by their full name).
PLAIN_ZONES = ("UTC", "GMT")
_HIDDEN_PREFIXES = ("SystemV/", "posix/", "right/")
FUZZY_CUTOFF = 80

# Abbreviations people write, each to the zones they usually mean, most likely first, with the place it stands for.
ABBREVIATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "est": (("America/New_York", "US Eastern"),),
    "edt": (("America/New_York", "US Eastern"),),
    "et": (("America/New_York", "US Eastern"),),
    "cst": (("America/Chicago", "US Central"), ("Asia/Shanghai", "China"), ("America/Havana", "Cuba")),
    "cdt": (("America/Chicago", "US Central"),),
    "ct": (("America/Chicago", "US Central"),),
    "mst": (("America/Denver", "US Mountain"), ("America/Phoenix", "Arizona")),
    "mdt": (("America/Denver", "US Mountain"),),
    "mt": (("America/Denver", "US Mountain"),),
    "pst": (("America/Los_Angeles", "US Pacific"), ("Asia/Manila", "Philippines")),
    "pdt": (("America/Los_Angeles", "US Pacific"),),
    "pt": (("America/Los_Angeles", "US Pacific"),),
    "akst": (("America/Anchorage", "Alaska"),),
    "hst": (("Pacific/Honolulu", "Hawaii"),),
    "ast": (("America/Halifax", "Atlantic Canada"), ("Asia/Riyadh", "Arabia")),
    "nst": (("America/St_Johns", "Newfoundland"),),
    "bst": (("Europe/London", "British Summer Time"), ("Asia/Dhaka", "Bangladesh")),
    "wet": (("Europe/Lisbon", "Western Europe"),),
    "cet": (("Europe/Berlin", "Central Europe"), ("Europe/Paris", "Central Europe")),
    "cest": (("Europe/Berlin", "Central Europe"), ("Europe/Paris", "Central Europe")),
    "eet": (
        ("Europe/Athens", "Eastern Europe"),
        ("Europe/Bucharest", "Eastern Europe"),
        ("Africa/Cairo", "Egypt"),
    ),
    "eest": (("Europe/Athens", "Eastern Europe"), ("Europe/Bucharest", "Eastern Europe")),
    "msk": (("Europe/Moscow", "Moscow"),),
    "ist": (("Asia/Kolkata", "India"), ("Europe/Dublin", "Ireland"), ("Asia/Jerusalem", "Israel")),
    "pkt": (("Asia/Karachi", "Pakistan"),),
    "wib": (("Asia/Jakarta", "Western Indonesia"),),
    "sgt": (("Asia/Singapore", "Singapore"),),
    "hkt": (("Asia/Hong_Kong", "Hong Kong"),),
    "pht": (("Asia/Manila", "Philippines"),),
    "jst": (("Asia/Tokyo", "Japan"),),
    "kst": (("Asia/Seoul", "Korea"),),
    "aest": (("Australia/Sydney", "Australia Eastern"), ("Australia/Brisbane", "Queensland")),
    "aedt": (("Australia/Sydney", "Australia Eastern"),),
    "acst": (("Australia/Adelaide", "Australia Central"), ("Australia/Darwin", "Northern Territory")),
    "awst": (("Australia/Perth", "Australia Western"),),
    "nzst": (("Pacific/Auckland", "New Zealand"),),
    "nzdt": (("Pacific/Auckland", "New Zealand"),),
    "sast": (("Africa/Johannesburg", "South Africa"),),
    "cat": (("Africa/Maputo", "Central Africa"),),
    "eat": (("Africa/Nairobi", "East Africa"),),
    "wat": (("Africa/Lagos", "West Africa"),),
    "brt": (("America/Sao_Paulo", "Brasília"),),
    "art": (("America/Argentina/Buenos_Aires", "Argentina"),),
}
# Abbreviations that stand for different countries' time: typed on their own, Haven asks which one is meant.
AMBIGUOUS = frozenset({"ist", "cst", "bst", "ast"})
_OFFSET = re.compile(r"^(?:utc|gmt|z)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?:\s*[:.h]?\s*(?P<m>\d{2}))?$")


def fold(text: str) -> str:
    """Lower case, accents dropped, spaces for underscores, single spaces: "São_Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("−", "-"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("_", " ").split())


def format_offset(offset: timedelta) -> str:
    """ "UTC+05:30" for an offset east of UTC, "UTC-05:00" west of it."""
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def current_offset(zone: str, now: datetime) -> timedelta:
    """The zone's offset from UTC at ``now``."""
    return now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)


def display_zone(zone: str) -> str:
    """How a zone is named to members: the IANA name, except the fixed Etc/GMT zones, whose POSIX sign is
    inverted (Etc/GMT-1 is UTC+1): those are shown as the offset itself."""
    if zone.startswith("Etc/GMT") and zone[7:]:
        return format_offset(current_offset(zone, datetime(2000, 1, 1, tzinfo=UTC)))
    return zone


def zone_label(zone: str, now: datetime) -> str:
    """ "Europe/Paris (UTC+01:00)"; a fixed offset is just "UTC+01:00"."""
    shown = display_zone(zone)
    return shown if shown != zone else f"{zone} ({format_offset(current_offset(zone, now))})"


def parse_offset(text: str) -> timedelta | None:
    """The offset in "GMT+1", "UTC-5", "+05:30", "utc+5:30" as written (plus means east of UTC), or None."""
    match = _OFFSET.match(fold(text))
    if match is None:
        return None
    hours, minutes = int(match["h"]), int(match["m"] or 0)
    if minutes >= 60 or hours > 14 or (hours == 14 and minutes):
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return -offset if match["sign"] == "-" else offset


# --- the searchable names -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    key: str  # what is matched, folded
    zone: str  # the IANA zone
    city: str  # "Köln, DE" for a city, "" for a zone name
    rank: int  # lower first: zone names, then cities by population (a city's own name just before its other names)


@cache
def _cities() -> tuple[tuple[str, str, str, int, tuple[str, ...]], ...]:
    rows: list[tuple[str, str, str, int, tuple[str, ...]]] = []
    with CITIES_FILE.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            name, country, zone, population, alternates = line.rstrip("\n").split("\t")
            rows.append((name, country, zone, int(population), tuple(a for a in alternates.split("|") if a)))
    return tuple(rows)


@cache
def _zone_population() -> dict[str, int]:
    totals: dict[str, int] = {}
    for _, _, zone, population, _ in _cities():
        totals[zone] = totals.get(zone, 0) + population
    return totals


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(z for z in available_timezones() if "/" in z and not z.startswith(_HIDDEN_PREFIXES))


@cache
def _names() -> tuple[_Name, ...]:
    """Every searchable name, best first: plain and IANA zones (and their city part), then cities."""
    names = [_Name(fold(z), z, "", 0) for z in PLAIN_ZONES]
    for zone in sorted(_zone_names()):
        names.append(_Name(fold(zone), zone, "", 1))
        if not zone.startswith("Etc/"):
            names.append(_Name(fold(zone.rsplit("/", 1)[1]), zone, "", 1))
    known = _zone_names()
    cities = [c for c in _cities() if c[2] in known]
    for order, (name, country, zone, _, _) in enumerate(cities):
        names.append(_Name(fold(name), zone, f"{name}, {country}", 2 + 2 * order))
    for order, (name, country, zone, _, alternates) in enumerate(cities):
        names.extend(_Name(fold(a), zone, f"{a} ({name}, {country})", 3 + 2 * order) for a in alternates)
    return tuple(names)


@cache
def _sorted_keys() -> tuple[tuple[str, ...], tuple[_Name, ...]]:
    ordered = sorted(_names(), key=lambda n: (n.key, n.rank))
    return tuple(n.key for n in ordered), tuple(ordered)


def _label(name: _Name, now: datetime) -> str:
    if not name.city:
        return zone_label(name.zone, now)
    return f"{name.city} ({name.zone}, {format_offset(current_offset(name.zone, now))})"


# --- search ---------------------------------------------------------------------------------------------------------


def zones_at_offset(offset: timedelta, now: datetime) -> list[str]:
    """Zones whose offset is ``offset`` right now, the most populous first."""
    # Offsets change only at whole quarter hours: one answer serves every keystroke within the quarter.
    quarter = now.astimezone(UTC).replace(minute=now.minute // 15 * 15, second=0, microsecond=0)
    return list(_zones_by_offset(quarter).get(offset, ()))


@lru_cache(maxsize=4)
def _zones_by_offset(at: datetime) -> dict[timedelta, tuple[str, ...]]:
    population = _zone_population()
    grouped: dict[timedelta, list[str]] = {}
    for zone in _zone_names():
        if not zone.startswith("Etc/"):
            grouped.setdefault(current_offset(zone, at), []).append(zone)
    return {k: tuple(sorted(v, key=lambda z: (-population.get(z, 0), z))) for k, v in grouped.items()}


def _fixed_zone(offset: timedelta) -> str | None:
    """The Etc/GMT zone for a whole-hour offset (its POSIX name has the sign inverted), or None."""
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest:
        return None
    return "Etc/GMT" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"


def _offset_choices(offset: timedelta, now: datetime) -> list[tuple[str, str]]:
    fixed = _fixed_zone(offset)
    choices = [(format_offset(offset), fixed)] if fixed else []
    return choices + [(zone_label(z, now), z) for z in zones_at_offset(offset, now)]


def _matches(query: str, limit: int) -> list[_Name]:
    """Names equal to the query, then starting with it, then containing it; each group best first."""
    keys, ordered = _sorted_keys()
    start = bisect_left(keys, query)
    exact: list[_Name] = []
    prefix: list[_Name] = []
    for index in range(start, len(keys)):
        if not keys[index].startswith(query):
            break
        (exact if keys[index] == query else prefix).append(ordered[index])
    found = sorted(exact, key=lambda n: n.rank) + sorted(prefix, key=lambda n: n.rank)
    if len({n.zone for n in found}) < limit and len(query) >= 3:
        found += [n for n in _names() if query in n.key and not n.key.startswith(query)]
    return found


@cache
def _full_names() -> tuple[_Name, ...]:
    """The names that are a whole zone name (UTC, GMT, Europe/Berlin): what an empty query lists."""
    return tuple(n for n in _names() if n.key == fold(n.zone))


@cache
def _best_by_key() -> tuple[tuple[str, ...], tuple[_Name, ...]]:
    """Each distinct key once, with its best-ranked name: what the fuzzy search compares against."""
    best: dict[str, _Name] = {}
    for name in _names():
        if name.key not in best or name.rank < best[name.key].rank:
            best[name.key] = name
    return tuple(best), tuple(best.values())


def _fuzzy(query: str) -> list[_Name]:
    """Close names for a typo ("berln"), best score first, bigger places first on a tie."""
    keys, names = _best_by_key()
    hits = process.extract(query, keys, scorer=fuzz.ratio, limit=40, score_cutoff=FUZZY_CUTOFF)
    return [names[i] for _, _, i in sorted(hits, key=lambda h: (-round(h[1]), names[h[2]].rank))]


def timezone_choices(text: str, limit: int = 25, now: datetime | None = None) -> list[tuple[str, str]]:
    """(label, IANA zone) pairs for autocomplete, best first, at most ``limit``, each zone once.

    Offsets as written ("GMT+1" is UTC+1), then abbreviations (EST, IST ...), then names equal to ``text``,
    starting with it, containing it; typos get close matches. Labels show the current offset:
    "Europe/Paris (UTC+01:00)", "Köln, DE (Europe/Berlin, UTC+01:00)", "IST: India (Asia/Kolkata, UTC+05:30)".
    """
    moment = now or datetime.now(UTC)
    query = fold(text)[:100]
    if not query:
        return [(_label(n, moment), n.zone) for n in _full_names()[:limit]]
    found: dict[str, str] = {}
    offset = parse_offset(query)
    if offset is not None:
        found.update((zone, label) for label, zone in _offset_choices(offset, moment))
    for zone, place in ABBREVIATIONS.get(query, ()):
        found.setdefault(
            zone, f"{query.upper()}: {place} ({zone}, {format_offset(current_offset(zone, moment))})"
        )
    names = _matches(query, limit) if offset is None else []
    if not names and not found:
        names = _fuzzy(query)
    for name in names:
        if len(found) >= limit:
            break
        found.setdefault(name.zone, _label(name, moment))
    return [(label, zone) for zone, label in found.items()][:limit]


def search_timezones(text: str, limit: int = 25) -> list[str]:
    """IANA zones for autocomplete: by name or city ("Berlin", "new york", "europe/par", "Mumbai"), best first."""
    return [zone for _, zone in timezone_choices(text, limit)]


@cache
def _canonical() -> dict[str, str]:
    """Every accepted zone name, folded, to its IANA spelling ("etc/gmt+5" -> "Etc/GMT+5")."""
    return {fold(z): z for z in _zone_names() | set(PLAIN_ZONES)}


def resolve_timezone(text: str, now: datetime | None = None) -> ZoneInfo:
    """The zone ``text`` names: an IANA name (any case; UTC, GMT and Etc/ zones too), an offset as written ("GMT+1"
    is UTC+1), an abbreviation (EST), or a city (Köln, Mumbai). Raises InvalidInput with close matches as
    suggestions, or with the choices when an abbreviation means several zones (IST)."""
    candidate = text.strip()
    query = fold(candidate)
    exact = _canonical().get(query)
    if exact is not None:
        return ZoneInfo(exact)
    offset = parse_offset(query)
    if offset is not None:
        zones = [z for _, z in _offset_choices(offset, now or datetime.now(UTC))]
        if zones:
            return ZoneInfo(zones[0])
    meanings = ABBREVIATIONS.get(query, ())
    if meanings and query not in AMBIGUOUS:
        return ZoneInfo(meanings[0][0])
    if meanings:
        raise InvalidInput(
            "checkin.error.timezone_ambiguous", text=candidate[:60], suggestions=[z for z, _ in meanings]
        )
    matches = _matches(query, 25) if query else []
    if matches and (matches[0].key == query or len({n.zone for n in matches}) == 1):
        return ZoneInfo(matches[0].zone)
    suggestions = list(dict.fromkeys(n.zone for n in _fuzzy(query)))[:3] if query else []
    raise InvalidInput(
        "checkin.error.timezone", text=candidate[:60], suggestions=suggestions or ["Europe/London"]
    )
