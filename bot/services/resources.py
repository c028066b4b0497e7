"""The one lookup service for crisis lines and support: used by /resources, the crisis reply and check-ins."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import babel

from bot.clock import Clock
from bot.domain.resources import (
    LOCAL_MAX_PER_SERVER,
    Country,
    Directory,
    LocalResource,
    OpenStatus,
    Selection,
    Topic,
    local_for_topic,
    open_status,
    parse_directory,
    select_lines,
    validate_local,
)
from bot.errors import DomainError
from bot.i18n import DEFAULT_LOCALE, LOCALES_DIR
from bot.storage.resources import ResourcesRepository

log = logging.getLogger(__name__)

HELPLINES_PATH = Path(__file__).resolve().parents[1] / "data" / "helplines.json"


# The helpline data's regions as CLDR codes (UN M49 areas; Antarctica is a territory), for their translated names.
REGION_CODES = {
    "Africa": "002",
    "Americas": "019",
    "Antarctica": "AQ",
    "Asia": "142",
    "Europe": "150",
    "Oceania": "009",
}


def load_directory(path: Path = HELPLINES_PATH, languages: Sequence[str] | None = None) -> Directory:
    """Read and check the shipped helpline data once, at start-up, with the countries' names in ``languages``
    (default: every language Haven has a catalog for)."""
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    codes = [str(entry.get("code", "")) for entry in data.get("countries", ())]
    return parse_directory(
        data, country_names(codes, catalog_languages() if languages is None else languages)
    )


def catalog_languages() -> list[str]:
    """The languages with a message catalog, other than English."""
    return sorted({path.stem.split("-")[0] for path in LOCALES_DIR.glob("*.json")} - {DEFAULT_LOCALE})


def country_names(codes: Sequence[str], languages: Sequence[str]) -> dict[str, dict[str, str]]:
    """``{language: {code: name}}``: CLDR's territory names, from the data Babel ships (nothing is downloaded).
    A language or code CLDR doesn't know is left out, so members see the English name instead."""
    names: dict[str, dict[str, str]] = {}
    for language in languages:
        try:
            territories = babel.Locale.parse(language).territories
        except (ValueError, babel.UnknownLocaleError):
            log.warning("No CLDR country names for language %s", language)
            continue
        names[language] = {code: str(territories[code]) for code in codes if code in territories}
        names[language].update(
            {
                f"region:{region}": str(territories[code])
                for region, code in REGION_CODES.items()
                if code in territories
            }
        )
    return names


CountrySource = Literal["given", "saved"]


@dataclass(frozen=True)
class Answer:
    """What to show a member: the country (if known), its emergency number, lines, local entries."""

    topic: Topic
    now: datetime
    country: Country | None = None
    country_source: CountrySource | None = None
    unknown_country: str | None = None
    selection: Selection | None = None
    local: tuple[LocalResource, ...] = ()
    statuses: dict[str, OpenStatus] = field(default_factory=lambda: {})

    @property
    def line_ids(self) -> list[str]:
        """The ids of the lines shown, for correction reports."""
        return [line.id for line in self.selection.lines] if self.selection else []


class LocalEntryNotFound(DomainError):
    """A moderator named a local entry that doesn't exist in this server."""

    key = "resources.local.error.not_found"


class TooManyLocalEntries(DomainError):
    """A server already has the most local entries Haven keeps."""

    key = "resources.local.error.too_many"


