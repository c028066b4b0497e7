"""/resources for members and /resources-admin for moderators: thin adapters to ResourceService."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.resources.collaborators import ResourceCollaborators
from bot.cogs.resources.embeds import COLOUR, render_local, topic_label
from bot.cogs.resources.views import DYNAMIC_ITEMS, show_answer
from bot.domain.resources import LINE_TOPICS, Topic
from bot.permissions import require_manage_guild
from bot.services.resources import LocalEntryNotFound
from bot.ui.input import parse_id

if TYPE_CHECKING:
    from bot.app import HavenBot

# English labels for the topic choices; other languages translate them through `choice.<value>` catalog keys.
TOPIC_LABELS: dict[Topic, str] = {
    Topic.SUICIDE_CRISIS: "Suicide and crisis",
    Topic.SELF_HARM: "Self-harm",
    Topic.MENTAL_HEALTH: "Mental health",
    Topic.EATING_DISORDERS: "Eating disorders",
    Topic.SUBSTANCE_USE: "Alcohol and drugs",
    Topic.DOMESTIC_VIOLENCE: "Domestic violence",
    Topic.SEXUAL_ASSAULT: "Sexual assault",
    Topic.LGBTQ: "LGBTQ+",
    Topic.YOUNG_PEOPLE: "Young people",
    Topic.VETERANS: "Veterans",
    Topic.GRIEF: "Grief and loss",
    Topic.GROUNDING: "Self-help: grounding (5-4-3-2-1)",
    Topic.BREATHING: "Self-help: slow breathing",
    Topic.SUPPORT_A_FRIEND: "Self-help: supporting a friend",
    Topic.ASKING_FOR_SUPPORT: "Self-help: asking for support",
    Topic.PEER_SUPPORT: "Self-help: what peer support is and isn't",
}
TOPIC_CHOICES = [app_commands.Choice(name=label, value=topic.value) for topic, label in TOPIC_LABELS.items()]
LINE_TOPIC_CHOICES = [c for c in TOPIC_CHOICES if Topic(c.value) in LINE_TOPICS]
CLEARABLE = [app_commands.Choice(name=n, value=n) for n in ("phone", "url", "topic")]


class ResourcesCog(commands.Cog):
    """Where to turn: crisis lines and support by country and topic, plus short self-help."""

    def __init__(self, bot: HavenBot, parts: ResourceCollaborators) -> None:
        self.bot = bot
        self.parts = parts
        self.resources = parts.resources

    async def cog_load(self) -> None:
        self.parts.register(self.bot)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.parts.unregister(self.bot)

    @app_commands.command(name="resources")
    @app_commands.describe(
        country="Your country (type its name or code). Leave empty to use the one you saved.",
        topic="What you're looking for. Default: suicide and crisis lines.",
    )
    @app_commands.choices(topic=TOPIC_CHOICES)
    async def resources_command(
        self, interaction: discord.Interaction[HavenBot], country: str | None = None, topic: str | None = None
    ) -> None:
        """Crisis lines, support services and self-help for your country, privately."""
        answer = await self.resources.answer(
            user_id=interaction.user.id,
            guild_id=interaction.guild.id if interaction.guild else None,
            country_text=country,
            topic=Topic(topic) if topic else Topic.SUICIDE_CRISIS,
        )
        await show_answer(interaction, answer)

    @resources_command.autocomplete("country")
    async def country_autocomplete(
        self, interaction: discord.Interaction[HavenBot], current: str
    ) -> list[app_commands.Choice[str]]:
        language = self.bot.i18n.resolve_locale(interaction.locale)  # "Alemania" for a Spanish member
        return [
            app_commands.Choice(name=self.resources.directory.name_in(c, language)[:100], value=c.code)
            for c in self.resources.search_countries(current[:100])
        ]

    admin = app_commands.Group(
        name="resources-admin",
        description="Add this server's own resources to /resources (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        """The admin commands are re-checked when run, whatever the server's command settings say."""
        command = interaction.command
        if isinstance(command, app_commands.Command) and command.root_parent is self.admin:
            require_manage_guild(interaction)
        return True

    @admin.command(name="add")
    @app_commands.describe(
        name="What it's called, e.g. 'City Youth Clinic' or 'Our #support channel'.",
        description="A short line about it (a channel mention works too).",
        phone="A phone number, if it has one.",
        url="A web link, if it has one (https://...).",
        topic="Show it only for this topic. Empty: for every topic.",
    )
    @app_commands.choices(topic=LINE_TOPIC_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction[HavenBot],
        name: str,
        description: str = "",
        phone: str | None = None,
        url: str | None = None,
        topic: str | None = None,
    ) -> None:
        """Add a resource that shows first in /resources in this server."""
        assert interaction.guild is not None
        chosen = Topic(topic) if topic else None
        entry = await self.resources.add_local(
            interaction.guild.id,
            interaction.user.id,
            name=name,
            description=description,
            phone=phone,
            url=url,
            topic=chosen,
        )
        t = self.bot.i18n.text
        loc = interaction.locale
        note = (
            t("resources.local.topic_note", loc, topic=topic_label(self.bot.i18n, loc, chosen))
            if chosen
            else ""
        )
        await interaction.response.send_message(
            t("resources.local.added", loc, name=entry.name, id=entry.id, topic_note=note), ephemeral=True
        )

    @admin.command(name="edit")
    @app_commands.describe(
        entry="The entry to change.",
        name="A new name.",
        description="A new description.",
        phone="A new phone number.",
        url="A new web link.",
        topic="A new topic.",
        clear="Remove the phone number, the link or the topic.",
    )
    @app_commands.choices(topic=LINE_TOPIC_CHOICES, clear=CLEARABLE)
    async def edit(
        self,
        interaction: discord.Interaction[HavenBot],
        entry: str,
        name: str | None = None,
        description: str | None = None,
        phone: str | None = None,
        url: str | None = None,
        topic: str | None = None,
        clear: str | None = None,
    ) -> None:
        """Change one of this server's resources."""
        assert interaction.guild is not None
        updated = await self.resources.edit_local(
            interaction.guild.id,
            _entry_id(entry),
            name=name,
            description=description,
            phone=phone,
            url=url,
            topic=Topic(topic) if topic else None,
            clear=[clear] if clear else [],
        )
        await interaction.response.send_message(
            self.bot.i18n.text(
                "resources.local.edited", interaction.locale, name=updated.name, id=updated.id
            ),
            ephemeral=True,
        )

    @admin.command(name="remove")
    @app_commands.describe(entry="The entry to remove.")
    async def remove(self, interaction: discord.Interaction[HavenBot], entry: str) -> None:
        """Remove one of this server's resources."""
        assert interaction.guild is not None
        entry_id = _entry_id(entry)
        await self.resources.remove_local(interaction.guild.id, entry_id)
        await interaction.response.send_message(
            self.bot.i18n.text("resources.local.removed", interaction.locale, id=entry_id), ephemeral=True
        )

    @admin.command(name="list")
    async def list_entries(self, interaction: discord.Interaction[HavenBot]) -> None:
        """See this server's own resources."""
        assert interaction.guild is not None
        t = self.bot.i18n.text
        loc = interaction.locale
        entries = await self.resources.local_entries(interaction.guild.id)
        embed = discord.Embed(title=t("resources.local.list_title", loc), colour=COLOUR)
        if not entries:
            embed.description = t("resources.local.list_empty", loc)
        for item in entries:
            label = (
                topic_label(self.bot.i18n, loc, item.topic)
                if item.topic
                else t("resources.local.any_topic", loc)
            )
            embed.add_field(
                name=f"#{item.id} · {item.name} ({label})", value=render_local([item])[:1024], inline=False
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @edit.autocomplete("entry")
    @remove.autocomplete("entry")
    async def entry_autocomplete(
        self, interaction: discord.Interaction[HavenBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        needle = current.casefold()[:100]
        entries = await self.resources.local_entries(interaction.guild.id)
        return [
            app_commands.Choice(name=f"#{e.id} {e.name}"[:100], value=str(e.id))
            for e in entries
            if needle in f"#{e.id} {e.name}".casefold()
        ][:25]


def _entry_id(text: str) -> int:
    entry_id = parse_id(text)  # a 40-digit value is no entry of ours, not a database overflow
    if entry_id is None:
        raise LocalEntryNotFound()
    return entry_id
