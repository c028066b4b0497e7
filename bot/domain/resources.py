"""Crisis lines, emergency numbers and support services: the data model and the rules for choosing them.

Pure: the directory is parsed from a mapping the caller loaded; time comes in as a parameter.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapidfuzz import fuzz, process

from bot.errors import InvalidInput


class Topic(StrEnum):
    """What a member is looking for. Line topics first, then self-help material."""

    SUICIDE_CRISIS = "suicide_crisis"
    SELF_HARM = "self_harm"
    MENTAL_HEALTH = "mental_health"
    EATING_DISORDERS = "eating_disorders"
    SUBSTANCE_USE = "substance_use"
    DOMESTIC_VIOLENCE = "domestic_violence"
    SEXUAL_ASSAULT = "sexual_assault"
    LGBTQ = "lgbtq"
    YOUNG_PEOPLE = "young_people"
    VETERANS = "veterans"
    GRIEF = "grief"
    GROUNDING = "grounding"
    BREATHING = "breathing"
    SUPPORT_A_FRIEND = "support_a_friend"
    ASKING_FOR_SUPPORT = "asking_for_support"
    PEER_SUPPORT = "peer_support"

    @property
    def is_self_help(self) -> bool:
        """Whether this topic is self-help material rather than a kind of line."""
        return self in SELF_HELP_TOPICS


SELF_HELP_TOPICS = frozenset(
    {Topic.GROUNDING, Topic.BREATHING, Topic.SUPPORT_A_FRIEND, Topic.ASKING_FOR_SUPPORT, Topic.PEER_SUPPORT}
)
LINE_TOPICS = tuple(t for t in Topic if t not in SELF_HELP_TOPICS)
# When no line covers a topic, these general lines still help.
GENERAL_TOPICS = (Topic.SUICIDE_CRISIS, Topic.MENTAL_HEALTH)
MAX_LINES = 3
FUZZY_CUTOFF = 75  # rapidfuzz ratio (0-100) for a name to count as close to what was typed
SURE_CUTOFF = 85  # a typed country is taken as a typo of one name from here


class DataError(ValueError):
    """The shipped directory is malformed (a bug in bot/data, caught by tests and at start-up)."""


@dataclass(frozen=True)
class Phone:
    """A number as dialled locally, its E.164 form where one exists, and a note (network, option)."""

    number: str
    e164: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Sms:
    """A text-message contact: the number or short code and the keyword to send, if any."""

    number: str
    keyword: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Period:
    """Opening hours on some weekdays (0 = Monday); ``close`` at or before ``open`` runs past midnight."""

    days: tuple[int, ...]
    open: time
    close: time


@dataclass(frozen=True)
class Hours:
    """``24/7``, ``weekly`` periods in an IANA timezone, or ``unknown``."""

    kind: str
    timezone: str | None = None
    periods: tuple[Period, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Line:
    """One helpline or support service."""

    id: str
    name: str
    phones: tuple[Phone, ...]
    sms: Sms | None
    chat_url: str | None
    website: str | None
    hours: Hours
    languages: tuple[str, ...]
    topics: tuple[Topic, ...]
    free: bool | None
    anonymous: bool | None
    source: str
    source_url: str
    last_verified: date
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class Emergency:
    """A country's emergency number (ambulance where services differ) and any alternatives."""

    number: str
    also: tuple[str, ...]
    source: str
    source_url: str
    last_verified: date


@dataclass(frozen=True)
class Country:
    """A country or territory with its emergency number and lines."""

    code: str
    name: str
    aliases: tuple[str, ...]
    region: str
    emergency: Emergency
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class International:
    """The international directory shown when no country is known or none has a line."""

    name: str
    url: str
    note: str


