"""Buttons and menus on a /resources answer. All persistent: they keep working after a restart."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.cogs.resources.collaborators import ResourceCollaborators
from bot.cogs.resources.embeds import render_answer, topic_label
from bot.domain.resources import Directory, Topic, normalise
from bot.i18n import Catalogs
from bot.services.resources import Answer
from bot.ui.base import BaseModal, funnelled
from bot.ui.input import member_text

log = logging.getLogger(__name__)

NO_COUNTRY = "--"
SELECT_MAX = 25


def _parts(interaction: discord.Interaction[Any]) -> ResourceCollaborators:
    return ResourceCollaborators.of(interaction.client)


def _topic(value: str) -> Topic:
    try:
        return Topic(value)
    except ValueError:
        return Topic.SUICIDE_CRISIS


def answer_view(
    i18n: Catalogs, directory: Directory, locale: object, answer: Answer, *, in_guild: bool
) -> discord.ui.View:
    """The buttons (and, with no country, the region picker) under a private answer."""
    t = i18n.text
    view = discord.ui.View(timeout=None)
    code = answer.country.code if answer.country else NO_COUNTRY
    topic = answer.topic.value
    if in_guild:
        view.add_item(ShareButton(code, topic, t("resources.button.share", locale)))
    if not answer.topic.is_self_help:
        view.add_item(ReportButton(code, topic, t("resources.button.report", locale)))
    if answer.country is not None and answer.country_source == "given":
        name = directory.name_in(answer.country, i18n.resolve_locale(locale))
        view.add_item(RememberButton(code, t("resources.button.remember", locale, country=name)))
    if answer.country_source == "saved":
        view.add_item(ForgetButton(t("resources.button.forget", locale)))
    if answer.country is None:
        language = i18n.resolve_locale(locale)
        regions = [(region, directory.region_in(region, language)) for region in directory.by_region()]
        regions.sort(key=lambda region: normalise(region[1]))
        view.add_item(RegionSelect(topic, regions, t("resources.picker.region", locale)))
    return view


async def show_answer(interaction: discord.Interaction[Any], answer: Answer, *, edit: bool = False) -> None:
    """Reply privately with an answer (or replace the picker message with it)."""
    parts = _parts(interaction)
    directory = parts.resources.directory
    embed = render_answer(parts.i18n, interaction.locale, answer, directory)
    view = answer_view(
        parts.i18n, directory, interaction.locale, answer, in_guild=interaction.guild is not None
    )
    if edit:
        await interaction.response.edit_message(content=None, embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class ShareButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"res:share:(?P<cc>[A-Z]{2}|--):(?P<topic>[a-z_]+)",
):
    """Post the same answer for everyone in the channel."""

    def __init__(self, code: str, topic: str, label: str = "Share here") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=f"res:share:{code}:{topic}"
            )
        )
        self.code = code
        self.topic = _topic(topic)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ShareButton:
        return cls(match["cc"], match["topic"], item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        parts = _parts(interaction)
        if interaction.guild is None:
            await interaction.response.send_message(
                parts.i18n.text("resources.share.guild_only", interaction.locale), ephemeral=True
            )
            return
        service = parts.resources
        answer = await service.answer(
            user_id=interaction.user.id,
            guild_id=interaction.guild.id,
            country_text=None if self.code == NO_COUNTRY else self.code,
            topic=self.topic,
        )
        # Shared for the channel: in the server's language, without anything about the member.
        locale = interaction.guild_locale or interaction.locale
        shared = Answer(
            topic=answer.topic,
            now=answer.now,
            country=answer.country,
            selection=answer.selection,
            local=answer.local,
            statuses=answer.statuses,
        )
        embed = render_answer(parts.i18n, locale, shared, service.directory)
        await interaction.response.send_message(embed=embed)


class ReportButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"res:report:(?P<cc>[A-Z]{2}|--):(?P<topic>[a-z_]+)",
):
    """Open a short form to report a wrong number or hours."""

    def __init__(self, code: str, topic: str, label: str = "Report a problem") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"res:report:{code}:{topic}"
            )
        )
        self.code = code
        self.topic = _topic(topic)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ReportButton:
        return cls(match["cc"], match["topic"], item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(
            ReportModal(_parts(interaction).i18n, interaction.locale, self.code, self.topic)
        )


class ReportModal(BaseModal):
    """What's wrong with a line: goes to the server's moderators and the maintainers' log."""

    def __init__(self, i18n: Catalogs, locale: object, code: str, topic: Topic) -> None:
        t = i18n.text
        super().__init__(
            title=t("resources.report.title", locale)[:45], custom_id=f"res:reportform:{code}:{topic.value}"
        )
        self.code = None if code == NO_COUNTRY else code
        self.topic = topic
        self.details: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t("resources.report.label", locale)[:45],
            placeholder=t("resources.report.placeholder", locale)[:100],
            style=discord.TextStyle.paragraph,
            max_length=1000,
            custom_id="details",
        )
        self.add_item(self.details)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        parts = _parts(interaction)
        service = parts.resources
        shown = service.help_for(self.code, self.topic)
        guild_id = interaction.guild.id if interaction.guild else None
        report_id = await service.report_problem(
            guild_id=guild_id,
            country_code=self.code,
            topic=self.topic,
            line_ids=shown.line_ids,
            text=self.details.value,
        )
        await interaction.response.send_message(
            parts.i18n.text("resources.report.thanks", interaction.locale, id=report_id), ephemeral=True
        )
        if interaction.guild is not None:
            await _tell_moderators(parts, interaction, report_id, shown, self.details.value)


