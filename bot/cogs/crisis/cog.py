"""Scanning messages, running the delivery loop, and the /crisis commands (/privacy lives in cogs/privacy)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.crisis.collaborators import CrisisCollaborators
from bot.cogs.crisis.delivery import Delivery
from bot.cogs.crisis.views import DYNAMIC_ITEMS
from bot.domain.crisis import Severity
from bot.permissions import require_manage_guild
from bot.services.crisis import MessageToScan, ScanOutcome
from bot.ui.input import code_text

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
COLOUR = discord.Colour(0x5B8DEF)
SEVERITY_CHOICES = [
    app_commands.Choice(name="Imminent (pings moderators)", value="imminent"),
    app_commands.Choice(name="High (pings moderators)", value="high"),
    app_commands.Choice(name="Moderate (card without a ping)", value="moderate"),
]
PURGE_EVERY_SECONDS = 3600
REQUEUE_EVERY_SECONDS = 60
SCANNED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


class CrisisCog(commands.Cog):
    """Crisis-language scanning and escalation to moderators."""

    crisis_group = app_commands.Group(
        name="crisis",
        description="Crisis alerts (the detector reads English only): test, see alerts and stats, tune (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    phrase_group = app_commands.Group(
        name="phrase", description="This server's extra phrases.", parent=crisis_group
    )
    allow_group = app_commands.Group(
        name="allow", description="Phrases never to alert on here.", parent=crisis_group
    )

    def __init__(self, bot: HavenBot, parts: CrisisCollaborators, delivery: Delivery) -> None:
        self.bot = bot
        self.parts = parts
        self.crisis = parts.crisis
        self.delivery = delivery

    async def cog_load(self) -> None:
        self.parts.register(self.bot)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        # Cards, edits, re-pings and member replies are sent by the one delivery engine (bot/delivery).
        self.delivery.register()
        self.parts.engine.every(PURGE_EVERY_SECONDS, self.crisis.purge_old_excerpts)
        self.parts.engine.every(REQUEUE_EVERY_SECONDS, self.crisis.requeue_unsent_cards)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.parts.unregister(self.bot)

    # --- scanning

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or message.type not in SCANNED_TYPES:
            return
        await self._scan(message.author, message.channel, message.id, message.content, edited=False)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        message = payload.message
        if message.author.bot or message.webhook_id is not None or not message.content:
            return
        await self._scan(message.author, message.channel, message.id, message.content, edited=True)

    async def _scan(
        self, author: discord.User | discord.Member, channel: Any, message_id: int, text: str, *, edited: bool
    ) -> None:
        if not text:
            return
        guild = getattr(channel, "guild", None)
        if guild is not None:
            member = author if isinstance(author, discord.Member) else guild.get_member(author.id)
            roles = [r.id for r in member.roles] if member is not None else []
            targets = [(guild, channel.id, roles)]
        else:  # a DM to Haven: every server we share with the member that has alerts set up
            targets = [
                (g, None, [r.id for r in m.roles])
                for g in self.bot.guilds
                if (m := g.get_member(author.id)) is not None
            ]
        raised = False
        for target_guild, channel_id, roles in targets:
            settings = await self.parts.guild_settings.get(target_guild.id)
            result = await self.crisis.scan(
                MessageToScan(
                    guild_id=target_guild.id,
                    member_id=author.id,
                    channel_id=channel_id,
                    message_id=message_id,
                    text=text,
                    role_ids=roles,
                    from_dm=guild is None,
                    edited=edited,
                ),
                alerts_configured=settings.alerts_configured,
            )
            self.bot.metrics.scanned(result.outcome.value)
            if result.outcome in (ScanOutcome.NEW, ScanOutcome.UPDATED) and result.alert_id is not None:
                raised = True
                await self.delivery.deliver(result.alert_id)
        if guild is None and not raised and not edited:
            await self._reply_without_moderators(author, text)

    async def _reply_without_moderators(self, author: discord.User | discord.Member, text: str) -> None:
        """Someone wrote to Haven in crisis, and no server of theirs has alerts set up: still answer kindly."""
        detection = await self.crisis.direct_reply(author.id, text)
        if detection is not None:
            await self.delivery.reply_directly(author, detection)

    # --- /crisis for moderators

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        command = interaction.command
        if isinstance(command, app_commands.Command) and command.root_parent is self.crisis_group:
            require_manage_guild(interaction)
        return True

    def _t(self, interaction: discord.Interaction[Any], key: str, **params: Any) -> str:
        return self.bot.i18n.text(key, interaction.locale, **params)

    @crisis_group.command(name="test")
    @app_commands.describe(
        text="The text to try (the detector reads English only). Nothing is stored or sent."
    )
    async def test(
        self, interaction: discord.Interaction[HavenBot], text: app_commands.Range[str, 1, 2000]
    ) -> None:
        """See privately what the detector would do with an English text, and why."""
        detection = await self.crisis.test(interaction.guild_id, text)
        if detection.severity is None:
            verdict = self._t(interaction, "crisis.test.nothing")
        elif not detection.alert:
            verdict = self._t(interaction, "crisis.test.watch")
        else:
            verdict = self._t(
                interaction,
                "crisis.test.alert",
                severity=self._t(interaction, f"crisis.severity.{detection.severity.label}"),
                kind=self._t(
                    interaction, f"crisis.kind.{detection.kind.value if detection.kind else 'self'}"
                ),
            )
        reasons = "\n".join(f"• {line}" for line in detection.explain()) or self._t(
            interaction, "crisis.test.no_reasons"
        )
        embed = discord.Embed(
            title=self._t(interaction, "crisis.test.title"), description=verdict, colour=COLOUR
        )
        embed.add_field(name=self._t(interaction, "crisis.test.why"), value=reasons[:1024], inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @crisis_group.command(name="alerts")
    async def alerts(self, interaction: discord.Interaction[HavenBot]) -> None:
        """List this server's open and claimed alerts."""
        assert interaction.guild is not None
        active = await self.crisis.active_alerts(interaction.guild.id)
        embed = discord.Embed(title=self._t(interaction, "crisis.alerts.title"), colour=COLOUR)
        if not active:
            embed.description = self._t(interaction, "crisis.alerts.none")
        settings = await self.parts.guild_settings.get(interaction.guild.id)
        for alert in active[:25]:
            link = (
                f"https://discord.com/channels/{alert.guild_id}/{settings.alert_channel_id}/{alert.card_message_id}"
                if alert.card_message_id
                else self._t(interaction, "crisis.alerts.not_delivered")
            )
            status = self._t(interaction, f"crisis.status.{alert.status.value}")
            severity = self._t(interaction, f"crisis.severity.{alert.severity.label}")
            who = await self.parts.masks.alias(alert) or f"<@{alert.member_id}>"
            embed.add_field(
                name=f"#{alert.id} · {severity} · {status}",
                value=f"{who} · <t:{int(alert.created_at.timestamp())}:R> · {link}"[:1024],
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @crisis_group.command(name="stats")
    async def stats(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Alert counts by severity, false-alarm rate and time to claim, over 7 and 30 days."""
        assert interaction.guild is not None
        week, month = await self.crisis.stats(interaction.guild.id)
        embed = discord.Embed(title=self._t(interaction, "crisis.stats.title"), colour=COLOUR)
        for period in (week, month):
            counts = ", ".join(
                f"{self._t(interaction, f'crisis.severity.{name}')}: {n}"
                for name, n in period.by_severity.items()
            )
            rate = "-" if period.false_alarm_rate is None else f"{period.false_alarm_rate * 100:.0f}%"
            claim = "-" if period.median_claim_seconds is None else _duration(period.median_claim_seconds)
            embed.add_field(
                name=self._t(interaction, "crisis.stats.period", days=period.days),
                value=self._t(
                    interaction,
                    "crisis.stats.value",
                    total=period.total,
                    counts=counts,
                    rate=rate,
                    claim=claim,
                ),
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @phrase_group.command(name="add")
    @app_commands.describe(
        text="A phrase; * at the start or end matches part of a word (word*, *word, *word*).",
        severity="How urgent a match is.",
    )
    @app_commands.choices(severity=SEVERITY_CHOICES)
    async def phrase_add(self, interaction: discord.Interaction[HavenBot], text: str, severity: str) -> None:
        """Add a phrase that raises an alert in this server."""
        assert interaction.guild is not None
        phrase = await self.crisis.add_phrase(
            interaction.guild.id, text, Severity.parse(severity), interaction.user.id
        )
        await interaction.response.send_message(
            self._t(interaction, "crisis.phrase.added", phrase=code_text(phrase, 200)), ephemeral=True
        )

    @phrase_group.command(name="remove")
    @app_commands.describe(text="The phrase to remove, exactly as listed.")
    async def phrase_remove(self, interaction: discord.Interaction[HavenBot], text: str) -> None:
        """Remove one of this server's phrases."""
        assert interaction.guild is not None
        await self.crisis.remove_phrase(interaction.guild.id, text)
        await interaction.response.send_message(self._t(interaction, "crisis.phrase.removed"), ephemeral=True)

    @phrase_group.command(name="list")
    async def phrase_list(self, interaction: discord.Interaction[HavenBot]) -> None:
        """See this server's extra phrases."""
        assert interaction.guild is not None
        phrases = await self.crisis.phrases(interaction.guild.id)
        lines = [
            f"`{code_text(p, 200)}` ({self._t(interaction, f'crisis.severity.{s.label}')})"
            for p, s in phrases
        ]
        await interaction.response.send_message(
            _listing(lines, self._t(interaction, "crisis.phrase.none")), ephemeral=True
        )

    @allow_group.command(name="add")
    @app_commands.describe(text="A phrase that should never raise an alert here, e.g. a game's name.")
    async def allow_add(self, interaction: discord.Interaction[HavenBot], text: str) -> None:
        """Never alert on this phrase in this server."""
        assert interaction.guild is not None
        phrase = await self.crisis.add_phrase(
            interaction.guild.id, text, Severity.WATCH, interaction.user.id, allow=True
        )
        await interaction.response.send_message(
            self._t(interaction, "crisis.allow.added", phrase=code_text(phrase, 200)), ephemeral=True
        )

    @allow_group.command(name="remove")
    @app_commands.describe(text="The phrase to take off the allow-list.")
    async def allow_remove(self, interaction: discord.Interaction[HavenBot], text: str) -> None:
        """Take a phrase off this server's allow-list."""
        assert interaction.guild is not None
        await self.crisis.remove_phrase(interaction.guild.id, text, allow=True)
        await interaction.response.send_message(self._t(interaction, "crisis.phrase.removed"), ephemeral=True)

    @allow_group.command(name="list")
    async def allow_list(self, interaction: discord.Interaction[HavenBot]) -> None:
        """See this server's allow-list."""
        assert interaction.guild is not None
        phrases = await self.crisis.phrases(interaction.guild.id, allow=True)
        await interaction.response.send_message(
            _listing(
                [f"`{code_text(p, 200)}`" for p, _ in phrases], self._t(interaction, "crisis.phrase.none")
            ),
            ephemeral=True,
        )

    @crisis_group.command(name="ignore")
    @app_commands.describe(
        channel="A channel not to scan (or to scan again).",
        role="A role whose members' messages are not scanned (or are again).",
    )
    async def ignore(
        self,
        interaction: discord.Interaction[HavenBot],
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
    ) -> None:
        """Stop (or start again) scanning a channel or a role's members."""
        assert interaction.guild is not None
        target = channel or role
        if target is None:
            ignored = await self.crisis.ignored(interaction.guild.id)
            lines = [f"<#{i}>" if kind == "channel" else f"<@&{i}>" for i, kind in ignored.items()]
            await interaction.response.send_message(
                _listing(lines, self._t(interaction, "crisis.ignore.none")), ephemeral=True
            )
            return
        now_ignored = await self.crisis.toggle_ignored(
            interaction.guild.id, target.id, "channel" if channel else "role"
        )
        key = "crisis.ignore.on" if now_ignored else "crisis.ignore.off"
        await interaction.response.send_message(
            self._t(interaction, key, target=target.mention), ephemeral=True
        )

    @crisis_group.command(name="settings")
    @app_commands.describe(
        scanning="Scan messages in this server at all.",
        auto_reply="Send the member a kind private message with help.",
        tell_member="Tell the member that a moderator has been told.",
        allow_optout="Let members turn off scanning of their own messages (/privacy scanning).",
        cooldown_minutes="After a card is closed, fold new messages into it for this long (imminent never waits).",
        reping_minutes="Ping again if nobody claims a card within this many minutes.",
        escalation_role="A second role to ping if the card is still unclaimed after the re-ping.",
        clear_escalation_role="Stop pinging a second role.",
        retention_days="Delete alert excerpts after this many days; counts remain.",
    )
    async def settings(
        self,
        interaction: discord.Interaction[HavenBot],
        scanning: bool | None = None,
        auto_reply: bool | None = None,
        tell_member: bool | None = None,
        allow_optout: bool | None = None,
        cooldown_minutes: app_commands.Range[int, 0, 1440] | None = None,
        reping_minutes: app_commands.Range[int, 1, 1440] | None = None,
        escalation_role: discord.Role | None = None,
        clear_escalation_role: bool | None = None,
        retention_days: app_commands.Range[int, 1, 365] | None = None,
    ) -> None:
        """See or change how crisis alerts work in this server."""
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        if clear_escalation_role:
            await self.crisis.clear_escalation_role(guild_id)
        current = await self.crisis.update_settings(
            guild_id,
            scanning=scanning,
            auto_reply=auto_reply,
            tell_member=tell_member,
            allow_optout=allow_optout,
            cooldown_seconds=None if cooldown_minutes is None else cooldown_minutes * 60,
            reping_seconds=None if reping_minutes is None else reping_minutes * 60,
            escalation_role_id=escalation_role.id if escalation_role else None,
            retention_days=retention_days,
        )
        on, off = self._t(interaction, "crisis.settings.on"), self._t(interaction, "crisis.settings.off")
        embed = discord.Embed(title=self._t(interaction, "crisis.settings.title"), colour=COLOUR)
        for name, value in (
            ("scanning", on if current.scanning else off),
            ("auto_reply", on if current.auto_reply else off),
            ("tell_member", on if current.tell_member else off),
            ("allow_optout", on if current.allow_optout else off),
            ("cooldown", _duration(current.cooldown_seconds)),
            ("reping", _duration(current.reping_seconds)),
            ("escalation_role", f"<@&{current.escalation_role_id}>" if current.escalation_role_id else off),
            ("retention", self._t(interaction, "crisis.settings.days", days=current.retention_days)),
        ):
            embed.add_field(name=self._t(interaction, f"crisis.settings.{name}"), value=value)
        await interaction.response.send_message(embed=embed, ephemeral=True)


def _listing(lines: list[str], empty: str) -> str:
    text = ""
    for line in lines:
        if len(text) + len(line) + 1 > 1900:
            text += "\n…"
            break
        text += ("\n" if text else "") + line
    return text or empty


def _duration(seconds: float) -> str:
    delta = timedelta(seconds=round(seconds))
    if delta < timedelta(minutes=1):
        return f"{delta.seconds} s"
    if delta < timedelta(hours=1):
        return f"{delta.seconds // 60} min"
    return f"{delta.total_seconds() / 3600:.1f} h"
