"""Repository for a server's crisis rules: settings, phrases and allow-list, ignored channels and roles, opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.domain.alerts import (
    CrisisSettings,
)
from bot.domain.crisis import Severity
from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import (
    crisis_ignored,
    crisis_phrases,
    crisis_settings,
    scan_optout,
)

SETTING_COLUMNS = (
    "scanning",
    "auto_reply",
    "tell_member",
    "allow_optout",
    "cooldown_seconds",
    "reping_seconds",
    "escalation_role_id",
    "retention_days",
    "transparency_channel_id",
    "transparency_message_id",
)


class CrisisRulesRepository:
    """Reads and writes a server's crisis settings, phrases, ignores and members' opt-outs."""

    _db: Database

    # --- settings

    async def settings(self, guild_id: int) -> CrisisSettings:
        """A server's crisis settings, or the defaults."""
        async with self._db.read() as conn:
            row = (
                (await conn.execute(select(crisis_settings).where(crisis_settings.c.guild_id == guild_id)))
                .mappings()
                .first()
            )
        if row is None:
            return CrisisSettings(guild_id)
        return CrisisSettings(guild_id, **{k: row[k] for k in SETTING_COLUMNS})

    async def save_settings(self, settings: CrisisSettings, now: datetime) -> None:
        """Store a server's crisis settings."""
        values: dict[str, Any] = {k: getattr(settings, k) for k in SETTING_COLUMNS}
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                crisis_settings,
                {"guild_id": settings.guild_id, "updated_at": now, **values},
                ("guild_id",),
            )

    # --- phrases and allow-list

    async def phrases(self, guild_id: int, *, allow: bool) -> list[tuple[str, Severity]]:
        """A server's extra phrases (or allow-list), oldest first."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(crisis_phrases.c.phrase, crisis_phrases.c.severity)
                .where(crisis_phrases.c.guild_id == guild_id, crisis_phrases.c.allow == allow)
                .order_by(crisis_phrases.c.id)
            )
            return [(r.phrase, Severity.parse(r.severity)) for r in rows]

    async def count_phrases(self, guild_id: int, *, allow: bool) -> int:
        """How many phrases a server has."""
        async with self._db.read() as conn:
            return (
                await conn.execute(
                    select(func.count())
                    .select_from(crisis_phrases)
                    .where(crisis_phrases.c.guild_id == guild_id, crisis_phrases.c.allow == allow)
                )
            ).scalar_one()

    async def add_phrase(
        self, guild_id: int, phrase: str, severity: Severity, *, allow: bool, by: int, now: datetime
    ) -> bool:
        """Add a phrase; returns False when the server already had it."""
        try:
            async with self._db.transaction() as conn:
                await conn.execute(
                    insert(crisis_phrases).values(
                        guild_id=guild_id,
                        phrase=phrase,
                        severity=severity.label,
                        allow=allow,
                        created_by=by,
                        created_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def remove_phrase(self, guild_id: int, phrase: str, *, allow: bool) -> bool:
        """Remove a phrase; returns whether it existed."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                delete(crisis_phrases).where(
                    crisis_phrases.c.guild_id == guild_id,
                    crisis_phrases.c.phrase == phrase,
                    crisis_phrases.c.allow == allow,
                )
            )
            return result.rowcount > 0

    # --- ignored channels and roles

    async def ignored(self, guild_id: int) -> dict[int, str]:
        """The channels and roles a server excluded from scanning: id -> "channel" or "role"."""
        async with self._db.read() as conn:
            rows = await conn.execute(select(crisis_ignored).where(crisis_ignored.c.guild_id == guild_id))
            return {r.target_id: r.target_type for r in rows}

    async def toggle_ignored(self, guild_id: int, target_id: int, target_type: str) -> bool:
        """Ignore a channel or role, or stop ignoring it. Returns whether it is ignored now."""
        async with self._db.transaction() as conn:
            removed = await conn.execute(
                delete(crisis_ignored).where(
                    crisis_ignored.c.guild_id == guild_id, crisis_ignored.c.target_id == target_id
                )
            )
            if removed.rowcount:
                return False
            await conn.execute(
                insert(crisis_ignored).values(guild_id=guild_id, target_id=target_id, target_type=target_type)
            )
            return True

    # --- member opt-out

    async def opted_out(self, user_id: int) -> bool:
        """Whether a member turned off scanning of their messages."""
        async with self._db.read() as conn:
            found = await conn.execute(select(scan_optout.c.user_id).where(scan_optout.c.user_id == user_id))
            return found.first() is not None

    async def set_optout(self, user_id: int, opted_out: bool, now: datetime) -> None:
        """Turn scanning of a member's messages off (or back on)."""
        async with self._db.transaction() as conn:
            if opted_out:
                await upsert(conn, scan_optout, {"user_id": user_id, "created_at": now}, ("user_id",))
            else:
                await conn.execute(delete(scan_optout).where(scan_optout.c.user_id == user_id))
