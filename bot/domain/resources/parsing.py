"""Reading the helpline directory from the mapping the caller loaded (bot/data/helplines.json).

Pure: the caller does the I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.resources.model import (
    Country,
    DataError,
    Directory,
    Emergency,
    Hours,
    International,
    Line,
    Period,
    Phone,
    Sms,
    Topic,
    normalise,
)


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
