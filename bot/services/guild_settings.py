"""Server settings use cases."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.guild_settings import ALERT_CHANNEL_PERMISSIONS, GuildSettings, missing_permissions
from bot.errors import DomainError
from bot.storage.guild_settings import GuildSettingsRepository

CACHE_SECONDS = 30


class MissingChannelPermissions(DomainError):
    """The bot lacks permissions it needs in a channel a moderator chose."""

    key = "setup.error.missing_permissions"


class GuildSettingsService:
    """Read and change a server's Haven settings."""

    def __init__(self, repo: GuildSettingsRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock
        # Read on every message by the scanner: cached briefly. Changes made here apply at once; changes made by
        # another process sharing the database within CACHE_SECONDS.
        self._cache: dict[int, tuple[datetime, GuildSettings]] = {}

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings (defaults when none were saved)."""
        now = self._clock()
        hit = self._cache.get(guild_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        settings = await self._repo.get(guild_id)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[guild_id] = (now + timedelta(seconds=CACHE_SECONDS), settings)
        return settings

    async def set_alerts(
        self, guild_id: int, channel_id: int, role_id: int, bot_permissions: Iterable[str]
    ) -> GuildSettings:
        """Send escalations to ``channel_id`` and ping ``role_id``.

        Raises:
            MissingChannelPermissions: when the bot can't see, post or embed there; nothing is saved.
        """
        missing = missing_permissions(ALERT_CHANNEL_PERMISSIONS, bot_permissions)
        if missing:
            raise MissingChannelPermissions(channel_id=channel_id, missing=missing)
        self._cache.pop(guild_id, None)
        return await self._repo.set_alerts(guild_id, channel_id, role_id, self._clock())

    async def alert_channels(self) -> list[tuple[int, int]]:
        """Every server's configured alert channel, as ``(guild_id, channel_id)``."""
        return await self._repo.all_alert_channels()

    async def configured_channels(self) -> list[tuple[int, int, str]]:
        """Every configured channel of every server, as ``(guild_id, channel_id, purpose)``."""
        return await self._repo.all_configured_channels()
