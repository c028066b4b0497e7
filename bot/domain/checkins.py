"""Check-ins: moods, times and timezones, schedules that keep local time across daylight saving, and reflections.

Pure: no discord, no I/O. Time comes in as a parameter.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo

from bot.domain.pauses import MAX_PAUSE as MAX_PAUSE  # one limit for check-ins and buddy pairing
from bot.domain.pauses import latest_pause_day
from bot.domain.timezones import resolve_timezone as resolve_timezone  # timezones have their own module now
from bot.domain.timezones import search_timezones as search_timezones
from bot.domain.timezones import timezone_choices as timezone_choices
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


# --- schedules -----------------------------------------------------------------------------------------------------

EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
WEEKENDS = frozenset({5, 6})
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_EXTRA = {"weds": 2, "thur": 3, "thurs": 3, "tues": 1}
_DAY_SETS = (
    ("every day", EVERY_DAY, ("every day", "everyday", "daily", "all", "every")),
    ("weekdays", WEEKDAYS, ("weekdays", "weekday")),
    ("weekends", WEEKENDS, ("weekends", "weekend")),
)


class ScheduleStatus(StrEnum):
    """Where a member's check-in schedule is."""

    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    DM_CLOSED = "dm_closed"  # Discord refused the DM: paused until the member resumes


SCHEDULE_STATUSES = tuple(status.value for status in ScheduleStatus)


class PromptState(StrEnum):
    """Where one scheduled prompt is."""

    CLAIMED = "claimed"  # made when its schedule came due; the delivery engine sends it
    SENT = "sent"
    SNOOZED = "snoozed"
    REMINDED = "reminded"
    ANSWERED = "answered"
    SKIPPED = "skipped"
    MISSED = "missed"  # not sent: too late (past the grace window), or no longer wanted


ANSWERABLE = (PromptState.CLAIMED, PromptState.SENT, PromptState.SNOOZED, PromptState.REMINDED)
PROMPT = "checkin.prompt"  # delivery engine kinds (ref: the prompt's id)
REMINDER = "checkin.reminder"


def _day(word: str) -> int | None:
    """0-6 for "mon", "Monday", "tues", "thurs"...; None for anything else ("mongoose", "mo")."""
    if word in _DAY_EXTRA:
        return _DAY_EXTRA[word]
    if len(word) < 3:
        return None
    return next((i for i, name in enumerate(_FULL_DAY_NAMES) if name.startswith(word)), None)


def parse_days(text: str) -> frozenset[int]:
    """ "every day", "weekdays", "weekends", or days such as "mon wed fri", "Monday, Thursday" or "mon-fri"
    (0 = Monday).

    Raises:
        InvalidInput: with examples, for anything else ("someday").
    """
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        return EVERY_DAY
    for _, days, words in _DAY_SETS:
        if cleaned in words:
            return days
    found: set[int] = set()
    for part in re.split(r"[\s,;/&+]+|\band\b", cleaned):
        if not part:
            continue
        ends = [_day(p) for p in part.split("-")]
        if not 1 <= len(ends) <= 2 or None in ends:
            raise InvalidInput("checkin.error.days", text=text[:60])
        first, last = ends[0], ends[-1]
        assert first is not None
        assert last is not None
        found.update((first + i) % 7 for i in range((last - first) % 7 + 1))  # "fri-mon" wraps
    if not found:
        raise InvalidInput("checkin.error.days", text=text[:60])
    return frozenset(found)


def days_text(days: frozenset[int]) -> str:
    """Days as a member could type them back: "every day", "weekdays", "weekends" or "mon wed fri"."""
    for name, known, _ in _DAY_SETS:
        if days == known:
            return name
    return " ".join(DAY_NAMES[d] for d in sorted(days))


