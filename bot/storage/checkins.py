"""Repository for check-ins: schedules, prompts and the check-ins themselves."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.checkins import PROMPT, REMINDER, PromptState, ScheduleStatus
from bot.storage._upsert import upsert
from bot.storage.delivery import enqueue
from bot.storage.engine import Database
from bot.storage.schema import (
    checkin_members,
    checkin_prompts,
    checkin_schedules,
    checkin_settings,
    checkins,
)

S = checkin_schedules.c
P = checkin_prompts.c
C = checkins.c


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


class CheckinRepository:
    """Reads and writes the check-in tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- schedules

    async def schedule(self, guild_id: int, user_id: int) -> ScheduleRow | None:
        """A member's schedule in a server."""
        async with self._db.read() as conn:
            row = (
                (
                    await conn.execute(
                        select(checkin_schedules).where(S.guild_id == guild_id, S.user_id == user_id)
                    )
                )
                .mappings()
                .first()
            )
        return _schedule(row) if row else None

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
                .where(S.id == schedule_id)
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
                .where(S.guild_id == guild_id, S.user_id == user_id, S.dm_notice.is_(True))
                .values(dm_notice=False)
            )
            return result.rowcount == 1

    async def due(self, now: datetime, limit: int) -> list[ScheduleRow]:
        """Active schedules whose next prompt is due, oldest first (uses the (status, next_due_at) index)."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(checkin_schedules)
                .where(S.status == ScheduleStatus.ACTIVE.value, S.next_due_at <= now)
                .order_by(S.next_due_at)
                .limit(limit)
            )
            return [_schedule(r) for r in rows.mappings()]

    async def paused_to_resume(self, now: datetime, limit: int) -> list[ScheduleRow]:
        """Paused schedules whose pause has ended."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(checkin_schedules)
                .where(S.status == ScheduleStatus.PAUSED.value, S.paused_until <= now)
                .limit(limit)
            )
            return [_schedule(r) for r in rows.mappings()]

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
                    S.id == schedule.id,
                    S.next_due_at == schedule.next_due_at,
                    S.status == ScheduleStatus.ACTIVE.value,
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
                .returning(P.id)
            )
            prompt_id: int = result.scalar_one()
            await enqueue(conn, PROMPT, prompt_id, now, now)
            return prompt_id

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete the member's check-ins, schedule and prompts in one server. Returns how many check-ins went."""
        async with self._db.transaction() as conn:
            gone = await conn.execute(delete(checkins).where(C.guild_id == guild_id, C.user_id == user_id))
            schedule_ids = select(S.id).where(S.guild_id == guild_id, S.user_id == user_id).scalar_subquery()
            await conn.execute(delete(checkin_prompts).where(P.schedule_id.in_(schedule_ids)))
            await conn.execute(delete(checkin_schedules).where(S.guild_id == guild_id, S.user_id == user_id))
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
            await conn.execute(delete(checkin_prompts).where(P.schedule_id == schedule_id))
            await conn.execute(delete(checkin_schedules).where(S.id == schedule_id))

    # --- prompts

    async def prompt(self, prompt_id: int) -> PromptRow | None:
        """A prompt with its member."""
        async with self._db.read() as conn:
            row = (
                (
                    await conn.execute(
                        select(checkin_prompts, S.guild_id, S.user_id, S.timezone)
                        .join(checkin_schedules, S.id == P.schedule_id)
                        .where(P.id == prompt_id)
                    )
                )
                .mappings()
                .first()
            )
        return _prompt(row) if row is not None else None

    async def mark_prompt(
        self, prompt_id: int, state: str, *, from_states: tuple[str, ...], message_id: int | None = None
    ) -> bool:
        """Move a prompt to ``state`` if it is in one of ``from_states``. Returns whether it moved."""
        values: dict[str, Any] = {"state": state}
        if message_id is not None:
            values["message_id"] = message_id
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkin_prompts).where(P.id == prompt_id, P.state.in_(from_states)).values(**values)
            )
            return result.rowcount == 1

    async def prompt_sent(
        self, prompt_id: int, message_id: int, remind_at: datetime | None, now: datetime
    ) -> bool:
        """Mark a prompt sent and (if ``remind_at``) queue its one reminder, in one transaction."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkin_prompts)
                .where(P.id == prompt_id, P.state == PromptState.CLAIMED.value)
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
            result = await conn.execute(delete(checkin_prompts).where(P.due_at < before))
            return result.rowcount or 0

    # --- server settings

    async def settings(self, guild_id: int) -> dict[str, Any]:
        """A server's check-in settings (defaults when none were saved)."""
        async with self._db.read() as conn:
            row = (
                (await conn.execute(select(checkin_settings).where(checkin_settings.c.guild_id == guild_id)))
                .mappings()
                .first()
            )
        if row is None:
            return {
                "enabled": True,
                "default_time": None,
                "share_channel_id": None,
                "moderator_followup": True,
            }
        return {k: row[k] for k in ("enabled", "default_time", "share_channel_id", "moderator_followup")}

    async def save_settings(self, guild_id: int, values: dict[str, Any], now: datetime) -> None:
        """Store a server's check-in settings."""
        async with self._db.transaction() as conn:
            await upsert(
                conn, checkin_settings, {"guild_id": guild_id, "updated_at": now, **values}, ("guild_id",)
            )

    async def follow_up(self, guild_id: int, user_id: int) -> bool:
        """Whether the member asked for buttons to reach their buddy or a moderator after a low check-in."""
        M = checkin_members.c
        async with self._db.read() as conn:
            value = (
                await conn.execute(select(M.follow_up).where(M.guild_id == guild_id, M.user_id == user_id))
            ).scalar_one_or_none()
        return bool(value)

    async def set_follow_up(self, guild_id: int, user_id: int, enabled: bool, now: datetime) -> None:
        """Store the member's follow-up choice."""
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                checkin_members,
                {"guild_id": guild_id, "user_id": user_id, "follow_up": enabled, "updated_at": now},
                ("guild_id", "user_id"),
            )

    async def weekly_moods(self, guild_id: int, since: datetime, until: datetime) -> list[tuple[int, int]]:
        """(member, mood) pairs for a server from ``since`` up to ``until``, for the aggregated weekly mood only."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(C.user_id, C.mood).where(
                    C.guild_id == guild_id, C.created_at >= since, C.created_at < until
                )
            )
            return [(r[0], r[1]) for r in rows]

    # --- check-ins

    async def add(
        self,
        guild_id: int,
        user_id: int,
        mood: int,
        now: datetime,
        *,
        prompt_id: int | None = None,
        request_id: int | None = None,
    ) -> int | None:
        """Store a check-in. Returns its id, or None if that prompt (or that /checkin now) was already answered."""
        try:
            async with self._db.transaction() as conn:
                result = await conn.execute(
                    insert(checkins)
                    .values(
                        guild_id=guild_id,
                        user_id=user_id,
                        mood=mood,
                        prompt_id=prompt_id,
                        request_id=request_id,
                        created_at=now,
                    )
                    .returning(C.id)
                )
                return result.scalar_one()
        except IntegrityError:
            return None

    async def set_note(self, checkin_id: int, user_id: int, note: str | None) -> bool:
        """Set (or, with None, clear) the note on a member's own check-in; a replaced note is unreadable after."""
        changed = await self._update_own(checkin_id, user_id, {"note": note})
        await self._db.scrub_deleted()
        return changed

    async def set_tags(self, checkin_id: int, user_id: int, tags: tuple[str, ...]) -> bool:
        """Set the tags on a member's own check-in (none clears them)."""
        return await self._update_own(checkin_id, user_id, {"tags": ",".join(tags)})

    async def _update_own(self, checkin_id: int, user_id: int, values: dict[str, Any]) -> bool:
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkins).where(C.id == checkin_id, C.user_id == user_id).values(**values)
            )
            return result.rowcount == 1

    async def claim_share(self, checkin_id: int, guild_id: int, user_id: int, now: datetime) -> int | None:
        """Mark a member's own check-in shared, once. Returns its mood, or None if it is gone or already shared."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkins)
                .where(
                    C.id == checkin_id,
                    C.guild_id == guild_id,
                    C.user_id == user_id,
                    C.shared_at.is_(None),
                )
                .values(shared_at=now)
                .returning(C.mood)
            )
            return result.scalar_one_or_none()

    async def unshare(self, checkin_id: int) -> None:
        """Posting failed: the check-in may be shared again."""
        async with self._db.transaction() as conn:
            await conn.execute(update(checkins).where(C.id == checkin_id).values(shared_at=None))

    async def exists(self, checkin_id: int, user_id: int | None = None) -> bool:
        """Whether the member's check-in (with no member given: anyone's) is still there."""
        condition = C.id == checkin_id if user_id is None else (C.id == checkin_id) & (C.user_id == user_id)
        async with self._db.read() as conn:
            found = await conn.execute(select(C.id).where(condition))
            return found.first() is not None

    async def history(self, guild_id: int, user_id: int, since: datetime | None = None) -> list[CheckinRow]:
        """A member's check-ins in a server, oldest first."""
        condition = and_(C.guild_id == guild_id, C.user_id == user_id)
        if since is not None:
            condition = and_(condition, C.created_at >= since)
        columns = (C.id, C.guild_id, C.user_id, C.mood, C.note, C.tags, C.created_at)
        async with self._db.read() as conn:
            rows = (await conn.execute(select(*columns).where(condition).order_by(C.created_at))).all()
        return [
            CheckinRow(id_, guild, user, mood, note, _split_tags(tags), at)
            for id_, guild, user, mood, note, tags, at in rows
        ]


def _prompt(row: Any) -> PromptRow:
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
def _split_tags(tags: str | None) -> tuple[str, ...]:
    """Tags as stored ("sleep,stress") as a tuple; the same few strings come back thousands of times in a history."""
    return tuple(filter(None, tags.split(","))) if tags else ()


def _schedule(row: Any) -> ScheduleRow:
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