async def _tell_moderators(
    parts: ResourceCollaborators,
    interaction: discord.Interaction[Any],
    report_id: int,
    shown: Answer,
    text: str,
) -> None:
    guild = interaction.guild
    assert guild is not None
    settings = await parts.guild_settings.get(guild.id)
    channel = guild.get_channel(settings.alert_channel_id) if settings.alert_channel_id else None
    if not isinstance(channel, discord.TextChannel):
        log.info("Correction report #%d: server %s has no alert channel set", report_id, guild.id)
        return
    t = parts.i18n.text
    locale = guild.preferred_locale
    lines = ", ".join(line.name for line in shown.selection.lines) if shown.selection else "-"
    embed = discord.Embed(
        title=t("resources.report.card_title", locale, id=report_id), colour=discord.Colour.orange()
    )
    embed.add_field(
        name=t("resources.report.card_country", locale), value=shown.country.name if shown.country else "-"
    )
    embed.add_field(
        name=t("resources.report.card_topic", locale), value=topic_label(parts.i18n, locale, shown.topic)
    )
    embed.add_field(name=t("resources.report.card_lines", locale), value=lines[:1024] or "-", inline=False)
    shown_text = member_text(text.strip(), 1024) or "-"  # never an empty field (Discord refuses it)
    embed.add_field(name=t("resources.report.card_text", locale), value=shown_text, inline=False)
    embed.add_field(
        name=t("resources.report.card_reporter", locale), value=interaction.user.mention, inline=False
    )
    embed.set_footer(text=t("resources.report.card_footer", locale))
    try:
        await channel.send(embed=embed)
    except discord.HTTPException as exc:
        log.warning(
            "Couldn't post correction report #%d to the alert channel (status %s)", report_id, exc.status
        )


class RememberButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"res:remember:(?P<cc>[A-Z]{2})"
):
    """Remember this country for the member's next /resources (only when they ask)."""

    def __init__(self, code: str, label: str = "Remember") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80], style=discord.ButtonStyle.secondary, custom_id=f"res:remember:{code}"
            )
        )
        self.code = code

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> RememberButton:
        return cls(match["cc"], item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        parts = _parts(interaction)
        country = await parts.resources.remember_country(interaction.user.id, self.code)
        name = parts.resources.directory.name_in(country, parts.i18n.resolve_locale(interaction.locale))
        await interaction.response.send_message(
            parts.i18n.text("resources.remembered", interaction.locale, country=name), ephemeral=True
        )


class ForgetButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"res:forget"):
    """Forget the member's remembered country."""

    def __init__(self, label: str = "Forget my country") -> None:
        super().__init__(
            discord.ui.Button(label=label[:80], style=discord.ButtonStyle.secondary, custom_id="res:forget")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(item.label or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        parts = _parts(interaction)
        forgot = await parts.resources.forget_country(interaction.user.id)
        key = "resources.forgotten" if forgot else "resources.nothing_to_forget"
        await interaction.response.send_message(parts.i18n.text(key, interaction.locale), ephemeral=True)


class RegionSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"res:region:(?P<topic>[a-z_]+)"):
    """Step one of the country picker: the member's region."""

    def __init__(self, topic: str, regions: list[tuple[str, str]], placeholder: str = "") -> None:
        """``regions``: (region as the data names it, name as the member reads it)."""
        super().__init__(
            discord.ui.Select(
                custom_id=f"res:region:{topic}",
                placeholder=placeholder[:150] or None,
                options=[discord.SelectOption(label=name, value=r) for r, name in regions[:SELECT_MAX]],
            )
        )
        self.topic = topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Select[Any], match: re.Match[str], /
    ) -> RegionSelect:
        return cls(match["topic"], [(o.value, o.label) for o in item.options], item.placeholder or "")

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        parts = _parts(interaction)
        region = self.item.values[0] if self.item.values else ""
        directory = parts.resources.directory
        language = parts.i18n.resolve_locale(interaction.locale)
        countries = directory.sorted_in(directory.by_region().get(region, []), language)
        named = [(c.code, directory.name_in(c, language)) for c in countries]
        view = discord.ui.View(timeout=None)
        placeholder = parts.i18n.text("resources.picker.country", interaction.locale)
        for index, start in enumerate(range(0, len(named), SELECT_MAX)):
            chunk = named[start : start + SELECT_MAX]
            view.add_item(CountrySelect(self.topic, index, chunk, _range_placeholder(placeholder, chunk)))
        await interaction.response.send_message(
            parts.i18n.text("resources.picker.prompt", interaction.locale), view=view, ephemeral=True
        )


def _range_placeholder(placeholder: str, chunk: list[tuple[str, str]]) -> str:
    first, last = chunk[0][1][:1], chunk[-1][1][:1]
    return f"{placeholder} ({first}–{last})"[:150]


class CountrySelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"res:pick:(?P<topic>[a-z_]+):(?P<n>\d)"
):
    """Step two of the country picker: the country itself; the message becomes the answer."""

    def __init__(
        self, topic: str, index: int, countries: list[tuple[str, str]], placeholder: str = ""
    ) -> None:
        """``countries``: (code, name as the member reads it), in that name's order."""
        super().__init__(
            discord.ui.Select(
                custom_id=f"res:pick:{topic}:{index}",
                placeholder=placeholder[:150] or None,
                options=[
                    discord.SelectOption(label=name[:100], value=code)
                    for code, name in countries[:SELECT_MAX]
                ],
            )
        )
        self.topic = topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Select[Any], match: re.Match[str], /
    ) -> CountrySelect:
        select = cls(match["topic"], int(match["n"]), [], item.placeholder or "")
        select.item.options = list(item.options)
        return select

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        parts = _parts(interaction)
        code = self.item.values[0] if self.item.values else None
        answer = await parts.resources.answer(
            user_id=interaction.user.id,
            guild_id=interaction.guild.id if interaction.guild else None,
            country_text=code,
            topic=_topic(self.topic),
        )
        await show_answer(interaction, answer, edit=True)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    ShareButton,
    ReportButton,
    RememberButton,
    ForgetButton,
    RegionSelect,
    CountrySelect,
)
