"""The scheduler's side of check-ins (prompts claimed, sent, snoozed, skipped, reminded) and server settings."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.checkins import (
    ANSWERABLE,
    PromptState,
    ScheduleStatus,
    last_full_week,
    mask_days,
    next_due,
    parse_time,
    reminder_fits,
    server_average,
)
from bot.services.checkins.model import (
    GRACE,
    REMIND_AFTER,
    REMIND_WITHIN,
    SNOOZE,
    WEEKLY_MIN_MEMBERS,
    CheckinsDisabled,
    ServerSettings,
    Snooze,
    WeeklyMood,
)
from bot.storage.checkins import CheckinRepository, PromptRow, ScheduleRow


class Scheduling:
    """Prompts the delivery engine sends, and each server's check-in settings; ``CheckinService`` builds on it."""

    def __init__(self, repo: CheckinRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock
        self._purged_at: datetime | None = None

    def now(self) -> datetime:
        """The service's current time (the real clock, or the tests' fake one)."""
        return self._clock()

    def _next(self, row: ScheduleRow, after: datetime) -> datetime:
        hour, minute = (int(x) for x in row.local_time.split(":"))
        return next_due(after, time(hour, minute), ZoneInfo(row.timezone), mask_days(row.days_mask))

    # --- the scheduler's side

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
