"""Moderators' and listeners' side of support: /support-admin, /listener, and the two Apps menus (a peer's
"Worried about this person", a moderator's "Check on this member")."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.support.views import FlagModal
from bot.delivery import DeliveryEngine
from bot.domain.alerts import CARD as ALERT_CARD
from bot.domain.support import CHECKON
from bot.errors import DomainError
from bot.permissions import require_manage_guild
from bot.services.guild_settings import GuildSettingsService
from bot.services.support import SupportService
from bot.ui.input import member_text

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
COLOUR = discord.Colour(0x5B8DEF)


async def listener_guild(support: SupportService, interaction: discord.Interaction[Any]) -> discord.Guild:
    """The server, if the user holds its listener role (else a kind refusal)."""
    guild = interaction.guild
    if guild is None:
        raise app_commands.NoPrivateMessage()
    settings = await support.settings(guild.id)
    if not settings.configured:
        raise DomainError("support.error.not_set_up")
    if not any(r.id == settings.listener_role_id for r in getattr(interaction.user, "roles", [])):
        raise DomainError("support.error.not_listener")
    return guild


class SupportAdminCog(commands.Cog):
    """Set-up and counts for moderators, availability for listeners, flags and check-ons."""

    admin_group = app_commands.Group(
        name="support-admin",
        description="Set up support requests: listener role, support channel, topics (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    listener_group = app_commands.Group(
        name="listener",
        description="For listeners: say you're available or away, see the queue.",
        guild_only=True,
    )

    def __init__(
        self,
        bot: HavenBot,
        support: SupportService,
        engine: DeliveryEngine,
        guild_settings: GuildSettingsService,
    ) -> None:
        self.bot = bot
        self.support = support
        self.engine = engine
        self.guild_settings = guild_settings
        self.menus = (
            app_commands.ContextMenu(name="Worried about this person", callback=self.worried),
            app_commands.ContextMenu(name="Check on this member", callback=self.check_on),
        )
        for menu in self.menus:
            menu.guild_only = True
        self.menus[1].default_permissions = discord.Permissions(manage_guild=True)

    async def cog_load(self) -> None:
        for menu in self.menus:
            self.bot.tree.add_command(menu)

    async def cog_unload(self) -> None:
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

    def t(self, interaction: discord.Interaction[Any] | Any, key: str, **params: Any) -> str:
        locale = interaction.locale if isinstance(interaction, discord.Interaction) else interaction
        return self.bot.i18n.text(key, locale, **params)

    # --- peers flagging a message

    async def worried(self, interaction: discord.Interaction[HavenBot], message: discord.Message) -> None:
        """Message menu for every member: tell the moderators privately, with an optional note."""
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if message.author.id == interaction.user.id:
            raise DomainError("support.flag.self")
        if message.author.bot:
            raise DomainError("support.flag.bot")
        guild_id, author_id, channel_id, message_id = (
            interaction.guild.id,
            message.author.id,
            message.channel.id,
            message.id,
        )

        async def submit(done: discord.Interaction[Any], note: str) -> None:
            alert_id = await self.support.flag(
                guild_id, done.user.id, author_id, channel_id, message_id, note
            )
            if alert_id is None:
                await done.response.send_message(self.t(done, "support.flag.limited"), ephemeral=True)
                return
            await done.response.send_message(self.t(done, "support.flag.sent"), ephemeral=True)
            await self.engine.run_now(ALERT_CARD, alert_id)

        await interaction.response.send_modal(FlagModal(lambda key: self.t(interaction, key), submit))

    async def check_on(self, interaction: discord.Interaction[HavenBot], member: discord.Member) -> None:
        """User menu for moderators: a kind DM with the server's support options, recorded."""
        await self.require_moderator(interaction)
        assert interaction.guild is not None
        if member.bot:
            raise DomainError("support.flag.bot")
        checkon_id = await self.support.check_on(interaction.guild.id, member.id, interaction.user.id)
        if checkon_id is None:
            await interaction.response.send_message(
                self.t(interaction, "support.checkon.recently"), ephemeral=True
            )
            return
        await interaction.response.send_message(
            self.t(interaction, "support.checkon.queued", member=member.mention), ephemeral=True
        )
        await self.engine.run_now(CHECKON, checkon_id)

    async def require_moderator(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        settings = await self.guild_settings.get(interaction.guild.id)
        roles = getattr(interaction.user, "roles", [])
        has_role = settings.moderator_role_id is not None and any(
            r.id == settings.moderator_role_id for r in roles
        )
        if not (has_role or interaction.permissions.manage_guild):
            raise app_commands.MissingPermissions(["manage_guild"])

    # --- moderators' set-up

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        command = interaction.command
        if isinstance(command, app_commands.Command) and command.root_parent is self.admin_group:
            require_manage_guild(interaction)
        return True

    @admin_group.command(name="setup")
    @app_commands.describe(
        listener_role="The role of your trained listeners.",
        channel="A channel only listeners can see: request cards and private threads go there.",
        topics="Topics members choose from, separated by commas.",
        reping_minutes="Ping listeners again, then tell the member, if nobody answers within this time.",
        store_text="Keep relayed messages for the retention period (off: wiped once relayed).",
        retention_days="How long relayed messages are kept when stored.",
        requests_per_day="How many requests one member can make a day.",
    )
    async def setup(
        self,
        interaction: discord.Interaction[HavenBot],
        listener_role: discord.Role | None = None,
        channel: discord.TextChannel | None = None,
        topics: app_commands.Range[str, 1, 900] | None = None,
        reping_minutes: app_commands.Range[int, 1, 1440] | None = None,
        store_text: bool | None = None,
        retention_days: app_commands.Range[int, 1, 365] | None = None,
        requests_per_day: app_commands.Range[int, 1, 20] | None = None,
    ) -> None:
        """See or change how support requests work here."""
        assert interaction.guild is not None
        current = await self.support.update_settings(
            interaction.guild.id,
            listener_role_id=listener_role.id if listener_role else None,
            channel_id=channel.id if channel else None,
            topics=topics,
            reping_seconds=None if reping_minutes is None else reping_minutes * 60,
            store_text=store_text,
            retention_days=retention_days,
            requests_per_day=requests_per_day,
        )
        on, off = self.t(interaction, "support.admin.on"), self.t(interaction, "support.admin.off")
        embed = discord.Embed(title=self.t(interaction, "support.admin.title"), colour=COLOUR)
        for name, value in (
            ("listener_role", f"<@&{current.listener_role_id}>" if current.listener_role_id else off),
            ("channel", f"<#{current.channel_id}>" if current.channel_id else off),
            ("topics", member_text(", ".join(current.topics), 1000)),
            ("reping", f"{current.reping_seconds // 60} min"),
            ("store_text", on if current.store_text else off),
            ("retention", str(current.retention_days)),
            ("requests_per_day", str(current.requests_per_day)),
        ):
            embed.add_field(name=self.t(interaction, f"support.admin.{name}"), value=value)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @admin_group.command(name="stats")
    async def stats(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Requests, waiting time, claimed share and time to claim over 30 days: counts, never content."""
        assert interaction.guild is not None
        counts = await self.support.counts(interaction.guild.id)
        share = "-" if counts.claimed_share is None else f"{counts.claimed_share * 100:.0f}%"
        text = self.t(
            interaction,
            "support.admin.stats",
            requests=counts.requests,
            claimed=share,
            waiting=counts.waiting_now,
            wait=_minutes(counts.median_wait_seconds),
            claim=_minutes(counts.median_claim_seconds),
            helped=counts.helped,
            not_helped=counts.not_helped,
        )
        await interaction.response.send_message(text, ephemeral=True)

    @admin_group.command(name="bad-faith")
    @app_commands.describe(flag="The flag number shown on the alert card (Flag #…).")
    async def bad_faith(
        self, interaction: discord.Interaction[HavenBot], flag: app_commands.Range[int, 1, 2_000_000_000]
    ) -> None:
        """Mark a peer's flag as made in bad faith; repeated ones limit that member's flags more."""
        assert interaction.guild is not None
        marked = await self.support.mark_bad_faith(flag, interaction.guild.id, interaction.user.id)
        key = "support.admin.bad_faith_marked" if marked else "support.admin.bad_faith_unknown"
        await interaction.response.send_message(self.t(interaction, key, flag=flag), ephemeral=True)

    # --- listeners

    async def require_listener(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        return await listener_guild(self.support, interaction)

    @listener_group.command(name="available")
    @app_commands.describe(
        from_hour="Only ping me from this hour (0-23, your time); leave out for any time.",
        to_hour="Only ping me until this hour (0-23, your time; 22 to 6 runs overnight).",
        timezone="Your timezone for those hours, e.g. Europe/Berlin (UTC if left out).",
    )
    async def available(
        self,
        interaction: discord.Interaction[HavenBot],
        from_hour: app_commands.Range[int, 0, 23] | None = None,
        to_hour: app_commands.Range[int, 0, 23] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        """Say you're available: you'll be pinged for new requests (within your hours, if you give them)."""
        guild = await self.require_listener(interaction)
        await self.support.set_available(
            guild.id, interaction.user.id, True, hours=(from_hour, to_hour), timezone=timezone
        )
        key = "support.listener.available"
        if from_hour is not None and to_hour is not None:
            key = "support.listener.available_hours"
        await interaction.response.send_message(
            self.t(interaction, key, start=from_hour, end=to_hour, zone=timezone or "UTC"), ephemeral=True
        )

    @listener_group.command(name="away")
    async def away(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Say you're away: no pings until you're available again."""
        guild = await self.require_listener(interaction)
        await self.support.set_available(guild.id, interaction.user.id, False)
        await interaction.response.send_message(self.t(interaction, "support.listener.away"), ephemeral=True)

    @listener_group.command(name="queue")
    async def queue(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Requests waiting for a listener."""
        guild = await self.require_listener(interaction)
        waiting = await self.support.waiting(guild.id)
        lines = [
            f"#{r.id} · {member_text(r.topic, 60)} · <t:{int(r.created_at.timestamp())}:R>"
            for r in waiting[:20]
        ]
        text = "\n".join(lines) or self.t(interaction, "support.listener.queue_empty")
        await interaction.response.send_message(text, ephemeral=True)

    @listener_group.command(name="guide")
    async def guide(self, interaction: discord.Interaction[HavenBot]) -> None:
        """What a listener does and doesn't do, and when to bring in a moderator."""
        await interaction.response.send_message(self.t(interaction, "support.listener.guide"), ephemeral=True)


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.0f} min"
