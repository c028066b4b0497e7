"""Repository for per-server settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import literal, select, union_all

from bot.domain.guild_settings import GuildSettings
from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import buddy_settings, checkin_settings, crisis_settings, guild_settings


class GuildSettingsRepository:
    """Reads and writes ``guild_settings`` rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        """The settings for ``guild_id``; defaults when the server has none yet."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(guild_settings).where(guild_settings.c.guild_id == guild_id))
            ).first()
        if row is None:
            return GuildSettings(guild_id=guild_id)
        return GuildSettings(
            guild_id=row.guild_id,
            alert_channel_id=row.alert_channel_id,
            moderator_role_id=row.moderator_role_id,
            updated_at=row.updated_at,
        )

    async def set_alerts(self, guild_id: int, channel_id: int, role_id: int, now: datetime) -> GuildSettings:
        """Save where escalations go for ``guild_id``."""
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                guild_settings,
                {
                    "guild_id": guild_id,
                    "alert_channel_id": channel_id,
                    "moderator_role_id": role_id,
                    "updated_at": now,
                },
                keys=("guild_id",),
            )
        return GuildSettings(guild_id, channel_id, role_id, now)

    async def all_alert_channels(self) -> list[tuple[int, int]]:
        """Every configured ``(guild_id, alert_channel_id)`` pair, for ``python -m bot check``."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(guild_settings.c.guild_id, guild_settings.c.alert_channel_id).where(
                    guild_settings.c.alert_channel_id.is_not(None)
                )
            )
            return [(r.guild_id, r.alert_channel_id) for r in rows]

    async def all_configured_channels(self) -> list[tuple[int, int, str]]:
        """Every configured channel of every server as ``(guild_id, channel_id, purpose)``.

        Purposes: ``alert``, ``transparency``, ``checkin_share``, ``buddy`` (see ``CHANNEL_USES``).
        """
        sources = (
            (guild_settings, guild_settings.c.alert_channel_id, "alert"),
            (crisis_settings, crisis_settings.c.transparency_channel_id, "transparency"),
            (checkin_settings, checkin_settings.c.share_channel_id, "checkin_share"),
            (buddy_settings, buddy_settings.c.channel_id, "buddy"),
        )
        query = union_all(
            *(
                select(
                    table.c.guild_id.label("guild_id"),
                    column.label("channel_id"),
                    literal(purpose).label("purpose"),
                ).where(column.is_not(None))
                for table, column, purpose in sources
            )
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return sorted((r.guild_id, r.channel_id, r.purpose) for r in rows)
