"""The composition root for the Discord side: each cog, view and button gets the services and senders it uses.

Built once per bot in ``HavenBot.setup_hook`` (the ``advanced_startup`` style of discord.py's examples). Cogs never
look each other up by name and never reach into ``bot.services``: what one feature needs from another (an alert
sent now, buddy DMs sent now) is a callable handed over here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cogs.buddies.admin import BuddyAdminCog
from bot.cogs.buddies.cog import BuddyCog
from bot.cogs.buddies.collaborators import BuddyCollaborators
from bot.cogs.checkins.cog import CheckinCog
from bot.cogs.checkins.collaborators import CheckinCollaborators
from bot.cogs.crisis.cog import CrisisCog
from bot.cogs.crisis.collaborators import CrisisCollaborators
from bot.cogs.crisis.delivery import Delivery
from bot.cogs.delivery import DeliveryCog
from bot.cogs.general import GeneralCog
from bot.cogs.privacy.cog import PrivacyCog
from bot.cogs.privacy.collaborators import PrivacyCollaborators
from bot.cogs.resources.cog import ResourcesCog
from bot.cogs.resources.collaborators import ResourceCollaborators
from bot.cogs.setup import SetupCog
from bot.cogs.support.admin import SupportAdminCog
from bot.cogs.support.cog import SupportCog
from bot.cogs.support.masks import SupportMasks
from bot.pacing import Pacer
from bot.services.follow_up import FollowUpService

if TYPE_CHECKING:
    from bot.app import HavenBot


async def load_cogs(bot: HavenBot) -> None:
    """Build every cog with its collaborators and add it to ``bot``."""
    services = bot.services
    crisis = CrisisCollaborators(
        crisis=services.crisis,
        guild_settings=services.guild_settings,
        resources=services.resources,
        engine=services.delivery,
        clock=services.clock,
        i18n=bot.i18n,
        masks=SupportMasks(services.support, services.delivery),  # anonymous support members stay so on cards
    )
    alerts = Delivery(bot, crisis)  # sends an alert's card and replies; other features hand it alert ids
    dms = Pacer(
        bot.checkin_send_rate
    )  # one budget for every bulk DM, below Discord's global 50 requests a second
    buddy_cog: BuddyCog | None = None

    def wake_buddies() -> (
        None
    ):  # bound late: the buddy cog is built below, after the collaborators it receives
        if buddy_cog is not None:
            buddy_cog.wake()

    buddy_parts = BuddyCollaborators(
        buddies=services.buddies,
        checkins=services.checkins,
        deliver_alert=alerts.deliver,
        wake=wake_buddies,
        engine=services.delivery,
    )
    buddy_cog = BuddyCog(bot, buddy_parts, dms)
    checkins = CheckinCollaborators(
        checkins=services.checkins,
        follow_up=FollowUpService(services.checkins, services.guild_settings, services.buddies),
        buddies=services.buddies,
        crisis=services.crisis,
        resources=services.resources,
        i18n=bot.i18n,
        deliver_alert=alerts.deliver,
        wake_buddies=wake_buddies,
        engine=services.delivery,
    )
    privacy = PrivacyCollaborators(
        privacy=services.privacy,
        retention=services.retention,
        crisis=services.crisis,
        directory=services.resources.directory,
        i18n=bot.i18n,
    )
    await bot.add_cog(GeneralCog(bot))
    await bot.add_cog(SetupCog(bot, services.guild_settings, services.retention, services.crisis))
    await bot.add_cog(
        ResourcesCog(bot, ResourceCollaborators(services.resources, services.guild_settings, bot.i18n))
    )
    await bot.add_cog(CrisisCog(bot, crisis, alerts))
    await bot.add_cog(CheckinCog(bot, checkins, dms))
    await bot.add_cog(buddy_cog)
    await bot.add_cog(BuddyAdminCog(bot, buddy_parts))
    await bot.add_cog(PrivacyCog(bot, privacy))
    await bot.add_cog(SupportCog(bot, services.support, services.delivery))
    await bot.add_cog(SupportAdminCog(bot, services.support, services.delivery, services.guild_settings))
    await bot.add_cog(DeliveryCog(bot, services.delivery))