def suggest_days(text: str, limit: int = 25) -> list[str]:
    """Autocomplete for days: what was typed, tidied, if it reads as days; the usual sets; and the next day to add
    ("mon w" suggests "mon wed")."""
    cleaned = " ".join(text.strip().lower().split())
    out: dict[str, None] = {}
    try:
        if cleaned:
            out[days_text(parse_days(cleaned))] = None
    except InvalidInput:
        head, _, last = cleaned.rpartition(" ")
        try:
            before = days_text(parse_days(head)) + " " if head else ""
        except InvalidInput:
            before = None
        if before is not None and before.strip() not in ("every day", "weekdays", "weekends"):
            for name in DAY_NAMES:
                if _FULL_DAY_NAMES[DAY_NAMES.index(name)].startswith(last):
                    out[before + name] = None
    for name, _, words in _DAY_SETS:
        if not cleaned or any(w.startswith(cleaned) for w in words):
            out[name] = None
    if not cleaned:
        out["mon wed fri"] = None
    return list(out)[:limit]


def pause_resumes_at(until: date, zone: ZoneInfo, now: datetime) -> datetime:
    """When a pause "until ``until``" (the last local day without check-ins) ends: the next local midnight.

    Raises:
        InvalidInput: for a day that has passed, or more than a year ahead.
    """
    today = now.astimezone(zone).date()
    latest = latest_pause_day(today)
    if until > latest:
        raise InvalidInput("checkin.error.pause_too_far", latest=latest.isoformat())
    resume_at = datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone)
    if resume_at <= now:
        raise InvalidInput("checkin.error.pause_past")
    return resume_at


def reminder_fits(due_at: datetime, send_at: datetime, zone: ZoneInfo) -> bool:
    """Whether a reminder sent at ``send_at`` still lands on the prompt's local day (never after local midnight)."""
    return send_at.astimezone(zone).date() == due_at.astimezone(zone).date()


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


def best_and_hardest(summary: Summary) -> tuple[tuple[date, float], tuple[date, float]] | None:
    """The best and the hardest day of a period (the most recent one on a tie), or None without check-ins."""
    days = [(i, v) for i, v in enumerate(summary.daily) if v is not None]
    if not days:
        return None
    best = max(days, key=lambda d: (d[1], d[0]))
    hardest = min(days, key=lambda d: (d[1], -d[0]))
    return (summary.days[best[0]], best[1]), (summary.days[hardest[0]], hardest[1])


TRENDS = ("up", "down", "flat", "none")


def trend_word(trend: float | None) -> str:
    """One of TRENDS for a trend in mood points per week: a quarter point either way counts as a change."""
    if trend is None:
        return "none"
    return "up" if trend >= 0.25 else "down" if trend <= -0.25 else "flat"


# --- the server's weekly mood ---------------------------------------------------------------------------------------


def last_full_week(now: datetime) -> tuple[datetime, datetime]:
    """The last complete week before ``now``, Monday 00:00 to the next Monday 00:00, in UTC."""
    today = now.astimezone(UTC).date()
    this_monday = datetime.combine(today - timedelta(days=today.weekday()), time(0), tzinfo=UTC)
    return this_monday - timedelta(days=7), this_monday


def server_average(moods: Iterable[tuple[int, int]], min_members: int) -> tuple[float | None, int]:
    """The average of each member's own average mood, from (member, mood) pairs, and how many members that is.

    Every member counts once however often they checked in. None below ``min_members``, so nobody can be singled
    out.
    """
    by_member: dict[int, list[int]] = {}
    for member, mood in moods:
        by_member.setdefault(member, []).append(mood)
    if len(by_member) < min_members:
        return None, len(by_member)
    return round(statistics.mean(statistics.mean(m) for m in by_member.values()), 1), len(by_member)


# --- export -----------------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet won't run as a formula: a leading =, +, -, @, tab or CR gets an apostrophe first."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


@dataclass(frozen=True)
class FollowUpOffer:
    """Which follow-up buttons a low check-in offers: nothing reaches anyone unless the member presses one."""

    ask_moderator: bool = False
    hint: bool = False  # the server offers "ask a moderator", but the member hasn't turned follow-ups on
    tell_buddy: bool = False


def follow_up_offer(
    *, opted_in: bool, moderator_followup: bool, alerts_configured: bool, has_buddy: bool
) -> FollowUpOffer:
    """The follow-up buttons for a low check-in: asking a moderator only where the server offers it and alerts
    reach someone; telling a buddy only to a member with one; both only for members who opted in."""
    offered = moderator_followup and alerts_configured
    return FollowUpOffer(
        ask_moderator=offered and opted_in, hint=offered and not opted_in, tell_buddy=opted_in and has_buddy
    )
