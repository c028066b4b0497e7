"""Check-in schedules and the prompts made from them (each with its delivery work item)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from bot.domain.checkins import PROMPT, REMINDER, PromptState, ScheduleStatus
from bot.storage._upsert import upsert
from bot.storage.checkins.rows import (
    CHECKIN,
    PROMPT_COL,
    SCHEDULE,
    PromptRow,
    ScheduleRow,
    prompt_row,
    schedule_row,
)
from bot.storage.delivery import enqueue
from bot.storage.engine import Database
from bot.storage.schema import (
    checkin_members,
    checkin_prompts,
    checkin_schedules,
    checkins,
)


class ScheduleQueries:
    """Schedules and prompts."""

    _db: Database

    # --- schedules

    async def schedule(self, guild_id: int, user_id: int) -> ScheduleRow | None:
        """A member's schedule in a server."""
        async with self._db.read() as conn:
            row = (
                (
                    await conn.execute(
                        select(checkin_schedules).where(
                            SCHEDULE.guild_id == guild_id, SCHEDULE.user_id == user_id
                        )
                    )
                )
                .mappings()
                .first()
            )
        return schedule_row(row) if row else None

    async def save_schedule(
        self,
        guild_id: int,
        user_id: int,
        *,
        local_time: str,
        timezone: str,
        days_mask: int,
        next_due_at: datetime,
        now: datetime,
        reminder: bool = False,
    ) -> None:
        """Create or replace a member's schedule (one per member per server), active."""
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                checkin_schedules,
                {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "local_time": local_time,
                    "timezone": timezone,
                    "days_mask": days_mask,
                    "reminder": reminder,
                    "status": ScheduleStatus.ACTIVE.value,
                    "paused_until": None,
                    "next_due_at": next_due_at,
                    "created_at": now,
                    "updated_at": now,
                },
                keys=("guild_id", "user_id"),
            )

    async def set_state(
        self,
        schedule_id: int,
        *,
        status: str,
        next_due_at: datetime | None,
        paused_until: datetime | None,
        now: datetime,
        dm_notice: bool = False,
    ) -> None:
        """Change a schedule's status and next due time (``dm_notice``: the member is to be told DMs failed)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(checkin_schedules)
                .where(SCHEDULE.id == schedule_id)
                .values(
                    status=status,
                    next_due_at=next_due_at,
                    paused_until=paused_until,
                    dm_notice=dm_notice,
                    updated_at=now,
                )
            )

    async def take_dm_notice(self, guild_id: int, user_id: int) -> bool:
        """Whether the member is still to be told their DMs failed; clears it, so they're told once."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkin_schedules)
                .where(
                    SCHEDULE.guild_id == guild_id, SCHEDULE.user_id == user_id, SCHEDULE.dm_notice.is_(True)
                )
                .values(dm_notice=False)
            )
            return result.rowcount == 1

    async def due(self, now: datetime, limit: int) -> list[ScheduleRow]:
        """Active schedules whose next prompt is due, oldest first (uses the (status, next_due_at) index)."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(checkin_schedules)
                .where(SCHEDULE.status == ScheduleStatus.ACTIVE.value, SCHEDULE.next_due_at <= now)
                .order_by(SCHEDULE.next_due_at)
                .limit(limit)
            )
            return [schedule_row(r) for r in rows.mappings()]

    async def paused_to_resume(self, now: datetime, limit: int) -> list[ScheduleRow]:
        """Paused schedules whose pause has ended."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(checkin_schedules)
                .where(SCHEDULE.status == ScheduleStatus.PAUSED.value, SCHEDULE.paused_until <= now)
                .limit(limit)
            )
            return [schedule_row(r) for r in rows.mappings()]

    async def claim(
        self, schedule: ScheduleRow, next_due_at: datetime, now: datetime, *, send: bool
    ) -> int | None:
        """Advance a due schedule and (if ``send``) make its prompt and the delivery item that sends it, in one
        transaction (so a prompt is never made without being sent, nor sent without being made).

        Returns the prompt id, or None when another worker advanced the schedule first or nothing is to be sent.
        """
        assert schedule.next_due_at is not None
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                update(checkin_schedules)
                .where(
                    SCHEDULE.id == schedule.id,
                    SCHEDULE.next_due_at == schedule.next_due_at,
                    SCHEDULE.status == ScheduleStatus.ACTIVE.value,
                )
                .values(next_due_at=next_due_at, updated_at=now)
            )
            if moved.rowcount != 1 or not send:
                return None
            result = await conn.execute(
                insert(checkin_prompts)
                .values(
                    schedule_id=schedule.id,
                    due_at=schedule.next_due_at,
                    state=PromptState.CLAIMED.value,
                    claimed_at=now,
                )
                .returning(PROMPT_COL.id)
            )
            prompt_id: int = result.scalar_one()
            await enqueue(conn, PROMPT, prompt_id, now, now)
            return prompt_id

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete the member's check-ins, schedule and prompts in one server. Returns how many check-ins went."""
        async with self._db.transaction() as conn:
            gone = await conn.execute(
                delete(checkins).where(CHECKIN.guild_id == guild_id, CHECKIN.user_id == user_id)
            )
            schedule_ids = (
                select(SCHEDULE.id)
                .where(SCHEDULE.guild_id == guild_id, SCHEDULE.user_id == user_id)
                .scalar_subquery()
            )
            await conn.execute(delete(checkin_prompts).where(PROMPT_COL.schedule_id.in_(schedule_ids)))
            await conn.execute(
                delete(checkin_schedules).where(SCHEDULE.guild_id == guild_id, SCHEDULE.user_id == user_id)
            )
            await conn.execute(
                delete(checkin_members).where(
                    checkin_members.c.guild_id == guild_id, checkin_members.c.user_id == user_id
                )
            )
            count = gone.rowcount or 0
        await self._db.scrub_deleted()
        return count

    async def delete_schedule(self, schedule_id: int) -> None:
        """Remove a schedule (and its prompts)."""
        async with self._db.transaction() as conn:
            await conn.execute(delete(checkin_prompts).where(PROMPT_COL.schedule_id == schedule_id))
            await conn.execute(delete(checkin_schedules).where(SCHEDULE.id == schedule_id))

    # --- prompts

    async def prompt(self, prompt_id: int) -> PromptRow | None:
        """A prompt with its member."""
        async with self._db.read() as conn:
            row = (
                (
                    await conn.execute(
                        select(checkin_prompts, SCHEDULE.guild_id, SCHEDULE.user_id, SCHEDULE.timezone)
                        .join(checkin_schedules, SCHEDULE.id == PROMPT_COL.schedule_id)
                        .where(PROMPT_COL.id == prompt_id)
                    )
                )
                .mappings()
                .first()
            )
        return prompt_row(row) if row is not None else None

    async def mark_prompt(
        self, prompt_id: int, state: str, *, from_states: tuple[str, ...], message_id: int | None = None
    ) -> bool:
        """Move a prompt to ``state`` if it is in one of ``from_states``. Returns whether it moved."""
        values: dict[str, Any] = {"state": state}
        if message_id is not None:
            values["message_id"] = message_id
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkin_prompts)
                .where(PROMPT_COL.id == prompt_id, PROMPT_COL.state.in_(from_states))
                .values(**values)
            )
            return result.rowcount == 1

    async def prompt_sent(
        self, prompt_id: int, message_id: int, remind_at: datetime | None, now: datetime
    ) -> bool:
        """Mark a prompt sent and (if ``remind_at``) queue its one reminder, in one transaction."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkin_prompts)
                .where(PROMPT_COL.id == prompt_id, PROMPT_COL.state == PromptState.CLAIMED.value)
                .values(state=PromptState.SENT.value, message_id=message_id)
            )
            if result.rowcount != 1:
                return False
            if remind_at is not None:
                await enqueue(conn, REMINDER, prompt_id, remind_at, now)
            return True

    async def purge_prompts(self, before: datetime) -> int:
        """Forget prompts due before ``before`` (their check-ins stay; old buttons then say the prompt is gone)."""
        async with self._db.transaction() as conn:
            result = await conn.execute(delete(checkin_prompts).where(PROMPT_COL.due_at < before))
            return result.rowcount or 0

    # --- server settings
