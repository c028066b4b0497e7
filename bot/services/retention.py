"""Retention: how long each kind of member text is kept per server, the daily purge, and members who left."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.retention import BOUNDS, Kind, Retention, check_days
from bot.services.crisis import CrisisService
from bot.storage.retention import RetentionRepository

log = logging.getLogger(__name__)
PURGE_EVERY = timedelta(days=1)  # the retention purge runs daily (the loop that calls it runs hourly)
DEPARTURE_GRACE = timedelta(
    days=7
)  # a member's check-ins stay this long after they leave, in case they're back


class RetentionService:
    """Reads and changes retention periods, applies them, and deletes check-ins of members who left."""

    def __init__(self, repo: RetentionRepository, crisis: CrisisService, clock: Clock) -> None:
        self._repo = repo
        self._crisis = crisis
        self._clock = clock
        self._purged_at: datetime | None = None

    async def periods(self, guild_id: int) -> Retention:
        """The server's retention periods (defaults where none were chosen)."""
        excerpts = (await self._crisis.settings(guild_id)).retention_days
        saved = await self._repo.periods(guild_id)
        if saved is None:
            return Retention(excerpts=excerpts)
        return Retention(excerpts=excerpts, notes=saved["notes"], reports=saved["reports"])

    async def set_period(self, guild_id: int, kind: Kind, days: int) -> Retention:
        """Change one period (checked against its bounds); the next daily purge follows it.

        Raises:
            RetentionOutOfBounds: nothing is saved.
        """
        check_days(kind, days)
        if kind == "excerpts":
            await self._crisis.update_settings(guild_id, retention_days=days)
        else:
            await self._repo.set_period(guild_id, kind, days, self._clock())
        return await self.periods(guild_id)

    # --- the daily purge

    async def purge_if_due(self) -> dict[str, int] | None:
        """Run the purge if a day has passed since the last one (called hourly). Its counts, or None."""
        now = self._clock()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return None
        counts = await self.purge()
        self._purged_at = now
        return counts

    async def purge(self) -> dict[str, int]:
        """Apply every server's periods: alert excerpts and what matched are removed, check-in notes cleared (the
        mood stays), buddy worries and reports deleted; then the database files are scrubbed."""
        now = self._clock()
        counts = {"excerpts": await self._crisis.purge_old_excerpts(), "notes": 0, "reports": 0}
        for guild_id in await self._repo.servers_with_notes(now - timedelta(days=BOUNDS["notes"].low)):
            days = (await self.periods(guild_id)).notes
            counts["notes"] += await self._repo.clear_notes(guild_id, now - timedelta(days=days))
        for guild_id in await self._repo.servers_with_reports(now - timedelta(days=BOUNDS["reports"].low)):
            days = (await self.periods(guild_id)).reports
            counts["reports"] += await self._repo.delete_reports(guild_id, now - timedelta(days=days))
        await self._repo.scrub()
        if counts["notes"] or counts["reports"]:
            log.info(
                "Retention: cleared %d check-in notes and deleted %d buddy reports past their period",
                counts["notes"],
                counts["reports"],
            )
        return counts

    # --- members who left a server

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """A member left: their check-ins here go after the grace period unless they rejoin."""
        now = self._clock()
        await self._repo.member_left(guild_id, user_id, now, now + DEPARTURE_GRACE)

    async def member_back(self, guild_id: int, user_id: int) -> bool:
        """The member rejoined: nothing is deleted. True if a deletion was waiting."""
        return await self._repo.member_back(guild_id, user_id)

    async def departure(self, guild_id: int, user_id: int) -> datetime | None:
        """When the member's check-ins here will be deleted, if they left."""
        return await self._repo.departure(guild_id, user_id)

    async def purge_departed(self, is_member: Callable[[int, int], bool]) -> int:
        """Delete the check-ins of members whose grace period is over, unless ``is_member(guild, user)`` says
        they are back (a rejoin Haven didn't see). Returns how many members' data went."""
        gone = 0
        for guild_id, user_id in await self._repo.due_departures(self._clock()):
            if is_member(guild_id, user_id):
                await self._repo.member_back(guild_id, user_id)
                continue
            await self._repo.purge_departed(guild_id, user_id)
            gone += 1
        if gone:
            await self._repo.scrub()
            log.info("Deleted the check-ins of %d members who left a server over 7 days ago", gone)
        return gone
