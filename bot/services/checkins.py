"""Check-in use cases: recording moods, schedules, and the prompts the scheduler sends."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from bot.clock import Clock
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
    last_full_week,
    mask_days,
    needs_follow_up,
    next_due,
    parse_days,
    parse_time,
    pause_resumes_at,
    reflection,
    reminder_fits,
    resolve_timezone,
    server_average,
    summarise,
)
from bot.errors import DomainError, InvalidInput
from bot.storage.checkins import CheckinRepository, CheckinRow, PromptRow, ScheduleRow

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


class CheckinService:
    """Records check-ins and keeps schedules; the delivery engine sends the prompts ``claim_due`` makes."""

    def __init__(self, repo: CheckinRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock
        self._purged_at: datetime | None = None

    def now(self) -> datetime:
        """The service's current time (the real clock, or the tests' fake one)."""
        return self._clock()

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

    def _next(self, row: ScheduleRow, after: datetime) -> datetime:
        hour, minute = (int(x) for x in row.local_time.split(":"))
        return next_due(after, time(hour, minute), ZoneInfo(row.timezone), mask_days(row.days_mask))

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

    # --- the scheduler's side

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

    async def prompt_to_send(self, prompt_id: int) -> PromptRow | None:
        """The prompt the delivery engine is to send now, or None when it is no longer wanted.

        Not wanted: answered, skipped or already sent; past the grace window (Discord stayed down too long: dropped,
        never sent late); the member stopped or paused, or the server turned check-ins off meanwhile. Those become
        missed.
        """
        prompt = await self._repo.prompt(prompt_id)
        if prompt is None or prompt.state != PromptState.CLAIMED:
            return None
        row = await self._repo.schedule(prompt.guild_id, prompt.user_id)
        wanted = (
            row is not None
            and row.status == ScheduleStatus.ACTIVE
            and self._clock() - prompt.due_at <= GRACE
            and (await self.server_settings(prompt.guild_id)).enabled
        )
        if not wanted:
            await self._repo.mark_prompt(prompt_id, PromptState.MISSED, from_states=(PromptState.CLAIMED,))
            return None
        return prompt

    async def prompt_sent(self, prompt: PromptRow, message_id: int) -> None:
        """Mark a prompt sent; if the member asked for a reminder, its one reminder is queued with it."""
        row = await self._repo.schedule(prompt.guild_id, prompt.user_id)
        now = self._clock()
        remind_at = now + REMIND_AFTER if row is not None and row.reminder else None
        await self._repo.prompt_sent(prompt.id, message_id, remind_at, now)

    async def dms_closed(self, prompt: PromptRow) -> None:
        """The member's DMs are closed: pause that schedule and remember to tell them (once, next time)."""
        await self._repo.mark_prompt(prompt.id, PromptState.MISSED, from_states=(PromptState.CLAIMED,))
        row = await self._repo.schedule(prompt.guild_id, prompt.user_id)
        if row is not None:
            await self._repo.set_state(
                row.id,
                status=ScheduleStatus.DM_CLOSED,
                next_due_at=None,
                paused_until=None,
                now=self._clock(),
                dm_notice=True,
            )

    async def prompt(self, prompt_id: int) -> PromptRow | None:
        """One prompt."""
        return await self._repo.prompt(prompt_id)

    async def snooze(self, prompt: PromptRow) -> Snooze:
        """Ask again in an hour, if anything would come then: not after the member stopped or paused their
        check-ins, or the server turned them off (the prompt stays answerable)."""
        row = await self._repo.schedule(prompt.guild_id, prompt.user_id)
        running = (
            row is not None
            and row.status == ScheduleStatus.ACTIVE
            and (await self.server_settings(prompt.guild_id)).enabled
        )
        if not running:
            current = await self._repo.prompt(prompt.id)
            answerable = current is not None and current.state in (
                PromptState.SENT,
                PromptState.CLAIMED,
                PromptState.REMINDED,
            )
            return Snooze.NOT_RUNNING if answerable else Snooze.ALREADY
        assert row is not None
        if not await self._repo.mark_prompt(
            prompt.id,
            PromptState.SNOOZED,
            from_states=(PromptState.SENT, PromptState.CLAIMED, PromptState.REMINDED),
        ):
            return Snooze.ALREADY
        when = self._clock() + SNOOZE
        nxt = min(when, row.next_due_at) if row.next_due_at else when
        await self._repo.set_state(
            row.id, status=ScheduleStatus.ACTIVE, next_due_at=nxt, paused_until=None, now=self._clock()
        )
        return Snooze.SNOOZED

    async def skip(self, prompt: PromptRow) -> bool:
        """Skip today's check-in (no record, no judgement). Returns False if it was already answered or skipped."""
        return await self._repo.mark_prompt(prompt.id, PromptState.SKIPPED, from_states=ANSWERABLE)

    async def dm_closed_notice(self, guild_id: int, user_id: int) -> bool:
        """Whether to tell the member their schedule was paused because their DMs are closed. True once after
        each failure: asking clears it."""
        return await self._repo.take_dm_notice(guild_id, user_id)

    async def reminder_to_send(self, prompt_id: int, due_at: datetime) -> PromptRow | None:
        """The prompt to remind the member of now (its reminder was due at ``due_at``), or None.

        Only for a prompt still unanswered, while the schedule is active with reminders on and the server has
        check-ins on; at most an hour late (never hours later after downtime), and never past the member's local
        midnight (it would land on the next day).
        """
        prompt = await self._repo.prompt(prompt_id)
        if prompt is None or prompt.state != PromptState.SENT:
            return None
        row = await self._repo.schedule(prompt.guild_id, prompt.user_id)
        now = self._clock()
        return (
            prompt
            if row is not None
            and row.status == ScheduleStatus.ACTIVE
            and row.reminder
            and now - due_at <= REMIND_WITHIN
            and reminder_fits(prompt.due_at, now, ZoneInfo(prompt.timezone))
            and (await self.server_settings(prompt.guild_id)).enabled
            else None
        )

    async def reminded(self, prompt_id: int) -> bool:
        """Mark a reminder sent (once)."""
        return await self._repo.mark_prompt(prompt_id, PromptState.REMINDED, from_states=(PromptState.SENT,))

    # --- server settings

    async def require_enabled(self, guild_id: int) -> ServerSettings:
        """The server's check-in settings, if check-ins are on there.

        Raises:
            CheckinsDisabled: moderators turned check-ins off in this server.
        """
        server = await self.server_settings(guild_id)
        if not server.enabled:
            raise CheckinsDisabled()
        return server

    async def server_settings(self, guild_id: int) -> ServerSettings:
        """A server's check-in settings."""
        return ServerSettings(**await self._repo.settings(guild_id))

    async def update_server_settings(
        self,
        guild_id: int,
        *,
        enabled: bool | None = None,
        default_time: str | None = None,
        share_channel_id: int | None = None,
        clear_share_channel: bool = False,
        moderator_followup: bool | None = None,
    ) -> ServerSettings:
        """Change a server's check-in settings."""
        current = await self._repo.settings(guild_id)
        if enabled is not None:
            current["enabled"] = enabled
        if default_time is not None:
            current["default_time"] = parse_time(default_time).strftime("%H:%M")
        if share_channel_id is not None:
            current["share_channel_id"] = share_channel_id
        if clear_share_channel:
            current["share_channel_id"] = None
        if moderator_followup is not None:
            current["moderator_followup"] = moderator_followup
        await self._repo.save_settings(guild_id, current, self._clock())
        return ServerSettings(**current)

    async def weekly_mood(self, guild_id: int) -> WeeklyMood:
        """The server's mood over the last full week (Monday to Sunday, UTC): each member's average, averaged, so
        every member counts once. No average below 5 members."""
        start, end = last_full_week(self._clock())
        pairs = await self._repo.weekly_moods(guild_id, start, end)
        average, members = server_average(pairs, WEEKLY_MIN_MEMBERS)
        return WeeklyMood(average, members, start.date(), (end - timedelta(days=1)).date())

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
