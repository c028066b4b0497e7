"""Check-ins: moods, times and timezones, schedules that keep local time across daylight saving, and reflections.

Pure: no discord, no I/O. Time comes in as a parameter.
"""

from __future__ import annotations

import difflib
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InvalidInput

NOTE_MAX = 1000
TAGS = (
    "sleep",
    "stress",
    "social",
    "work_school",
    "health",
    "family",
    "exercise",
    "food",
    "weather",
    "creative",
)
LOW = 2  # a mood at or below this is "low"
LOW_STREAK = 3


class Mood(IntEnum):
    """The five-point scale, worst to best."""

    AWFUL = 1
    LOW = 2
    OKAY = 3
    GOOD = 4
    GREAT = 5

    @property
    def emoji(self) -> str:
        """The face shown on the button."""
        return {1: "\U0001f62b", 2: "\U0001f614", 3: "\U0001f610", 4: "\U0001f642", 5: "\U0001f604"}[
            self.value
        ]


# --- times ---------------------------------------------------------------------------------------------------------

_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?$")
_WORDS = {"noon": time(12), "midday": time(12), "midnight": time(0)}


def parse_time(text: str) -> time:
    """A local time from what a member typed: 21:30, 9pm, 9:30 am, 9.30, 21h30, noon.

    Raises:
        InvalidInput: with a hint, for "25:99" or "noon-ish".
    """
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _TIME.match(cleaned)
    if not match:
        raise InvalidInput("checkin.error.time", text=text[:40])
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise InvalidInput("checkin.error.time", text=text[:40])
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidInput("checkin.error.time", text=text[:40])
    return time(hour, minute)


# --- timezones -----------------------------------------------------------------------------------------------------


@cache
def _zones() -> tuple[tuple[str, str], ...]:
    """(searchable name, IANA zone) pairs: the full name and the city, lower-case, spaces for underscores."""
    pairs: list[tuple[str, str]] = []
    for zone in sorted(available_timezones()):
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        pairs.append((zone.lower().replace("_", " "), zone))
        city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
        pairs.append((city, zone))
    return tuple(pairs)


def search_timezones(text: str, limit: int = 25) -> list[str]:
    """IANA zones for autocomplete: by name or city ("Berlin", "new york", "europe/par"), best first."""
    query = " ".join(text.strip().lower().replace("_", " ").split())[:100]
    zones = _zones()
    if not query:
        return [z for name, z in zones if name == z.lower().replace("_", " ")][:limit]
    found: dict[str, None] = {}
    for name, zone in zones:
        if name == query:
            found[zone] = None
    for name, zone in zones:
        if name.startswith(query):
            found[zone] = None
    for name, zone in zones:
        if query in name:
            found[zone] = None
    return list(found)[:limit]


def resolve_timezone(text: str) -> ZoneInfo:
    """The zone ``text`` names (IANA name or city). Raises InvalidInput with close matches as suggestions."""
    candidate = text.strip()
    try:
        if "/" in candidate or candidate.upper() == "UTC":
            return ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    matches = search_timezones(candidate, limit=2)
    exact = [z for z in matches if z.rsplit("/", 1)[-1].replace("_", " ").lower() == candidate.lower()]
    if exact or len(matches) == 1:
        return ZoneInfo((exact or matches)[0])
    names = [name for name, _ in _zones()]
    close = difflib.get_close_matches(candidate.lower().replace("_", " "), names, n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(z for name, z in _zones() if name in close))[:3]
    raise InvalidInput(
        "checkin.error.timezone", text=candidate[:60], suggestions=suggestions or ["Europe/London"]
    )


# --- schedules -----------------------------------------------------------------------------------------------------

EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
WEEKENDS = frozenset({5, 6})
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(text: str) -> frozenset[int]:
    """ "every day", "weekdays", "weekends", or days such as "mon wed fri" (0 = Monday)."""
    cleaned = text.strip().lower()
    if cleaned in ("", "every day", "everyday", "daily", "all"):
        return EVERY_DAY
    if cleaned in ("weekdays", "weekday"):
        return WEEKDAYS
    if cleaned in ("weekends", "weekend"):
        return WEEKENDS
    days: set[int] = set()
    for part in re.split(r"[\s,;/]+", cleaned):
        if not part:
            continue
        key = part[:3]
        if key not in DAY_NAMES:
            raise InvalidInput("checkin.error.days", text=text[:60])
        days.add(DAY_NAMES.index(key))
    if not days:
        raise InvalidInput("checkin.error.days", text=text[:60])
    return frozenset(days)