class ResourceService:
    """Finds help for a country and topic, remembers a member's country on request, keeps local entries."""

    def __init__(self, directory: Directory, repo: ResourcesRepository, clock: Clock) -> None:
        self.directory = directory
        self._repo = repo
        self._clock = clock

    # --- countries

    def search_countries(self, text: str, limit: int = 25) -> list[Country]:
        """Countries matching what a member typed, for autocomplete."""
        return self.directory.search(text, limit)

    def resolve_country(self, text: str) -> Country | None:
        """The country ``text`` names, or ``None`` when it names none (or several)."""
        return self.directory.resolve(text)

    async def saved_country(self, user_id: int) -> Country | None:
        """The country ``user_id`` asked Haven to remember."""
        code = await self._repo.saved_country(user_id)
        return self.directory.get(code) if code else None

    async def remember_country(self, user_id: int, code: str) -> Country:
        """Remember ``code`` for ``user_id`` (only when they ask)."""
        country = self.directory.get(code)
        if country is None:
            raise DomainError("resources.error.unknown_country", text=code[:100])
        await self._repo.save_country(user_id, country.code, self._clock())
        return country

    async def forget_country(self, user_id: int) -> bool:
        """Forget ``user_id``'s country. Returns whether one was saved."""
        return await self._repo.forget_country(user_id)

    # --- answers

    async def answer(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        country_text: str | None,
        topic: Topic = Topic.SUICIDE_CRISIS,
    ) -> Answer:
        """Help for a member: the country they named, else the one they saved, else none (never a default)."""
        now = self._clock()
        local = await self._local(guild_id, topic)
        if country_text and country_text.strip():
            country = self.resolve_country(country_text)
            if country is None:
                return Answer(topic=topic, now=now, unknown_country=country_text.strip()[:100], local=local)
            return self._for_country(country, topic, now, "given", local)
        saved = await self.saved_country(user_id)
        if saved is None:
            return Answer(topic=topic, now=now, local=local)
        return self._for_country(saved, topic, now, "saved", local)

    def help_for(self, code: str | None, topic: Topic = Topic.SUICIDE_CRISIS) -> Answer:
        """Help for a known country code (or none), without local entries: for the crisis reply and check-ins."""
        now = self._clock()
        country = self.directory.get(code) if code else None
        if country is None:
            return Answer(topic=topic, now=now)
        return self._for_country(country, topic, now, "saved", ())

    def _for_country(
        self,
        country: Country,
        topic: Topic,
        now: datetime,
        source: CountrySource,
        local: tuple[LocalResource, ...],
    ) -> Answer:
        selection = None if topic.is_self_help else select_lines(country, topic)
        statuses = {line.id: open_status(line.hours, now) for line in selection.lines} if selection else {}
        return Answer(
            topic=topic,
            now=now,
            country=country,
            country_source=source,
            selection=selection,
            local=local,
            statuses=statuses,
        )

    async def _local(self, guild_id: int | None, topic: Topic) -> tuple[LocalResource, ...]:
        if guild_id is None:
            return ()
        return tuple(local_for_topic(await self._repo.local_resources(guild_id), topic))

    # --- server-local resources

    async def local_entries(self, guild_id: int) -> list[LocalResource]:
        """Every local entry of a server."""
        return await self._repo.local_resources(guild_id)

    async def add_local(
        self,
        guild_id: int,
        added_by: int,
        *,
        name: str,
        description: str,
        phone: str | None,
        url: str | None,
        topic: Topic | None,
    ) -> LocalResource:
        """Validate and add a server's own entry."""
        draft = validate_local(name, description, phone, url, topic)
        if await self._repo.count_local(guild_id) >= LOCAL_MAX_PER_SERVER:
            raise TooManyLocalEntries(max=LOCAL_MAX_PER_SERVER)
        return await self._repo.add_local(guild_id, draft, added_by, self._clock())

    async def edit_local(
        self,
        guild_id: int,
        entry_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        phone: str | None = None,
        url: str | None = None,
        topic: Topic | None = None,
        clear: Sequence[str] = (),
    ) -> LocalResource:
        """Change some fields of an entry (``clear`` empties phone, url or topic); validated like a new one."""
        current = next((e for e in await self._repo.local_resources(guild_id) if e.id == entry_id), None)
        if current is None:
            raise LocalEntryNotFound()
        draft = validate_local(
            name if name is not None else current.name,
            description if description is not None else current.description,
            None if "phone" in clear else (phone if phone is not None else current.phone),
            None if "url" in clear else (url if url is not None else current.url),
            None if "topic" in clear else (topic if topic is not None else current.topic),
        )
        if not await self._repo.update_local(guild_id, entry_id, draft, self._clock()):
            raise LocalEntryNotFound()
        return LocalResource(id=entry_id, guild_id=guild_id, **draft.__dict__)

    async def remove_local(self, guild_id: int, entry_id: int) -> None:
        """Remove an entry from a server."""
        if not await self._repo.remove_local(guild_id, entry_id):
            raise LocalEntryNotFound()

    # --- corrections

    async def report_problem(
        self,
        *,
        guild_id: int | None,
        country_code: str | None,
        topic: Topic,
        line_ids: Sequence[str],
        text: str,
    ) -> int:
        """Record a member's correction report; returns its number (also logged for maintainers)."""
        text = " ".join(text.split())[:1000]
        report_id = await self._repo.add_report(guild_id, country_code, topic, line_ids, text, self._clock())
        log.warning(
            "Resource correction report #%d: country %s, topic %s, lines %s (read it with `python -m bot reports`)",
            report_id,
            country_code or "none",
            topic.value,
            ",".join(line_ids) or "none",
        )
        return report_id

    async def recent_reports(self, limit: int = 50) -> list[dict[str, object]]:
        """The newest correction reports, for operators."""
        return await self._repo.reports(limit)
