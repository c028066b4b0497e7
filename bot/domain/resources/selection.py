"""Which lines to show for a topic, and whether a line is open now (time comes in as a parameter)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.resources.model import GENERAL_TOPICS, MAX_LINES, Country, Hours, Line, Period, Topic


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
