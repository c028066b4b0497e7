"""Buttons on a saved check-in: share it, ask a moderator, tell my buddy, add a note or tags. Persistent."""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.cogs.checkins.collaborators import CheckinCollaborators
from bot.domain.checkins import TAGS, Mood
from bot.services.buddies import NoPairing
from bot.ui.base import BaseModal, funnelled
from bot.ui.input import clip, component_id

if TYPE_CHECKING:
    from bot.app import HavenBot


def bot_of(interaction: discord.Interaction[Any]) -> HavenBot:
    """The bot (its catalogs and metrics) behind an interaction."""
    return cast("HavenBot", interaction.client)


def parts_of(interaction: discord.Interaction[Any]) -> CheckinCollaborators:
    """The check-in collaborators the cog registered for this bot."""
    return CheckinCollaborators.of(interaction.client)


async def _is_member(guild: discord.Guild, user: discord.abc.User) -> bool:
    """Whether ``user`` is still in ``guild`` (the cache may be cold after a restart: then Discord is asked)."""
    if isinstance(user, discord.Member) and user.guild.id == guild.id:
        return True
    if guild.get_member(user.id) is not None:
        return True
    try:
        await guild.fetch_member(user.id)
    except discord.NotFound:
        return False
    return True


class ShareCheckinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ci:share:(?P<checkin>\d+):(?P<guild>\d+):(?P<mood>[1-5])",
):
    """Share just the mood in the server's check-in channel (asked each time)."""

    def __init__(self, checkin_id: int, guild_id: int, mood: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "Share",
                style=discord.ButtonStyle.secondary,
                custom_id=f"ci:share:{checkin_id}:{guild_id}:{mood}",
                row=0,
            )
        )
        # The mood posted is the one saved, not the one in the custom id.
        self.checkin_id, self.guild_id = checkin_id, guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ShareCheckinButton:
        return cls(
            component_id(match["checkin"]), component_id(match["guild"]), int(match["mood"]), item.label or ""
        )

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        t = bot.i18n.text
        loc = interaction.locale
        service = parts_of(interaction).checkins
        guild = bot.get_guild(self.guild_id)
        if guild is None or not await _is_member(guild, interaction.user):
            await interaction.response.send_message(t("checkin.share.not_member", loc), ephemeral=True)
            return
        server = await service.server_settings(self.guild_id)
        channel = guild.get_channel(server.share_channel_id) if server.share_channel_id else None
        if server.enabled and not isinstance(channel, discord.TextChannel):
            await interaction.response.send_message(t("checkin.share.no_channel", loc), ephemeral=True)
            return
        # One post per check-in: claimed in the database first (gone, shared already, or turned off: a kind word).
        mood = Mood(await service.share(self.checkin_id, self.guild_id, interaction.user.id))
        assert isinstance(channel, discord.TextChannel)
        locale = guild.preferred_locale
        try:
            await channel.send(
                t(
                    "checkin.shared_post",
                    locale,
                    member=interaction.user.mention,
                    emoji=mood.emoji,
                    word=t(f"checkin.mood.{mood.value}", locale),
                ),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            await service.share_failed(self.checkin_id)
            await interaction.response.send_message(
                t("checkin.share.failed", loc, channel=channel.mention), ephemeral=True
            )
            return
        await interaction.response.send_message(
            t("checkin.shared", loc, channel=channel.mention), ephemeral=True
        )


class AskModeratorButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ci:askmod:(?P<checkin>\d+):(?P<guild>\d+)"
):
    """After a low check-in: ask a moderator to reach out. Nothing is sent unless the member presses it."""

    def __init__(self, checkin_id: int, guild_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "Ask a moderator",
                style=discord.ButtonStyle.primary,
                custom_id=f"ci:askmod:{checkin_id}:{guild_id}",
                row=2,
            )
        )
        self.checkin_id, self.guild_id = checkin_id, guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> AskModeratorButton:
        return cls(component_id(match["checkin"]), component_id(match["guild"]), item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        parts = parts_of(interaction)
        alert_id = await parts.crisis.request_check_in(self.guild_id, interaction.user.id, self.checkin_id)
        await interaction.response.send_message(
            bot.i18n.text("checkin.moderator_asked", interaction.locale), ephemeral=True
        )
        await parts.deliver_alert(
            alert_id
        )  # after answering, so a slow Discord never makes the click time out


class TellBuddyButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ci:buddy:(?P<guild>\d+)"):
    """After a low check-in: let my buddy know I'm having a hard day. Nothing is sent unless the member presses it,
    and the buddy hears only that, never the mood or the note."""

    def __init__(self, guild_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "Let my buddy know",
                style=discord.ButtonStyle.primary,
                custom_id=f"ci:buddy:{guild_id}",
                row=2,
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> TellBuddyButton:
        return cls(component_id(match["guild"]), item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        parts = parts_of(interaction)
        try:
            sent = await parts.buddies.nudge(self.guild_id, interaction.user.id)
        except NoPairing:
            await interaction.response.send_message(
                bot.i18n.text("checkin.buddy_none", interaction.locale), ephemeral=True
            )
            return
        key = "checkin.buddy_told" if sent else "checkin.buddy_told_already"
        await interaction.response.send_message(bot.i18n.text(key, interaction.locale), ephemeral=True)
        if sent:
            parts.wake_buddies()


class NoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ci:note:(?P<checkin>\d+)"):
    """Add a note to a check-in."""

    def __init__(self, checkin_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "Note",
                style=discord.ButtonStyle.secondary,
                custom_id=f"ci:note:{checkin_id}",
                row=0,
            )
        )
        self.checkin_id = checkin_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> NoteButton:
        return cls(component_id(match["checkin"]), item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        await parts_of(interaction).checkins.still_there(
            self.checkin_id, interaction.user.id
        )  # deleted: say so first
        await interaction.response.send_modal(NoteModal(bot, interaction.locale, self.checkin_id))


class NoteModal(BaseModal):
    """A note of up to 1,000 characters; Discord keeps what was typed if something goes wrong."""

    def __init__(self, bot: HavenBot, locale: Any, checkin_id: int) -> None:
        super().__init__(
            title=bot.i18n.text("checkin.note.title", locale)[:45], custom_id=f"ci:noteform:{checkin_id}"
        )
        self.checkin_id = checkin_id
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=bot.i18n.text("checkin.note.label", locale)[:45],
            style=discord.TextStyle.paragraph,
            max_length=1000,
            required=False,
            custom_id="note",
        )
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        bot = bot_of(interaction)
        kept = await parts_of(interaction).checkins.add_note(
            self.checkin_id, interaction.user.id, self.note.value
        )
        key = "checkin.note.saved" if kept else "checkin.note.cleared"
        await interaction.response.send_message(bot.i18n.text(key, interaction.locale), ephemeral=True)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:
        """The usual private answer, plus the note itself so nothing the member wrote is lost."""
        await super().on_error(interaction, error)
        text = self.note.value.strip()
        if text and not interaction.is_expired():
            kept = bot_of(interaction).i18n.text("checkin.note.kept", interaction.locale)
            room = 2000 - len(kept) - len("\n```\n\n```")
            body = clip(text.replace("`", "\u02cb"), room)  # never more than one message holds
            with contextlib.suppress(discord.HTTPException):
                await interaction.followup.send(f"{kept}\n```\n{body}\n```", ephemeral=True)


class TagSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"ci:tags:(?P<checkin>\d+)"):
    """Optional tags for a check-in."""

    def __init__(
        self, checkin_id: int, options: list[tuple[str, str]] | None = None, placeholder: str = ""
    ) -> None:
        opts = [discord.SelectOption(label=label[:100], value=value) for value, label in (options or [])]
        super().__init__(
            discord.ui.Select(
                custom_id=f"ci:tags:{checkin_id}",
                placeholder=placeholder[:150] or None,
                min_values=0,
                max_values=max(1, len(opts)),
                options=opts or [discord.SelectOption(label=t, value=t) for t in TAGS],
                row=1,
            )
        )
        self.checkin_id = checkin_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Select[Any], match: re.Match[str], /
    ) -> TagSelect:
        select = cls(
            component_id(match["checkin"]), [(o.value, o.label) for o in item.options], item.placeholder or ""
        )
        return select

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        await parts_of(interaction).checkins.add_tags(
            self.checkin_id, interaction.user.id, list(self.item.values)
        )
        await interaction.response.send_message(
            bot.i18n.text("checkin.tags.saved", interaction.locale), ephemeral=True
        )
