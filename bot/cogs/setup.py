"""/setup: moderators configure Haven for their server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.abc import GuildChannel
from discord.ext import commands

from bot import SOURCE_URL
from bot.domain.guild_settings import ALERT_CHANNEL_PERMISSIONS, missing_permissions
from bot.domain.retention import KINDS, Kind
from bot.errors import InvalidInput
from bot.permissions import granted_names, require_manage_guild
from bot.services.crisis import CrisisService
from bot.services.guild_settings import GuildSettingsService, MissingChannelPermissions
from bot.services.retention import RetentionService

if TYPE_CHECKING:
    from bot.app import HavenBot

EMBED_COLOUR = discord.Colour(0x5B8DEF)
RETENTION_CHOICES = [
    app_commands.Choice(name="Alert excerpts and what matched", value="excerpts"),
    app_commands.Choice(name="Check-in notes", value="notes"),
    app_commands.Choice(name="Buddy worries and reports", value="reports"),
]


class SetupCog(commands.Cog):
    """Server settings, for members with Manage Server."""

    setup = app_commands.Group(
        name="setup",
        description="Set Haven up for this server (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(
        self,
        bot: HavenBot,
        settings: GuildSettingsService,
        retention: RetentionService,
        crisis: CrisisService,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.retention_service = retention
        self.crisis = crisis

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        """Checked again when run: a server may have changed who can see /setup."""
        require_manage_guild(interaction)
        return True

    @setup.command(name="show")
    async def show(self, interaction: discord.Interaction[HavenBot]) -> None:
        """See Haven's settings for this server and anything that needs fixing."""
        assert interaction.guild is not None
        guild = interaction.guild
        t = self.bot.i18n.text
        loc = interaction.locale
        current = await self.settings.get(guild.id)
        channel = await self._alert_channel(guild, current.alert_channel_id)
        role = guild.get_role(current.moderator_role_id) if current.moderator_role_id else None
        embed = discord.Embed(title=t("setup.show.title", loc, guild=guild.name), colour=EMBED_COLOUR)
        embed.add_field(
            name=t("setup.show.alert_channel", loc),
            value=channel.mention if channel else t("common.not_set", loc),
        )
        embed.add_field(
            name=t("setup.show.moderator_role", loc), value=role.mention if role else t("common.not_set", loc)
        )
        notes: list[str] = []
        if not current.alerts_configured:
            notes.append(t("setup.show.alerts_missing", loc))
        else:
            if channel is None:
                notes.append(t("setup.show.channel_gone", loc))
            else:
                missing = missing_permissions(
                    ALERT_CHANNEL_PERMISSIONS, granted_names(channel.permissions_for(guild.me))
                )
                if missing:
                    notes.append(t("setup.show.channel_problem", loc, missing=missing))
            if role is None:
                notes.append(t("setup.show.role_gone", loc))
            if not notes and channel is not None and role is not None:
                notes.append(t("setup.show.alerts_ready", loc, channel=channel.mention, role=role.mention))
        embed.description = "\n".join(notes)
        embed.add_field(
            name=t("setup.retention.title", loc),
            value=await self._retention_lines(guild.id, loc),
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def _alert_channel(
        self, guild: discord.Guild, channel_id: int | None
    ) -> GuildChannel | discord.Thread | None:
        """The alert channel as Discord has it now: fetched, not only read from the cache (which may not have
        heard that it was deleted). None when it no longer exists."""
        if channel_id is None:
            return None
        cached = guild.get_channel(channel_id)
        try:
            return await guild.fetch_channel(channel_id)
        except (discord.NotFound, discord.InvalidData):  # deleted, or not in this server any more
            return None
        except discord.Forbidden:  # Haven can't see it: the permission check below says what is missing
            return cached
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError):
            return cached  # Discord didn't answer: the cache is the best we know

    async def _retention_lines(self, guild_id: int, locale: discord.Locale) -> str:
        """How long each kind of member text is kept here, one line each."""
        t = self.bot.i18n.text
        periods = await self.retention_service.periods(guild_id)
        lines = [t(f"setup.retention.{kind}", locale, days=periods.days(kind)) for kind in KINDS]
        return "\n".join([*lines, t("setup.retention.change", locale)])

    @setup.command(name="alerts")
    @app_commands.describe(
        channel="Where alert cards about members who may need help are posted.",
        role="The moderator role to ping for alerts.",
    )
    async def alerts(
        self, interaction: discord.Interaction[HavenBot], channel: discord.TextChannel, role: discord.Role
    ) -> None:
        """Choose where escalations go and which moderator role they ping."""
        assert interaction.guild is not None
        guild = interaction.guild
        if role.is_default():
            raise InvalidInput("setup.error.everyone_role")
        if role.managed:
            raise InvalidInput("setup.error.managed_role", role=role.mention)
        me = guild.me
        granted = granted_names(channel.permissions_for(me))
        await self.settings.set_alerts(guild.id, channel.id, role.id, granted)
        t = self.bot.i18n.text
        loc = interaction.locale
        text = t("setup.alerts.saved", loc, channel=channel.mention, role=role.mention)
        if not role.mentionable and "mention_everyone" not in granted:
            text += "\n\n" + t("setup.alerts.role_not_mentionable", loc, role=role.mention)
        await interaction.response.send_message(text, ephemeral=True)

    @setup.command(name="transparency")
    @app_commands.describe(channel="Where to post (or update) the notice about what Haven scans and why.")
    async def transparency(
        self, interaction: discord.Interaction[HavenBot], channel: discord.TextChannel
    ) -> None:
        """Post or update a notice telling members what Haven scans, who sees alerts, and how to opt out."""
        assert interaction.guild is not None
        crisis = self.crisis
        settings = await crisis.settings(interaction.guild.id)
        locale = interaction.guild.preferred_locale
        t = self.bot.i18n.text
        missing = missing_permissions(
            ("view_channel", "send_messages", "embed_links"),
            granted_names(channel.permissions_for(interaction.guild.me)),
        )
        if missing:
            raise MissingChannelPermissions(channel_id=channel.id, missing=missing)
        optout = t(
            "setup.transparency.optout_on" if settings.allow_optout else "setup.transparency.optout_off",
            locale,
        )
        embed = discord.Embed(
            title=t("setup.transparency.title", locale),
            description=t("setup.transparency.body", locale, days=settings.retention_days, optout=optout)
            + "\n\n"
            + t("setup.transparency.your_data", locale, url=SOURCE_URL),
            colour=EMBED_COLOUR,
        )
        updated = False
        if settings.transparency_channel_id == channel.id and settings.transparency_message_id:
            try:
                await channel.get_partial_message(settings.transparency_message_id).edit(embed=embed)
                updated = True
            except discord.NotFound:
                updated = False
        if not updated:
            message = await channel.send(embed=embed)
            await crisis.update_settings(
                interaction.guild.id, transparency_channel_id=channel.id, transparency_message_id=message.id
            )
        key = "setup.transparency.updated" if updated else "setup.transparency.posted"
        await interaction.response.send_message(
            t(key, interaction.locale, channel=channel.mention), ephemeral=True
        )

    @setup.command(name="retention")
    @app_commands.describe(
        kind="Which kind of member text.",
        days="How many days to keep it (excerpts 1-365, notes 30-730, reports 30-365).",
    )
    @app_commands.choices(kind=RETENTION_CHOICES)
    async def retention(
        self, interaction: discord.Interaction[HavenBot], kind: str, days: app_commands.Range[int, 1, 730]
    ) -> None:
        """Choose how long Haven keeps alert excerpts, check-in notes or buddy reports here."""
        assert interaction.guild is not None
        chosen: Kind = "notes" if kind == "notes" else "reports" if kind == "reports" else "excerpts"
        periods = await self.retention_service.set_period(interaction.guild.id, chosen, days)
        t = self.bot.i18n.text
        text = t(f"setup.retention.saved.{chosen}", interaction.locale, days=periods.days(chosen))
        await interaction.response.send_message(text, ephemeral=True)
