"""Buttons on an alert card (persistent: they work after a restart) and the allow-list form."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.cogs.crisis.cards import reason_text, render_card
from bot.cogs.crisis.collaborators import CrisisCollaborators
from bot.domain.alerts import Alert, Status
from bot.domain.crisis import Severity
from bot.services.crisis import NotAlertModerator
from bot.ui.base import BaseModal, funnelled
from bot.ui.input import code_text, component_id, member_text

if TYPE_CHECKING:
    from bot.app import HavenBot

ACTIONS = ("claim", "resolve", "false", "reveal", "allow", "identity")


def _bot(interaction: discord.Interaction[Any]) -> HavenBot:
    return cast("HavenBot", interaction.client)


def _parts(interaction: discord.Interaction[Any]) -> CrisisCollaborators:
    return CrisisCollaborators.of(interaction.client)


def card_view(bot: HavenBot, alert: Alert, locale: Any, *, masked: str | None = None) -> discord.ui.View:
    """The buttons under a card: I'm on it, Resolved, False alarm, Reveal for DMs, Reveal identity for an alias."""
    t = bot.i18n.text
    view = discord.ui.View(timeout=None)
    active = alert.status.active
    view.add_item(
        AlertButton(
            "claim",
            alert.id,
            t("crisis.button.claim", locale),
            discord.ButtonStyle.success,
            disabled=alert.status is not Status.OPEN,
        )
    )
    view.add_item(
        AlertButton(
            "resolve",
            alert.id,
            t("crisis.button.resolve", locale),
            discord.ButtonStyle.primary,
            disabled=not active,
        )
    )
    view.add_item(
        AlertButton(
            "false",
            alert.id,
            t("crisis.button.false", locale),
            discord.ButtonStyle.secondary,
            disabled=not active,
        )
    )
    if alert.from_dm and alert.excerpt is not None:
        view.add_item(
            AlertButton("reveal", alert.id, t("crisis.button.reveal", locale), discord.ButtonStyle.danger)
        )
    if masked:
        view.add_item(
            AlertButton(
                "identity", alert.id, t("crisis.button.reveal_identity", locale), discord.ButtonStyle.danger
            )
        )
    return view


async def require_moderator(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The guild, if the person pressing is one of its moderators (the alert role, or Manage Server)."""
    guild = interaction.guild
    if guild is None or not isinstance(interaction.user, discord.Member):
        raise NotAlertModerator()
    settings = await _parts(interaction).guild_settings.get(guild.id)
    has_role = settings.moderator_role_id is not None and any(
        r.id == settings.moderator_role_id for r in interaction.user.roles
    )
    if not (has_role or interaction.permissions.manage_guild):
        raise NotAlertModerator()
    return guild


class AlertButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"crisis:(?P<action>[a-z]+):(?P<id>\d+)"
):
    """One of the card's buttons."""

    def __init__(
        self,
        action: str,
        alert_id: int,
        label: str = "",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        *,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or action,
                style=style,
                custom_id=f"crisis:{action}:{alert_id}",
                disabled=disabled,
            )
        )
        self.action = action
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> AlertButton:
        return cls(
            match["action"], component_id(match["id"]), item.label or "", item.style, disabled=item.disabled
        )

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        crisis = _parts(interaction).crisis
        t = bot.i18n.text
        loc = interaction.locale
        if self.action not in ACTIONS:  # only a modified client sends this: the same answer as an old button
            await interaction.response.send_message(t("error.stale_component", loc), ephemeral=True)
            return
        guild = await require_moderator(interaction)
        if self.action == "allow":
            await interaction.response.send_modal(AllowModal(bot, loc))
            return
        if self.action == "identity":
            await _reveal_identity(interaction, self.alert_id, guild)
            return
        if self.action == "reveal":
            alert = await crisis.alert(self.alert_id)
            if alert is None or alert.guild_id != guild.id or alert.excerpt is None:
                await interaction.response.send_message(t("crisis.reveal.gone", loc), ephemeral=True)
                return
            count = await crisis.reveal(alert.id, interaction.user.id)
            text = t("crisis.reveal.text", loc, excerpt=member_text(alert.excerpt, 1800), count=count)
            if alert.matched:  # before the excerpt, whose quote runs to the end of the message
                why = t(
                    "crisis.reveal.matched",
                    loc,
                    matched=discord.utils.escape_mentions(reason_text(bot, alert.matched, loc)),
                )
                text = f"{why}\n{text}"
            await interaction.response.send_message(text[:2000], ephemeral=True)
            return
        change = {"claim": crisis.claim, "resolve": crisis.resolve, "false": crisis.false_alarm}[self.action]
        changed = await change(self.alert_id, guild.id, interaction.user.id)
        alert = await crisis.alert(self.alert_id)
        if alert is None or alert.guild_id != guild.id:  # deleted since, or not an alert of this server
            await interaction.response.send_message(t("error.stale_component", loc), ephemeral=True)
            return
        if not changed:
            await interaction.response.send_message(t("crisis.button.too_late", loc), ephemeral=True)
            return
        await _edit_card(interaction, alert, guild)
        if self.action == "false":
            offer = discord.ui.View(timeout=None)
            offer.add_item(
                AlertButton("allow", alert.id, t("crisis.button.allow", loc), discord.ButtonStyle.secondary)
            )
            await interaction.followup.send(t("crisis.false_alarm.offer", loc), view=offer, ephemeral=True)


async def _edit_card(interaction: discord.Interaction[Any], alert: Alert, guild: discord.Guild) -> None:
    """Show the card as it is now, in place of the one whose button was pressed."""
    bot = _bot(interaction)
    parts = _parts(interaction)
    await parts.crisis.take_card_edit(alert.id)
    recent = await parts.crisis.recent_alert_count(alert.guild_id, alert.member_id, exclude=alert.id)
    masked = await parts.masks.alias(alert)
    locale = guild.preferred_locale
    await interaction.response.edit_message(
        embed=render_card(bot, alert, locale, recent=recent, masked=masked),
        view=card_view(bot, alert, locale, masked=masked),
    )


async def _reveal_identity(
    interaction: discord.Interaction[Any], alert_id: int, guild: discord.Guild
) -> None:
    """Reveal Identity: recorded, the listener told; the card then names the member."""
    parts = _parts(interaction)
    alert = await parts.crisis.alert(alert_id)
    if alert is None or alert.guild_id != guild.id:
        text = _bot(interaction).i18n.text("error.stale_component", interaction.locale)
        await interaction.response.send_message(text, ephemeral=True)
        return
    await parts.masks.reveal(alert, interaction.user.id)  # False: someone revealed them already
    await _edit_card(interaction, alert, guild)


class AllowModal(BaseModal):
    """Add a phrase to the server's allow-list after a false alarm."""

    def __init__(self, bot: HavenBot, locale: Any) -> None:
        super().__init__(title=bot.i18n.text("crisis.allow.title", locale)[:45], custom_id="crisis:allowform")
        self.phrase: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=bot.i18n.text("crisis.allow.label", locale)[:45], max_length=100, custom_id="phrase"
        )
        self.add_item(self.phrase)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        guild = await require_moderator(interaction)
        bot = _bot(interaction)
        phrase = await _parts(interaction).crisis.add_phrase(
            guild.id, self.phrase.value, Severity.WATCH, interaction.user.id, allow=True
        )
        await interaction.response.send_message(
            bot.i18n.text("crisis.allow.added", interaction.locale, phrase=code_text(phrase, 200)),
            ephemeral=True,
        )


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (AlertButton,)
