"""Buttons on pairing DMs (persistent: they keep working after a restart) and the topic picker for /buddy join."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.cogs.buddies.collaborators import BuddyCollaborators
from bot.cogs.buddies.intro import intro_embed
from bot.domain.pairing import LookingFor
from bot.ui.base import BaseView, funnelled
from bot.ui.input import component_id

if TYPE_CHECKING:
    from bot.app import HavenBot

ACTIONS = ("who", "hello", "notnow", "worried", "talked", "notyet", "end")
STYLES = {
    "who": discord.ButtonStyle.primary,
    "hello": discord.ButtonStyle.success,
    "notnow": discord.ButtonStyle.secondary,
    "worried": discord.ButtonStyle.danger,
    "talked": discord.ButtonStyle.success,
    "notyet": discord.ButtonStyle.secondary,
    "end": discord.ButtonStyle.secondary,
}


def _bot(interaction: discord.Interaction[Any]) -> HavenBot:
    return cast("HavenBot", interaction.client)


def _parts(interaction: discord.Interaction[Any]) -> BuddyCollaborators:
    return BuddyCollaborators.of(interaction.client)


def _wake(interaction: discord.Interaction[Any]) -> None:
    """Send the DMs an answer queued (the other person told, "You're buddies!") now, not at the next tick."""
    _parts(interaction).wake()


def pairing_view(bot: HavenBot, locale: Any, pairing_id: int, actions: tuple[str, ...]) -> discord.ui.View:
    """The buttons for one kind of pairing DM."""
    view = discord.ui.View(timeout=None)
    for action in actions:
        row = 1 if action == "worried" else 0
        view.add_item(BuddyButton(action, pairing_id, bot.i18n.text(f"buddy.button.{action}", locale), row))
    return view


class BuddyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"bd:(?P<action>who|hello|notnow|worried|talked|notyet|end):(?P<pairing>\d+)",
):
    """Show my buddy / Say hello / Not this time / I'm worried about my buddy / Yes / Not yet / End pairing."""

    def __init__(self, action: str, pairing_id: int, label: str = "", row: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or action,
                style=STYLES[action],
                custom_id=f"bd:{action}:{pairing_id}",
                row=row,
            )
        )
        self.action = action
        self.pairing_id = pairing_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> BuddyButton:
        return cls(match["action"], component_id(match["pairing"]), item.label or "", item.row or 0)

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        t = bot.i18n.text
        loc = interaction.locale
        service = _parts(interaction).buddies
        pairing = await service.pairing(self.pairing_id)
        if pairing is None or pairing.member(interaction.user.id) is None:
            await interaction.response.send_message(t("buddy.not_yours", loc), ephemeral=True)
            return
        if self.action == "who":  # the introduction, privately (from a thread moderators can read)
            profiles = await service.profiles(pairing.guild_id, [m.user_id for m in pairing.members])
            await interaction.response.send_message(
                embed=intro_embed(bot, loc, interaction.user.id, pairing, profiles),
                ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        if self.action in ("hello", "notnow"):
            outcome = await service.respond(self.pairing_id, interaction.user.id, self.action == "hello")
            key = {
                "active": "buddy.respond.active",
                "waiting": "buddy.respond.waiting",
                "declined": "buddy.respond.declined",
                "already": "buddy.respond.already",
                "gone": "buddy.respond.gone",
            }[outcome]
            await interaction.response.send_message(t(key, loc), ephemeral=True)
            _wake(interaction)
            return
        if self.action == "worried":
            alert_id = await service.worried(self.pairing_id, interaction.user.id)
            key = "buddy.worried.sent" if alert_id is not None else "buddy.worried.recently"
            await interaction.response.send_message(t(key, loc), ephemeral=True)
            if alert_id is not None:  # after answering, so a slow Discord never makes the click time out
                await _parts(interaction).deliver_alert(alert_id)
            return
        if self.action in ("talked", "notyet"):
            await service.halfway_answer(
                self.pairing_id, interaction.user.id, "yes" if self.action == "talked" else "not_yet"
            )
            key = "buddy.halfway.thanks_yes" if self.action == "talked" else "buddy.halfway.thanks_not_yet"
            await interaction.response.send_message(t(key, loc), ephemeral=True)
            return
        ended = await service.end_pairing(self.pairing_id, interaction.user.id)
        await interaction.response.send_message(
            t("buddy.ended" if ended else "buddy.respond.gone", loc), ephemeral=True
        )
        _wake(interaction)


class JoinView(BaseView):
    """The topic picker after /buddy join (private, so only that member can use it)."""

    def __init__(
        self,
        bot: HavenBot,
        locale: Any,
        topics: tuple[str, ...],
        current: tuple[str, ...],
        *,
        timezone: str,
        looking_for: LookingFor,
        intro: str | None,
        is_listener: bool,
    ) -> None:
        super().__init__(timeout=900)
        self.timezone, self.looking_for, self.intro, self.is_listener = (
            timezone,
            looking_for,
            intro,
            is_listener,
        )
        select: discord.ui.Select[Any] = discord.ui.Select(
            placeholder=bot.i18n.text("buddy.join.placeholder", locale)[:150],
            min_values=1,
            max_values=min(len(topics), 25),
            options=[
                discord.SelectOption(label=topic[:100], value=topic[:100], default=topic in current)
                for topic in topics[:25]
            ],
        )
        select.callback = self._chosen
        self.select = select
        self.add_item(select)

    async def _chosen(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        t = bot.i18n.text
        assert interaction.guild is not None
        result = await _parts(interaction).buddies.join(
            interaction.guild.id,
            interaction.user.id,
            topics=list(self.select.values),
            timezone=self.timezone,
            looking_for=self.looking_for,
            intro=self.intro,
            is_listener=self.is_listener,
        )
        self.stop()
        bot.metrics.paired(1 if result.paired_with else 0, trigger="join")
        key = "buddy.join.paired" if result.paired_with else "buddy.join.waiting"
        await interaction.response.edit_message(
            content=t(key, interaction.locale, topics=", ".join(self.select.values)), view=None
        )
        _wake(interaction)  # send the introductions now


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (BuddyButton,)