def days_mask(days: Iterable[int]) -> int:
    """Days as a bit mask (bit 0 = Monday), for storage."""
    return sum(1 << d for d in set(days))


def mask_days(mask: int) -> frozenset[int]:
    """The days in a bit mask."""
    return frozenset(d for d in range(7) if mask & (1 << d))


def local_occurrence(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``: a time skipped by a spring-forward change moves later by the gap
    (02:30 becomes 03:30); a time that happens twice uses its first occurrence."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    round_trip = first.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:  # doesn't exist: the clock jumped over it
        before = first.utcoffset() or timedelta(0)
        after = naive.replace(tzinfo=zone, fold=1).utcoffset() or timedelta(0)
        gap = before - after if before > after else after - before
        return (naive + gap).replace(tzinfo=zone)
    return first


def next_due(after: datetime, at: time, zone: ZoneInfo, days: frozenset[int]) -> datetime:
    """The first time strictly after ``after`` (aware) that is ``at`` local time on one of ``days``, in UTC."""
    if not days:
        raise ValueError("a schedule needs at least one day")
    local = after.astimezone(zone)
    for offset in range(0, 8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        when = local_occurrence(day, at, zone)
        if when > after:
            return when.astimezone(ZoneInfo("UTC"))
    raise AssertionError("unreachable: a week always has a matching day")


# --- reflections and summaries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One check-in as the rules need it."""

    at: datetime
    mood: int
    tags: tuple[str, ...] = ()


def reflection(entries: Sequence[Entry], now: datetime) -> tuple[str, dict[str, object]]:
    """A gentle one-line reflection key and parameters: this week compared with the week before, never shaming."""
    this_week = [e.mood for e in entries if now - timedelta(days=7) < e.at <= now]
    last_week = [e.mood for e in entries if now - timedelta(days=14) < e.at <= now - timedelta(days=7)]
    if len(this_week) < 2 or not last_week:
        return "checkin.reflection.first", {}
    delta = statistics.mean(this_week) - statistics.mean(last_week)
    params: dict[str, object] = {"average": round(statistics.mean(this_week), 1)}
    if delta >= 0.5:
        return "checkin.reflection.up", params
    if delta <= -0.5:
        return "checkin.reflection.down", params
    return "checkin.reflection.steady", params


def needs_follow_up(recent: Sequence[int]) -> bool:
    """A very low check-in, or three low ones in a row (newest last), offers help privately."""
    if not recent:
        return False
    if recent[-1] <= Mood.AWFUL:
        return True
    return len(recent) >= LOW_STREAK and all(m <= LOW for m in recent[-LOW_STREAK:])


@dataclass(frozen=True)
class Summary:
    """A member's history over a period: one value per day (None for a gap), with a 7-day average."""

    days: tuple[date, ...]
    daily: tuple[float | None, ...]
    rolling: tuple[float | None, ...]
    average: float | None
    trend: float | None  # mood points per week, from a least-squares line
    top_tags: tuple[tuple[str, int], ...]
    count: int


def summarise(entries: Sequence[Entry], zone: ZoneInfo, end: date, days: int) -> Summary:
    """Daily mood (missed days are gaps, not zeros), a 7-day rolling average, the trend and the most frequent tags."""
    start = end - timedelta(days=days - 1)
    by_day: dict[date, list[int]] = {}
    tags: dict[str, int] = {}
    count = 0
    for entry in entries:
        day = entry.at.astimezone(zone).date()
        if start <= day <= end:
            by_day.setdefault(day, []).append(entry.mood)
            count += 1
            for tag in entry.tags:
                tags[tag] = tags.get(tag, 0) + 1
    span = tuple(start + timedelta(days=i) for i in range(days))
    daily = tuple((statistics.mean(by_day[d]) if d in by_day else None) for d in span)
    rolling: list[float | None] = []
    for i in range(days):
        window = [v for v in daily[max(0, i - 6) : i + 1] if v is not None]
        rolling.append(statistics.mean(window) if window else None)
    points = [(i, v) for i, v in enumerate(daily) if v is not None]
    average = statistics.mean(v for _, v in points) if points else None
    trend = None
    if len(points) >= 3:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        var = sum((x - mx) ** 2 for x in xs)
        trend = (sum((x - mx) * (y - my) for x, y in points) / var) * 7 if var else 0.0
    top = tuple(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    return Summary(span, daily, tuple(rolling), average, trend, top, count)