@dataclass(frozen=True)
class Directory:
    """Every country, indexed for lookup and autocomplete."""

    compiled: date
    international: International
    countries: Mapping[str, Country]
    _keys: tuple[str, ...] = field(default=(), repr=False)
    _codes: tuple[str, ...] = field(default=(), repr=False)
    # Country names in other languages (CLDR, via Babel): {language: {code: name}}; English is ``Country.name``.
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict[str, Mapping[str, str]], repr=False)

    def name_in(self, country: Country, language: str) -> str:
        """``country``'s name in ``language`` (a catalog code such as ``es``), or its English name."""
        return self.names.get(language, {}).get(country.code) or country.name

    def region_in(self, region: str, language: str) -> str:
        """A region's name ("Europe") in ``language``, or as the data gives it."""
        return self.names.get(language, {}).get(f"region:{region}") or region

    def get(self, code: str) -> Country | None:
        """The country with ISO code ``code`` (any case), or ``None``."""
        return self.countries.get(code.strip().upper())

    def search(self, text: str, limit: int = 25) -> list[Country]:
        """Countries for autocomplete: code match, then names and aliases starting with ``text``, then containing it."""
        query = normalise(text)[:100]
        if not query:
            return sorted(self.countries.values(), key=lambda c: c.name)[:limit]
        found: dict[str, Country] = {}
        exact = self.countries.get(query.upper()) if len(query) == 2 else None
        if exact is not None:
            found[exact.code] = exact
        start = bisect_left(self._keys, query)
        for index in range(start, len(self._keys)):
            if not self._keys[index].startswith(query) or len(found) >= limit:
                break
            code = self._codes[index]
            found.setdefault(code, self.countries[code])
        if len(found) < limit:
            for key, code in zip(self._keys, self._codes, strict=True):
                if query in key and code not in found:
                    found[code] = self.countries[code]
                    if len(found) >= limit:
                        break
        if not found:  # a typo ("germnay", "untied states"): the closest names instead of nothing
            for code, _ in self._fuzzy(query):
                found.setdefault(code, self.countries[code])
        return list(found.values())[:limit]

    def _fuzzy(self, query: str) -> list[tuple[str, float]]:
        """(code, score) for names and aliases close to ``query``, best first, each country once."""
        hits = process.extract(query, self._keys, scorer=fuzz.ratio, limit=50, score_cutoff=FUZZY_CUTOFF)
        best: dict[str, float] = {}
        for _, score, index in hits:
            code = self._codes[index]
            best[code] = max(best.get(code, 0.0), score)
        return sorted(best.items(), key=lambda item: (-item[1], self.countries[item[0]].name))

    def resolve(self, text: str) -> Country | None:
        """The one country ``text`` names (code, name or alias, any case or accents), or ``None``."""
        query = normalise(text)
        if not query:
            return None
        if len(query) == 2 and query.upper() in self.countries:
            return self.countries[query.upper()]
        index = bisect_left(self._keys, query)
        if index < len(self._keys) and self._keys[index] == query:
            return self.countries[self._codes[index]]
        candidates: set[str] = set()
        while index < len(self._keys) and self._keys[index].startswith(query):
            candidates.add(self._codes[index])
            index += 1
        if len(candidates) == 1:
            return self.countries[candidates.pop()]
        if candidates:
            return None
        close = self._fuzzy(query)
        # A clear typo of one country's name is that country; two close ones are left to the member to choose.
        if close and close[0][1] >= SURE_CUTOFF and (len(close) == 1 or close[1][1] < close[0][1] - 5):
            return self.countries[close[0][0]]
        return None

    def by_region(self) -> dict[str, list[Country]]:
        """Countries grouped by region, each group sorted by name."""
        regions: dict[str, list[Country]] = {}
        for country in sorted(self.countries.values(), key=lambda c: c.name):
            regions.setdefault(country.region, []).append(country)
        return dict(sorted(regions.items()))

    def sorted_in(self, countries: list[Country], language: str) -> list[Country]:
        """``countries`` in the alphabetical order of their names in ``language``."""
        return sorted(countries, key=lambda c: normalise(self.name_in(c, language)))


