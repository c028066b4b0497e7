"""Repository for check-ins: schedules, prompts and the check-ins themselves.

``schedules`` holds the schedules and the prompts made from them, ``entries`` the server settings and the check-ins,
``rows`` the rows both return.
"""

from __future__ import annotations

from bot.storage.checkins.entries import EntryQueries
from bot.storage.checkins.rows import CheckinRow, PromptRow, ScheduleRow
from bot.storage.checkins.schedules import ScheduleQueries
from bot.storage.engine import Database

__all__ = ["CheckinRepository", "CheckinRow", "PromptRow", "ScheduleRow"]


class CheckinRepository(ScheduleQueries, EntryQueries):
    """Reads and writes the check-in tables."""

    def __init__(self, db: Database) -> None:
        self._db = db
