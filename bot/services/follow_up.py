"""Which follow-up buttons a low check-in offers: the member's choice, the server's and the buddy pairing."""

from __future__ import annotations

from bot.domain.checkins import FollowUpOffer, follow_up_offer
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService, ServerSettings
from bot.services.guild_settings import GuildSettingsService


class FollowUpService:
    """Answers in one call what a check-in's follow-up buttons are, reading each setting once."""

    def __init__(
        self, checkins: CheckinService, guild_settings: GuildSettingsService, buddies: BuddyService
    ) -> None:
        self._checkins = checkins
        self._guild_settings = guild_settings
        self._buddies = buddies

    async def offer(self, guild_id: int, user_id: int, server: ServerSettings) -> FollowUpOffer:
        """The follow-up buttons for this member's low check-in in this server (``server``: its check-in
        settings, already read for the same answer)."""
        alerts = await self._guild_settings.get(guild_id)
        opted_in = await self._checkins.follow_up(guild_id, user_id)
        has_buddy = opted_in and bool(await self._buddies.active_buddies(guild_id, user_id))
        return follow_up_offer(
            opted_in=opted_in,
            moderator_followup=server.moderator_followup,
            alerts_configured=alerts.alerts_configured,
            has_buddy=has_buddy,
        )
