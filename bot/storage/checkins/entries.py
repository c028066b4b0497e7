"""Server check-in settings and the check-ins themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage._upsert import upsert
from bot.storage.checkins.rows import (
    CHECKIN,
    CheckinRow,
    split_tags,
)
from bot.storage.engine import Database
from bot.storage.schema import (
    checkin_members,
    checkin_settings,
    checkins,
)


class EntryQueries:
    """Server settings and check-ins."""

    _db: Database

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
        member = checkin_members.c
        async with self._db.read() as conn:
            value = (
                await conn.execute(
                    select(member.follow_up).where(member.guild_id == guild_id, member.user_id == user_id)
                )
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
                select(CHECKIN.user_id, CHECKIN.mood).where(
                    CHECKIN.guild_id == guild_id, CHECKIN.created_at >= since, CHECKIN.created_at < until
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
                    .returning(CHECKIN.id)
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
                update(checkins).where(CHECKIN.id == checkin_id, CHECKIN.user_id == user_id).values(**values)
            )
            return result.rowcount == 1

    async def claim_share(self, checkin_id: int, guild_id: int, user_id: int, now: datetime) -> int | None:
        """Mark a member's own check-in shared, once. Returns its mood, or None if it is gone or already shared."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkins)
                .where(
                    CHECKIN.id == checkin_id,
                    CHECKIN.guild_id == guild_id,
                    CHECKIN.user_id == user_id,
                    CHECKIN.shared_at.is_(None),
                )
                .values(shared_at=now)
                .returning(CHECKIN.mood)
            )
            return result.scalar_one_or_none()

    async def unshare(self, checkin_id: int) -> None:
        """Posting failed: the check-in may be shared again."""
        async with self._db.transaction() as conn:
            await conn.execute(update(checkins).where(CHECKIN.id == checkin_id).values(shared_at=None))

    async def exists(self, checkin_id: int, user_id: int | None = None) -> bool:
        """Whether the member's check-in (with no member given: anyone's) is still there."""
        condition = (
            CHECKIN.id == checkin_id
            if user_id is None
            else (CHECKIN.id == checkin_id) & (CHECKIN.user_id == user_id)
        )
        async with self._db.read() as conn:
            found = await conn.execute(select(CHECKIN.id).where(condition))
            return found.first() is not None

    async def history(self, guild_id: int, user_id: int, since: datetime | None = None) -> list[CheckinRow]:
        """A member's check-ins in a server, oldest first."""
        condition = and_(CHECKIN.guild_id == guild_id, CHECKIN.user_id == user_id)
        if since is not None:
            condition = and_(condition, CHECKIN.created_at >= since)
        columns = (
            CHECKIN.id,
            CHECKIN.guild_id,
            CHECKIN.user_id,
            CHECKIN.mood,
            CHECKIN.note,
            CHECKIN.tags,
            CHECKIN.created_at,
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(select(*columns).where(condition).order_by(CHECKIN.created_at))).all()
        return [
            CheckinRow(id_, guild, user, mood, note, split_tags(tags), at)
            for id_, guild, user, mood, note, tags, at in rows
        ]
