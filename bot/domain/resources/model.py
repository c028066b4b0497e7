"""The directory's data model: topics, lines, countries, and looking a country up by what was typed.

Pure: no discord, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

from rapidfuzz import fuzz, process


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
