"""Check-in limits, answers and errors (shared by the service's parts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from bot.errors import DomainError

GRACE = timedelta(hours=2)  # overdue prompts older than this are skipped, never sent in a burst
SNOOZE = timedelta(hours=1)
REMIND_AFTER = timedelta(hours=3)
REMIND_WITHIN = timedelta(
    hours=1
)  # a reminder more than this late (after downtime) is dropped, never sent hours late
SUMMARY_THREAD_FROM = 60  # check-ins; fewer are summarised on the loop (well under a millisecond)
KEEP_PROMPTS = timedelta(days=14)  # prompts (not check-ins) older than this are forgotten
WEEKLY_MIN_MEMBERS = 5  # the server's weekly mood is shown only when this many members contributed


class CheckinsDisabled(DomainError):
    """Moderators turned check-ins off in this server."""

    key = "checkin.disabled"


class NeedTime(DomainError):
    """No time given and the server has no default time."""

    key = "checkin.error.need_time"


@dataclass(frozen=True)
class ServerSettings:
    """A server's check-in settings."""

    enabled: bool = True
    default_time: str | None = None
    share_channel_id: int | None = None
    moderator_followup: bool = True


class NoSchedule(DomainError):
    """The member has no check-in schedule in this server."""

    key = "checkin.error.no_schedule"


class SharingOff(DomainError):
    """The server turned check-ins off, so nothing is shared."""

    key = "checkin.share.off"


class ShareGone(DomainError):
    """The check-in to share was deleted."""

    key = "checkin.share.gone"


class CheckinGone(DomainError):
    """The check-in a note or tags were for was deleted (an old message's buttons)."""

    key = "checkin.record_gone"


class AlreadyShared(DomainError):
    """The check-in was shared already (one post per check-in)."""

    key = "checkin.share.already"


class Snooze(Enum):
    """What pressing Snooze did."""

    SNOOZED = "snoozed"
    ALREADY = "already"  # answered or skipped already
    NOT_RUNNING = "not_running"  # stopped, paused or turned off: nothing would come in an hour


@dataclass(frozen=True)
class WeeklyMood:
    """The server's mood over the last full week (Monday to Sunday, UTC); no average below 5 members."""

    average: float | None
    members: int
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Recorded:
    """A saved check-in and what to say back."""

    checkin_id: int
    reflection_key: str
    reflection_params: dict[str, object]
    follow_up: bool


@dataclass(frozen=True)
class ScheduleView:
    """A schedule as members see it."""

    local_time: str
    timezone: str
    days: frozenset[int]
    status: str
    next_local: datetime | None