def normalise(text: str) -> str:
    """Case-folded, accent-free, single-spaced text for matching names."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


# --- parsing -------------------------------------------------------------------------------------------------------


def parse_directory(
    data: Mapping[str, Any], names: Mapping[str, Mapping[str, str]] | None = None
) -> Directory:
    """Build the directory from the shipped JSON; raise ``DataError`` on anything malformed. ``names`` are the
    countries' names in other languages ({language: {code: name}}): shown to members of that language and found by
    search for everyone."""
    try:
        countries = {entry["code"]: _country(entry) for entry in data["countries"]}
        intl = data["international"]
        international = International(name=intl["name"], url=intl["url"], note=intl.get("note") or "")
        compiled = date.fromisoformat(data["compiled"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"helplines data is malformed: {exc!r}") from exc
    keys: list[tuple[str, str]] = []
    for country in countries.values():
        translated = [by_code[country.code] for by_code in (names or {}).values() if country.code in by_code]
        for name in dict.fromkeys(normalise(n) for n in (country.name, *country.aliases, *translated)):
            keys.append((name, country.code))
    keys.sort()
    return Directory(
        compiled=compiled,
        international=international,
        countries=countries,
        _keys=tuple(k for k, _ in keys),
        _codes=tuple(c for _, c in keys),
        names={language: dict(by_code) for language, by_code in (names or {}).items()},
    )


def _country(entry: Mapping[str, Any]) -> Country:
    emergency = entry["emergency"]
    return Country(
        code=entry["code"],
        name=entry["name"],
        aliases=tuple(entry.get("aliases", ())),
        region=entry["region"],
        emergency=Emergency(
            number=emergency["number"],
            also=tuple(emergency.get("also", ())),
            source=emergency["source"],
            source_url=emergency["source_url"],
            last_verified=date.fromisoformat(emergency["last_verified"]),
        ),
        lines=tuple(_line(line) for line in entry["lines"]),
    )


def _line(entry: Mapping[str, Any]) -> Line:
    sms = entry.get("sms")
    return Line(
        id=entry["id"],
        name=entry["name"],
        phones=tuple(Phone(p["number"], p.get("e164"), p.get("note")) for p in entry["phones"]),
        sms=Sms(sms["number"], sms.get("keyword"), sms.get("note")) if sms else None,
        chat_url=entry.get("chat_url"),
        website=entry.get("website"),
        hours=parse_hours(entry["hours"]),
        languages=tuple(entry.get("languages", ())),
        topics=tuple(Topic(t) for t in entry["topics"]),
        free=entry.get("free"),
        anonymous=entry.get("anonymous"),
        source=entry["source"],
        source_url=entry["source_url"],
        last_verified=date.fromisoformat(entry["last_verified"]),
        verified=entry["status"] == "verified",
        note=entry.get("note"),
    )


def parse_hours(entry: Mapping[str, Any]) -> Hours:
    """Hours from their JSON form; weekly hours need a valid IANA timezone."""
    kind = entry["kind"]
    if kind not in ("24/7", "weekly", "unknown"):
        raise DataError(f"unknown hours kind {kind!r}")
    periods: tuple[Period, ...] = ()
    timezone = entry.get("timezone")
    if kind == "weekly":
        if not timezone:
            raise DataError("weekly hours need a timezone")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DataError(f"unknown timezone {timezone!r}") from exc
        periods = tuple(
            Period(tuple(p["days"]), time.fromisoformat(p["open"]), time.fromisoformat(p["close"]))
            for p in entry["periods"]
        )
        if not periods or any(not p.days or any(d not in range(7) for d in p.days) for p in periods):
            raise DataError("weekly hours need periods with days 0-6")
    return Hours(kind=kind, timezone=timezone, periods=periods, note=entry.get("note"))


# --- open now ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenStatus:
    """Whether a line is open at a moment: ``open`` is ``None`` when its hours aren't known."""

    open: bool | None
    always: bool = False
    next_change: datetime | None = None  # in the line's own timezone


