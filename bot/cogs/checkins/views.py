"""Mood buttons, snooze and skip, and the delete confirmation. Persistent: prompts keep working after a restart."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.cogs.resources.embeds import render_answer
from bot.domain.checkins import TAGS, Mood
from bot.domain.resources import Topic
from bot.i18n import Catalogs
from bot.services.checkins import Snooze
from bot.ui.base import funnelled
from bot.ui.confirm import ConfirmView
from bot.ui.input import component_id

if TYPE_CHECKING:
    from bot.app import HavenBot


from bot.cogs.checkins.saved import (
    AskModeratorButton,
    NoteButton,
    ShareCheckinButton,
    TagSelect,
    TellBuddyButton,
    bot_of,
    parts_of,
)


def mood_view(
    bot: HavenBot, locale: Any, prompt_id: int, guild_id: int, *, scheduled: bool, request_id: int = 0
) -> discord.ui.View:
    """Five mood buttons (and, on a scheduled prompt, Snooze and Skip).

    ``request_id`` (the ``/checkin now`` interaction) makes the buttons of one ``/checkin now`` record one check-in.
    """
    view = discord.ui.View(timeout=None)
    for mood in Mood:
        label = bot.i18n.text(f"checkin.mood.{mood.value}", locale)
        view.add_item(MoodButton(prompt_id, guild_id, int(mood), label, request_id))
    if scheduled:
        view.add_item(PromptButton("snooze", prompt_id, bot.i18n.text("checkin.button.snooze", locale)))
        view.add_item(PromptButton("skip", prompt_id, bot.i18n.text("checkin.button.skip", locale)))
    return view


class MoodButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ci:mood:(?P<prompt>\d+):(?P<guild>\d+):(?P<mood>[1-5])(?::(?P<request>\d+))?",
):
    """One point of the five-point scale: on a DM prompt (``prompt``) or a ``/checkin now`` (``request``)."""

    def __init__(
        self, prompt_id: int, guild_id: int, mood: int, label: str = "", request_id: int = 0
    ) -> None:
        custom_id = f"ci:mood:{prompt_id}:{guild_id}:{mood}" + (f":{request_id}" if request_id else "")
        super().__init__(
            discord.ui.Button(
                label=label[:80] or str(mood),
                emoji=Mood(mood).emoji,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
                row=0,
            )
        )
        self.prompt_id = prompt_id
        self.guild_id = guild_id
        self.mood = mood
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> MoodButton:
        return cls(
            component_id(match["prompt"]),
            component_id(match["guild"]),
            int(match["mood"]),
            item.label or "",
            component_id(match["request"] or "0"),
        )

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        t = bot.i18n.text
        loc = interaction.locale
        parts = parts_of(interaction)
        service = parts.checkins
        prompt_id = self.prompt_id or None
        if prompt_id is not None:
            prompt = await service.prompt(prompt_id)
            if prompt is None:
                await interaction.response.send_message(t("checkin.gone", loc), ephemeral=True)
                return
            if prompt.user_id != interaction.user.id:
                await interaction.response.send_message(t("checkin.not_yours", loc), ephemeral=True)
                return
        recorded = await service.record(
            self.guild_id,
            interaction.user.id,
            self.mood,
            prompt_id=prompt_id,
            request_id=self.request_id or None,
        )
        if recorded is None:
            await interaction.response.send_message(t("checkin.already", loc), ephemeral=True)
            return
        bot.metrics.checkin_answered(from_prompt=prompt_id is not None)
        mood = Mood(self.mood)
        text = t(
            "checkin.saved",
            loc,
            emoji=mood.emoji,
            word=t(f"checkin.mood.{mood.value}", loc),
            reflection=t(recorded.reflection_key, loc, **recorded.reflection_params),
        )
        view = discord.ui.View(timeout=None)
        view.add_item(NoteButton(recorded.checkin_id, t("checkin.button.note", loc)))
        server = await service.server_settings(self.guild_id)
        guild = bot.get_guild(self.guild_id)
        share_channel = (
            guild.get_channel(server.share_channel_id)
            if guild and server.enabled and server.share_channel_id
            else None
        )
        if share_channel is not None:
            label = t("checkin.button.share", loc, channel=share_channel.name)
            view.add_item(ShareCheckinButton(recorded.checkin_id, self.guild_id, self.mood, label))
        view.add_item(
            TagSelect(
                recorded.checkin_id,
                [(tag, t(f"checkin.tag.{tag}", loc)) for tag in TAGS],
                t("checkin.tags.placeholder", loc),
            )
        )
        embeds: list[discord.Embed] = []
        if recorded.follow_up:
            text += "\n\n" + t("checkin.follow_up", loc)
            # Only for members who chose it: nothing goes to anyone unless they press it.
            offer = await parts.follow_up.offer(self.guild_id, interaction.user.id, server)
            if offer.ask_moderator:
                view.add_item(
                    AskModeratorButton(
                        recorded.checkin_id, self.guild_id, t("checkin.button.ask_moderator", loc)
                    )
                )
            if offer.hint:
                text += "\n" + t("checkin.follow_up.hint", loc)
            if offer.tell_buddy:
                view.add_item(TellBuddyButton(self.guild_id, t("checkin.button.tell_buddy", loc)))
            answer = await parts.resources.answer(
                user_id=interaction.user.id, guild_id=None, country_text=None, topic=Topic.SUICIDE_CRISIS
            )
            embeds.append(render_answer(bot.i18n, loc, answer, parts.resources.directory))
        # Replace the mood buttons with the confirmation, so one prompt or /checkin now makes one check-in.
        await interaction.response.edit_message(content=text, embeds=embeds, view=view)


class PromptButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ci:(?P<action>snooze|skip):(?P<prompt>\d+)"
):
    """Snooze 1 h or Skip today on a scheduled prompt."""

    def __init__(self, action: str, prompt_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or action,
                style=discord.ButtonStyle.primary,
                custom_id=f"ci:{action}:{prompt_id}",
                row=1,
            )
        )
        self.action = action
        self.prompt_id = prompt_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> PromptButton:
        return cls(match["action"], component_id(match["prompt"]), item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        t = bot.i18n.text
        loc = interaction.locale
        service = parts_of(interaction).checkins
        prompt = await service.prompt(self.prompt_id)
        if prompt is None:
            await interaction.response.send_message(t("checkin.gone", loc), ephemeral=True)
            return
        if prompt.user_id != interaction.user.id:
            await interaction.response.send_message(t("checkin.not_yours", loc), ephemeral=True)
            return
        if self.action == "snooze":
            outcome = await service.snooze(prompt)
            done = outcome is Snooze.SNOOZED
            if outcome is Snooze.NOT_RUNNING:  # nothing would come in an hour: say so, and keep the buttons
                await interaction.response.send_message(t("checkin.snooze_not_running", loc), ephemeral=True)
                return
        else:
            done = await service.skip(prompt)
        if not done:
            await interaction.response.send_message(t("checkin.already", loc), ephemeral=True)
            return
        key = "checkin.snoozed" if self.action == "snooze" else "checkin.skipped"
        await interaction.response.edit_message(content=t(key, loc), view=None)


class DeleteConfirmView(ConfirmView):
    """Asks once before deleting a member's check-ins; shown privately, so only that member can press it."""

    def __init__(self, i18n: Catalogs, locale: Any, guild_id: int) -> None:
        super().__init__(i18n, locale, "checkin.delete.confirm", "checkin.delete.keep")
        self.guild_id = guild_id

    async def _delete(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        count = await parts_of(interaction).checkins.delete_everything(self.guild_id, interaction.user.id)
        self.stop()
        await interaction.response.edit_message(
            content=bot.i18n.text("checkin.delete.done", interaction.locale, count=count), view=None
        )

    async def _keep(self, interaction: discord.Interaction[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=bot_of(interaction).i18n.text("checkin.delete.kept", interaction.locale), view=None
        )


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    MoodButton,
    PromptButton,
    NoteButton,
    TagSelect,
    ShareCheckinButton,
    AskModeratorButton,
    TellBuddyButton,
)
