"""/privacy: a member's choices, export and delete of everything; and deleting a server's data once Haven left it."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.cogs.privacy.collaborators import PrivacyCollaborators
from bot.cogs.privacy.views import ChoicesView, DeleteView, show_embed

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 3600  # hourly: servers and members past their 7-day grace period; retention once a day
WHERE_CHOICES = [
    app_commands.Choice(name="This server", value="here"),
    app_commands.Choice(name="Every server", value="everywhere"),
]


class PrivacyCog(commands.Cog):
    """What Haven keeps about a member, their choices, and removal of a server's data after Haven leaves."""

    privacy_group = app_commands.Group(
        name="privacy", description="Your privacy in Haven: see, change, download or delete what it keeps."
    )

    def __init__(self, bot: HavenBot, parts: PrivacyCollaborators) -> None:
        self.bot = bot
        self.parts = parts
        self.privacy = parts.privacy
        self.crisis = parts.crisis

    async def cog_load(self) -> None:
        self.bot.loops.register("privacy_purge", PURGE_EVERY_SECONDS)
        self.purge_loop.start()

    async def cog_unload(self) -> None:
        self.purge_loop.cancel()

    def _t(self, interaction: discord.Interaction[Any], key: str, **params: Any) -> str:
        return self.bot.i18n.text(key, interaction.locale, **params)

    # --- servers Haven leaves

    def _present(self) -> set[int]:
        return {guild.id for guild in self.bot.guilds}

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Servers Haven was removed from while it was offline get the same grace period."""
        try:
            missing = await self.privacy.sweep(self._present())
        except Exception:  # the next start tries again
            log.exception("Couldn't check for servers Haven was removed from")
            return
        if missing:
            log.info(
                "Found %d servers Haven was removed from while offline; their data goes in 7 days",
                len(missing),
            )

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.privacy.server_removed(guild.id)
        log.info(
            "Removed from server %s; its data will be deleted in 7 days unless Haven is added back", guild.id
        )

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if await self.privacy.server_back(guild.id):
            log.info("Added back to server %s; its data stays", guild.id)

    # --- members who leave a server: their check-ins go after the same grace period

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if payload.user.id == getattr(self.bot.user, "id", None):
            return  # Haven itself: on_guild_remove handles the server
        await self.parts.retention.member_left(payload.guild_id, payload.user.id)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await self.parts.retention.member_back(member.guild.id, member.id)

    def _is_member(self, guild_id: int, user_id: int) -> bool:
        guild = self.bot.get_guild(guild_id)
        return guild is not None and guild.get_member(user_id) is not None

    @tasks.loop(seconds=PURGE_EVERY_SECONDS)
    async def purge_loop(self) -> None:
        self.bot.loops.beat("privacy_purge")
        if not self.bot.is_ready():
            return
        try:
            await self.privacy.purge_due(self._present())
        except Exception:  # nothing is lost: the server stays on the list and the next run tries again
            log.exception("Deleting the data of servers Haven left failed; will try again")
        retention = self.parts.retention
        try:
            await retention.purge_departed(self._is_member)
            await retention.purge_if_due()  # daily: notes, reports and alert excerpts past their period
        except Exception:  # the rows stay; the next run tries again
            log.exception("The retention purge failed; will try again")

    # --- /privacy for members

    def _servers(self, interaction: discord.Interaction[Any], where: str | None) -> list[int] | None:
        """The chosen servers: this one, or every server (always every server from a DM)."""
        if interaction.guild is None or where == "everywhere":
            return None
        return [interaction.guild.id]

    @privacy_group.command(name="show")
    async def show(self, interaction: discord.Interaction[HavenBot]) -> None:
        """What Haven keeps about you here and your choices, with buttons to change them."""
        if interaction.guild is None:
            await interaction.response.send_message(
                self._t(interaction, "privacy.show.in_dm"), ephemeral=True
            )
            return
        consent = await self.privacy.consent(interaction.guild.id, interaction.user.id)
        summary = await self.privacy.summary(interaction.guild.id, interaction.user.id)
        retention = await self.parts.retention.periods(interaction.guild.id)
        await interaction.response.send_message(
            embed=show_embed(self.parts, interaction.locale, consent, summary, retention),
            view=ChoicesView(self.parts, interaction.locale, consent),
            ephemeral=True,
        )

    @privacy_group.command(name="export")
    @app_commands.describe(where="This server only, or every server Haven knows you from.")
    @app_commands.choices(where=WHERE_CHOICES)
    async def export(self, interaction: discord.Interaction[HavenBot], where: str = "here") -> None:
        """Download everything Haven keeps about you, as one file only you can see."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        servers = self._servers(interaction, where)
        data = await self.privacy.export(interaction.user.id, servers)
        key = "privacy.export.everywhere" if servers is None else "privacy.export.here"
        await interaction.followup.send(
            self._t(interaction, key),
            file=discord.File(io.BytesIO(data), filename="haven-my-data.json"),
            ephemeral=True,
        )

    @privacy_group.command(name="delete")
    @app_commands.describe(where="This server only, or every server Haven knows you from.")
    @app_commands.choices(where=WHERE_CHOICES)
    async def delete(self, interaction: discord.Interaction[HavenBot], where: str = "here") -> None:
        """Delete everything Haven keeps about you (asks first)."""
        servers = self._servers(interaction, where)
        if servers is None:
            text = self._t(interaction, "privacy.delete.ask_everywhere")
        else:
            days = (await self.crisis.settings(servers[0])).retention_days
            text = self._t(interaction, "privacy.delete.ask_here", days=days)
        await interaction.response.send_message(
            text, view=DeleteView(self.parts, interaction.locale, servers), ephemeral=True
        )

    @privacy_group.command(name="scanning")
    @app_commands.describe(
        enabled="On: Haven may notice crisis language in your messages. Off: it won't look."
    )
    async def privacy_scanning(self, interaction: discord.Interaction[HavenBot], enabled: bool) -> None:
        """Turn crisis-language scanning of your own messages on or off."""
        await self.crisis.set_optout(interaction.user.id, not enabled)
        text = self._t(interaction, "privacy.scanning.on" if enabled else "privacy.scanning.off")
        if not enabled and interaction.guild is not None:
            settings = await self.crisis.settings(interaction.guild.id)
            if not settings.allow_optout:
                text += "\n\n" + self._t(interaction, "privacy.scanning.server_off")
        await interaction.response.send_message(text, ephemeral=True)