def open_status(hours: Hours, now: datetime) -> OpenStatus:
    """Whether a line with ``hours`` is open at ``now`` (aware), judged in the line's own timezone."""
    if hours.kind == "24/7":
        return OpenStatus(open=True, always=True)
    if hours.kind != "weekly" or hours.timezone is None:
        return OpenStatus(open=None)
    zone = ZoneInfo(hours.timezone)
    local = now.astimezone(zone)
    intervals = sorted(_intervals(hours.periods, local.date() - timedelta(days=1), 9, zone))
    for start, end in intervals:
        if start <= local < end:
            return OpenStatus(open=True, next_change=end)
    upcoming = [start for start, _ in intervals if start > local]
    return OpenStatus(open=False, next_change=upcoming[0] if upcoming else None)


def _intervals(
    periods: Sequence[Period], first_day: date, days: int, zone: ZoneInfo
) -> Iterable[tuple[datetime, datetime]]:
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for period in periods:
            if day.weekday() not in period.days:
                continue
            start = datetime.combine(day, period.open, tzinfo=zone)
            end_day = day if period.close > period.open else day + timedelta(days=1)
            yield start, datetime.combine(end_day, period.close, tzinfo=zone)


# --- choosing lines ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The lines to show for a country and topic, and whether they are general lines standing in."""

    lines: tuple[Line, ...]
    topic_matched: bool


def select_lines(country: Country, topic: Topic, limit: int = MAX_LINES) -> Selection:
    """At most ``limit`` lines for ``topic``, verified ones first; general crisis lines when none match."""
    matching = [line for line in country.lines if topic in line.topics]
    matched = bool(matching)
    if not matching:
        matching = [line for line in country.lines if any(t in line.topics for t in GENERAL_TOPICS)]
    ordered = sorted(
        matching, key=lambda line: not line.verified
    )  # stable: keeps curated order within a group
    return Selection(lines=tuple(ordered[:limit]), topic_matched=matched)


# --- server-local resources ----------------------------------------------------------------------------------------

LOCAL_NAME_MAX = 80
LOCAL_DESCRIPTION_MAX = 200
LOCAL_URL_MAX = 200
LOCAL_MAX_PER_SERVER = 15
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-.]{1,22}$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class LocalResource:
    """An entry a server's moderators added: a local clinic, the server's support channel."""

    id: int
    guild_id: int
    name: str
    description: str
    phone: str | None
    url: str | None
    topic: Topic | None


@dataclass(frozen=True)
class LocalDraft:
    """Validated fields for a new or edited local resource."""

    name: str
    description: str
    phone: str | None
    url: str | None
    topic: Topic | None


def validate_local(
    name: str, description: str, phone: str | None, url: str | None, topic: Topic | None
) -> LocalDraft:
    """Check a moderator's entry like the shipped data; raise ``InvalidInput`` naming what to fix."""
    name = " ".join(name.split())
    description = " ".join(description.split())
    phone = (phone or "").strip() or None
    url = (url or "").strip() or None
    if not 2 <= len(name) <= LOCAL_NAME_MAX:
        raise InvalidInput("resources.local.error.name", max=LOCAL_NAME_MAX)
    if len(description) > LOCAL_DESCRIPTION_MAX:
        raise InvalidInput("resources.local.error.description", max=LOCAL_DESCRIPTION_MAX)
    if phone is None and url is None and "<#" not in description:
        raise InvalidInput("resources.local.error.no_contact")
    if phone is not None and (not _PHONE_RE.match(phone) or sum(ch.isdigit() for ch in phone) < 3):
        raise InvalidInput("resources.local.error.phone")
    if url is not None and (len(url) > LOCAL_URL_MAX or not _URL_RE.match(url)):
        raise InvalidInput("resources.local.error.url")
    if "@everyone" in description or "@here" in description or "@everyone" in name or "@here" in name:
        raise InvalidInput("resources.local.error.mention")
    return LocalDraft(name=name, description=description, phone=phone, url=url, topic=topic)


def local_for_topic(
    entries: Sequence[LocalResource], topic: Topic, limit: int = MAX_LINES
) -> list[LocalResource]:
    """A server's entries for ``topic`` (entries without a topic fit every topic), at most ``limit``."""
    return [e for e in entries if e.topic is None or e.topic == topic][:limit]
