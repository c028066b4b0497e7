"""/buddy-admin: a server's buddy pairing for moderators (topics, cadence, channel, rounds, removal, counts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.buddies.collaborators import BuddyCollaborators
from bot.domain.pairing import Cadence, OddRule
from bot.permissions import require_manage_guild

if TYPE_CHECKING:
    from bot.app import HavenBot


class BuddyAdminCog(commands.Cog):
    """Buddy pairing for moderators."""

    admin = app_commands.Group(
        name="buddy-admin",
        description="Buddy pairing for this server: topics, cadence, channel, rounds, stats (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: HavenBot, parts: BuddyCollaborators) -> None:
        self.bot = bot
        self.buddies = parts.buddies
        self.wake = parts.wake  # send the DMs a round or a removal queued now

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        require_manage_guild(interaction)
        return True

    def _t(self, interaction: discord.Interaction[Any], key: str, **params: Any) -> str:
        return self.bot.i18n.text(key, interaction.locale, **params)

    @admin.command(name="topics")
    @app_commands.describe(topics="Comma-separated, up to 25, e.g. Anxiety, Grief, Work or school, Gaming.")
    async def admin_topics(self, interaction: discord.Interaction[HavenBot], topics: str) -> None:
        """Set the topics members choose from."""
        assert interaction.guild is not None
        settings = await self.buddies.update_settings(interaction.guild.id, topics_text=topics)
        await interaction.response.send_message(
            self._t(interaction, "buddy.admin.topics", topics=", ".join(settings.topics)), ephemeral=True
        )

    @admin.command(name="settings")
    @app_commands.describe(
        cadence="How often new pairs are made.",
        channel="Where private threads go for members whose DMs are closed.",
        clear_channel="Stop using a buddy channel.",
        listener_role="Only members with this role may choose 'someone to support'.",
        clear_listener_role="Anyone may offer support.",
        odd_number="With an odd number: one group of three, or the one left over goes first next time.",
    )
    @app_commands.choices(
        cadence=[
            app_commands.Choice(name="Weekly", value="weekly"),
            app_commands.Choice(name="Every two weeks", value="biweekly"),
            app_commands.Choice(name="Monthly", value="monthly"),
        ],
        odd_number=[
            app_commands.Choice(name="One group of three", value="trio"),
            app_commands.Choice(name="Left over goes first next round", value="next"),
        ],
    )
    async def admin_settings(
        self,
        interaction: discord.Interaction[HavenBot],
        cadence: str | None = None,
        channel: discord.TextChannel | None = None,
        clear_channel: bool = False,
        listener_role: discord.Role | None = None,
        clear_listener_role: bool = False,
        odd_number: str | None = None,
    ) -> None:
        """See or change buddy pairing for this server."""
        assert interaction.guild is not None
        s = await self.buddies.update_settings(
            interaction.guild.id,
            cadence=Cadence(cadence) if cadence else None,
            channel_id=channel.id if channel else None,
            clear_channel=clear_channel,
            listener_role_id=listener_role.id if listener_role else None,
            clear_listener_role=clear_listener_role,
            odd_rule=OddRule(odd_number) if odd_number else None,
        )
        embed = discord.Embed(title=self._t(interaction, "buddy.admin.title"))
        embed.add_field(
            name=self._t(interaction, "buddy.admin.cadence"),
            value=self._t(interaction, f"buddy.cadence.{s.cadence.value}"),
        )
        embed.add_field(
            name=self._t(interaction, "buddy.admin.channel"),
            value=f"<#{s.channel_id}>" if s.channel_id else "-",
        )
        embed.add_field(
            name=self._t(interaction, "buddy.admin.listener"),
            value=f"<@&{s.listener_role_id}>" if s.listener_role_id else "-",
        )
        embed.add_field(
            name=self._t(interaction, "buddy.admin.odd"),
            value=self._t(interaction, f"buddy.odd.{s.odd_rule.value}"),
        )
        nxt = f"<t:{int(s.next_round_at.timestamp())}:F>" if s.next_round_at else "-"
        embed.add_field(name=self._t(interaction, "buddy.admin.next"), value=nxt)
        embed.add_field(
            name=self._t(interaction, "buddy.admin.topics_field"),
            value=", ".join(s.topics)[:1024],
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @admin.command(name="run")
    async def admin_run(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Start a new round now (the current round's pairs finish)."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.buddies.run_round(interaction.guild.id)
        self.bot.metrics.paired(result.pairings if result else 0, trigger="round")
        if result is None:
            await interaction.followup.send(self._t(interaction, "buddy.admin.run_raced"), ephemeral=True)
            return
        await interaction.followup.send(
            self._t(
                interaction,
                "buddy.admin.ran",
                pairs=self._t(interaction, "buddy.admin.pairings", count=result.pairings),
                left=self._t(interaction, "buddy.admin.left", count=len(result.left_over)),
            ),
            ephemeral=True,
        )
        self.wake()

    @admin.command(name="remove")
    @app_commands.describe(member="The member to take out of buddy pairing.")
    async def admin_remove(self, interaction: discord.Interaction[HavenBot], member: discord.User) -> None:
        """Take a member out of buddy pairing (their buddy is told kindly)."""
        assert interaction.guild is not None
        removed = await self.buddies.remove(interaction.guild.id, member.id)
        key = "buddy.admin.removed" if removed else "buddy.admin.not_member"
        await interaction.response.send_message(
            self._t(interaction, key, member=member.mention),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.wake()

    @admin.command(name="stats")
    async def admin_stats(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Counts only: waiting, active pairs, acceptance, pairs that talked."""
        assert interaction.guild is not None
        s = await self.buddies.stats(interaction.guild.id)
        answered = s["accepted"] + s["declined"]
        rate = f"{100 * s['accepted'] / answered:.0f}%" if answered else "-"
        talked = f"{s['talked']} / {s['asked_halfway']}" if s["asked_halfway"] else "-"
        await interaction.response.send_message(
            self._t(
                interaction,
                "buddy.admin.stats",
                waiting=s["waiting"],
                active=s["active"],
                pairings=s["pairings"],
                rate=rate,
                talked=talked,
            ),
            ephemeral=True,
        )
