"""Check-in use cases: recording moods, schedules, and the prompts the scheduler sends.

One service in parts: ``scheduling`` (prompts the delivery engine sends, server settings), then ``CheckinService`` here
(recording, schedules, history); limits, answers and errors are in ``model``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.checkins import (
    ANSWERABLE,
    NOTE_MAX,
    TAGS,
    Entry,
    Mood,
    PromptState,
    ScheduleStatus,
    Summary,
    days_mask,
    mask_days,
    needs_follow_up,
    next_due,
    parse_days,
    parse_time,
    pause_resumes_at,
    reflection,
    resolve_timezone,
    summarise,
)
from bot.errors import InvalidInput
from bot.services.checkins.model import (
    GRACE,
    KEEP_PROMPTS,
    REMIND_AFTER,
    REMIND_WITHIN,
    SNOOZE,
    SUMMARY_THREAD_FROM,
    WEEKLY_MIN_MEMBERS,
    AlreadyShared,
    CheckinGone,
    CheckinsDisabled,
    NeedTime,
    NoSchedule,
    Recorded,
    ScheduleView,
    ServerSettings,
    ShareGone,
    SharingOff,
    Snooze,
    WeeklyMood,
)
from bot.services.checkins.scheduling import Scheduling
from bot.storage.checkins import CheckinRow, PromptRow, ScheduleRow


class CheckinService(Scheduling):
    """Records check-ins and keeps schedules; the delivery engine sends the prompts ``claim_due`` makes."""

    # Here, not in ``Scheduling``: its name, ``CheckinService.claim_due``, is the upkeep's name on health pages.
    async def claim_due(self, limit: int = 500) -> list[PromptRow]:
        """Advance every due schedule; make a prompt (and its delivery item) for those due within the grace window.

        Overdue prompts older than the grace window (after downtime) are skipped, so a restart never sends a burst of
        stale prompts. The delivery engine sends each prompt made here (``prompt_to_send``), retrying with its one
        backoff policy; a prompt is made in the same transaction that advances the schedule, so it is made once.
        Returns the prompts made.
        """
        now = self._clock()
        for row in await self._repo.paused_to_resume(now, limit):
            await self._repo.set_state(
                row.id,
                status=ScheduleStatus.ACTIVE,
                next_due_at=self._next(row, now),
                paused_until=None,
                now=now,
            )
        if self._purged_at is None or now - self._purged_at >= timedelta(hours=1):
            await self._repo.purge_prompts(now - KEEP_PROMPTS)
            self._purged_at = now
        made: list[PromptRow] = []
        enabled: dict[int, bool] = {}
        for row in await self._repo.due(now, limit):
            assert row.next_due_at is not None
            if row.guild_id not in enabled:
                enabled[row.guild_id] = (await self.server_settings(row.guild_id)).enabled
            # Too late (after downtime), or check-ins are off in that server: move on without a prompt.
            send = now - row.next_due_at <= GRACE and enabled[row.guild_id]
            prompt_id = await self._repo.claim(row, self._next(row, now), now, send=send)
            if prompt_id is not None:
                prompt = await self._repo.prompt(prompt_id)
                if prompt is not None:
                    made.append(prompt)
        return made

    # --- recording

    async def record(
        self,
        guild_id: int,
        user_id: int,
        mood: int,
        *,
        prompt_id: int | None = None,
        request_id: int | None = None,
    ) -> Recorded | None:
        """Save a mood (1-5). Returns None if that prompt, or that ``/checkin now`` (``request_id``), was already
        answered: one check-in each, however often the buttons are pressed."""
        value = Mood(mood)
        now = self._clock()
        checkin_id = await self._repo.add(
            guild_id, user_id, int(value), now, prompt_id=prompt_id, request_id=request_id
        )
        if checkin_id is None:
            return None
        if prompt_id is not None:
            await self._repo.mark_prompt(prompt_id, PromptState.ANSWERED, from_states=ANSWERABLE)
        history = await self._repo.history(guild_id, user_id, now - timedelta(days=14))
        key, params = reflection([Entry(c.created_at, c.mood) for c in history], now)
        recent = [c.mood for c in history][-3:]
        return Recorded(checkin_id, key, params, needs_follow_up(recent))

    async def add_note(self, checkin_id: int, user_id: int, note: str) -> bool:
        """Attach a note (up to 1,000 characters) to the member's own check-in; an empty note clears it.

        Returns:
            Whether a note is kept (False when it was cleared).
        """
        if len(note) > NOTE_MAX:
            raise InvalidInput("checkin.error.note", max=NOTE_MAX)
        text = note.strip() or None
        if not await self._repo.set_note(checkin_id, user_id, text) and not await self._repo.exists(
            checkin_id
        ):
            raise CheckinGone()  # deleted; someone else's check-in is left alone without a word
        return text is not None

    async def still_there(self, checkin_id: int, user_id: int) -> None:
        """Raise CheckinGone if the member's check-in was deleted (before asking them to write a note for it)."""
        if not await self._repo.exists(checkin_id):
            raise CheckinGone()

    async def add_tags(self, checkin_id: int, user_id: int, tags: list[str]) -> None:
        """Attach tags from the fixed list to the member's own check-in (none clears them)."""
        chosen = tuple(t for t in tags if t in TAGS)
        if not await self._repo.set_tags(checkin_id, user_id, chosen) and not await self._repo.exists(
            checkin_id
        ):
            raise CheckinGone()

    async def share(self, checkin_id: int, guild_id: int, user_id: int) -> int:
        """Mark the member's own check-in as shared, once; the caller then posts it. Returns its mood.

        Raises:
            SharingOff: the server turned check-ins off.
            ShareGone: the check-in was deleted.
            AlreadyShared: it was shared before.
        """
        if not (await self.server_settings(guild_id)).enabled:
            raise SharingOff()
        mood = await self._repo.claim_share(checkin_id, guild_id, user_id, self._clock())
        if mood is None:
            raise AlreadyShared() if await self._repo.exists(checkin_id, user_id) else ShareGone()
        return mood

    async def share_failed(self, checkin_id: int) -> None:
        """The post didn't go out: the check-in may be shared again."""
        await self._repo.unshare(checkin_id)

    # --- schedules

    async def set_schedule(
        self,
        guild_id: int,
        user_id: int,
        time_text: str | None,
        zone_text: str,
        days_text: str,
        *,
        reminder: bool = False,
    ) -> ScheduleView:
        """Create or replace the member's schedule in this server (the server's default time if none is given)."""
        server = await self.require_enabled(guild_id)
        if not time_text:
            if server.default_time is None:
                raise NeedTime()
            time_text = server.default_time
        at = parse_time(time_text)
        now = self._clock()
        zone = resolve_timezone(zone_text, now)
        days = parse_days(days_text)
        due = next_due(now, at, zone, days)
        await self._repo.save_schedule(
            guild_id,
            user_id,
            local_time=at.strftime("%H:%M"),
            timezone=zone.key,
            days_mask=days_mask(days),
            next_due_at=due,
            now=now,
            reminder=reminder,
        )
        return ScheduleView(at.strftime("%H:%M"), zone.key, days, ScheduleStatus.ACTIVE, due.astimezone(zone))

    async def schedule_of(self, guild_id: int, user_id: int) -> ScheduleView | None:
        """The member's schedule, if any."""
        row = await self._repo.schedule(guild_id, user_id)
        if row is None:
            return None
        zone = ZoneInfo(row.timezone)
        nxt = (
            row.next_due_at.astimezone(zone)
            if row.next_due_at and row.status == ScheduleStatus.ACTIVE
            else None
        )
        return ScheduleView(row.local_time, row.timezone, mask_days(row.days_mask), row.status, nxt)

    async def _require(self, guild_id: int, user_id: int) -> ScheduleRow:
        row = await self._repo.schedule(guild_id, user_id)
        if row is None or row.status == ScheduleStatus.STOPPED:
            raise NoSchedule()
        return row

    async def pause(self, guild_id: int, user_id: int, until: date) -> None:
        """No prompts until the end of ``until`` (the member's local date)."""
        row = await self._require(guild_id, user_id)
        resume_at = pause_resumes_at(until, ZoneInfo(row.timezone), self._clock())
        await self._repo.set_state(
            row.id, status=ScheduleStatus.PAUSED, next_due_at=None, paused_until=resume_at, now=self._clock()
        )

    async def resume(self, guild_id: int, user_id: int) -> ScheduleView:
        """Start prompts again (also after DMs were closed)."""
        row = await self._require(guild_id, user_id)
        now = self._clock()
        await self._repo.set_state(
            row.id, status=ScheduleStatus.ACTIVE, next_due_at=self._next(row, now), paused_until=None, now=now
        )
        view = await self.schedule_of(guild_id, user_id)
        assert view is not None
        return view

    async def stop(self, guild_id: int, user_id: int) -> None:
        """Stop the member's schedule (their past check-ins stay theirs)."""
        row = await self._require(guild_id, user_id)
        await self._repo.set_state(
            row.id, status=ScheduleStatus.STOPPED, next_due_at=None, paused_until=None, now=self._clock()
        )

    async def follow_up(self, guild_id: int, user_id: int) -> bool:
        """Whether the member opted in to follow-up buttons (tell my buddy, ask a moderator) after low check-ins."""
        return await self._repo.follow_up(guild_id, user_id)

    async def set_follow_up(self, guild_id: int, user_id: int, enabled: bool) -> None:
        """The member's own choice; off until they turn it on."""
        await self._repo.set_follow_up(guild_id, user_id, enabled, self._clock())

    async def delete_everything(self, guild_id: int, user_id: int) -> int:
        """Delete the member's check-ins, notes, tags and schedule in this server, for good."""
        return await self._repo.forget_member(guild_id, user_id)

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """A member left the server: no more prompts for it."""
        row = await self._repo.schedule(guild_id, user_id)
        if row is not None and row.status != ScheduleStatus.STOPPED:
            await self._repo.set_state(
                row.id, status=ScheduleStatus.STOPPED, next_due_at=None, paused_until=None, now=self._clock()
            )

    # --- history

    async def summary(self, guild_id: int, user_id: int, days: int) -> tuple[Summary, ZoneInfo]:
        """The member's history for the last ``days`` days, in their timezone (UTC if they have no schedule)."""
        row = await self._repo.schedule(guild_id, user_id)
        zone = ZoneInfo(row.timezone) if row else ZoneInfo("UTC")
        now = self._clock()
        rows = await self._repo.history(guild_id, user_id, now - timedelta(days=days + 1))
        # A year of check-ins takes milliseconds to summarise: in a thread, so the event loop isn't held meanwhile
        # (a few weeks' worth takes well under one, on the loop).
        today = now.astimezone(zone).date()
        if len(rows) < SUMMARY_THREAD_FROM:
            return _summarise_rows(rows, zone, today, days), zone
        return await asyncio.to_thread(_summarise_rows, rows, zone, today, days), zone

    async def export_rows(self, guild_id: int, user_id: int) -> list[tuple[str, int, str, str]]:
        """Every check-in of the member in this server: (UTC time, mood, tags, note)."""
        rows = await self._repo.history(guild_id, user_id)
        return [(r.created_at.isoformat(), r.mood, " ".join(r.tags), r.note or "") for r in rows]


def _summarise_rows(rows: Sequence[CheckinRow], zone: ZoneInfo, today: date, days: int) -> Summary:
    """``summarise`` over rows read from storage (run in a worker thread)."""
    return summarise([Entry(r.created_at, r.mood, r.tags) for r in rows], zone, today, days)


__all__ = [
    "GRACE",
    "KEEP_PROMPTS",
    "REMIND_AFTER",
    "REMIND_WITHIN",
    "SNOOZE",
    "SUMMARY_THREAD_FROM",
    "WEEKLY_MIN_MEMBERS",
    "AlreadyShared",
    "CheckinGone",
    "CheckinService",
    "CheckinsDisabled",
    "NeedTime",
    "NoSchedule",
    "Recorded",
    "ScheduleView",
    "ServerSettings",
    "ShareGone",
    "SharingOff",
    "Snooze",
    "WeeklyMood",
]
