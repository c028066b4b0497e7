"""Thin adapters from Discord interactions to services. Each cog gets its services in its constructor."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import HavenBot


async def load_cogs(bot: HavenBot) -> None:
    """Add every cog to ``bot``."""
    from bot.cogs.buddies.cog import BuddyCog
    from bot.cogs.checkins.cog import CheckinCog
    from bot.cogs.crisis.cog import CrisisCog
    from bot.cogs.delivery import DeliveryCog
    from bot.cogs.general import GeneralCog
    from bot.cogs.privacy.cog import PrivacyCog
    from bot.cogs.resources.cog import ResourcesCog
    from bot.cogs.setup import SetupCog
    from bot.cogs.support.admin import SupportAdminCog
    from bot.cogs.support.cog import SupportCog
    from bot.pacing import Pacer

    await bot.add_cog(GeneralCog(bot))
    await bot.add_cog(SetupCog(bot, bot.services.guild_settings))
    await bot.add_cog(ResourcesCog(bot, bot.services.resources))
    await bot.add_cog(CrisisCog(bot, bot.services.crisis))
    dms = Pacer(
        bot.checkin_send_rate
    )  # one budget for every bulk DM, below Discord's global 50 requests a second
    await bot.add_cog(CheckinCog(bot, bot.services.checkins, dms))
    await bot.add_cog(BuddyCog(bot, bot.services.buddies, dms))
    await bot.add_cog(PrivacyCog(bot, bot.services.privacy, bot.services.crisis))
    await bot.add_cog(SupportCog(bot, bot.services.support, bot.services.delivery))
    await bot.add_cog(
        SupportAdminCog(bot, bot.services.support, bot.services.delivery, bot.services.guild_settings)
    )
    await bot.add_cog(DeliveryCog(bot, bot.services.delivery))
