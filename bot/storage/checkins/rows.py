"""The rows the check-in repository returns, and the table columns its queries use."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from bot.storage.schema import checkin_prompts, checkin_schedules, checkins

SCHEDULE = checkin_schedules.c  # the schedule table's columns
PROMPT_COL = checkin_prompts.c  # the prompt table's columns
CHECKIN = checkins.c  # the check-in table's columns


@dataclass(frozen=True)
class ScheduleRow:
    """A stored schedule."""

    id: int
    guild_id: int
    user_id: int
    local_time: str
    timezone: str
    days_mask: int
    status: str
    paused_until: datetime | None
    next_due_at: datetime | None
    reminder: bool = False


@dataclass(frozen=True)
class PromptRow:
    """A stored prompt with its schedule's owner."""

    id: int
    schedule_id: int
    guild_id: int
    user_id: int
    due_at: datetime
    state: str
    message_id: int | None
    timezone: str = "UTC"  # the schedule's zone


class CheckinRow(NamedTuple):
    """A stored check-in (a named tuple: a member's years of history are built quickly)."""

    id: int
    guild_id: int
    user_id: int
    mood: int
    note: str | None
    tags: tuple[str, ...]
    created_at: datetime


def prompt_row(row: Any) -> PromptRow:
    return PromptRow(
        row["id"],
        row["schedule_id"],
        row["guild_id"],
        row["user_id"],
        row["due_at"],
        row["state"],
        row["message_id"],
        row["timezone"],
    )


@functools.lru_cache(maxsize=1024)
def split_tags(tags: str | None) -> tuple[str, ...]:
    """Tags as stored ("sleep,stress") as a tuple; the same few strings come back thousands of times in a history."""
    return tuple(filter(None, tags.split(","))) if tags else ()


def schedule_row(row: Any) -> ScheduleRow:
    return ScheduleRow(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        local_time=row["local_time"],
        timezone=row["timezone"],
        days_mask=row["days_mask"],
        status=row["status"],
        paused_until=row["paused_until"],
        next_due_at=row["next_due_at"],
        reminder=row["reminder"],
    )
