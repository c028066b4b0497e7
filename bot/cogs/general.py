"""/help and /about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import SOURCE_URL, __version__
from bot.i18n.translator import command_key, localised_path

if TYPE_CHECKING:
    from bot.app import HavenBot

EMBED_COLOUR = discord.Colour(0x5B8DEF)
FIELD_LIMIT = 1024


class GeneralCog(commands.Cog):
    """Commands that explain Haven."""

    def __init__(self, bot: HavenBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[HavenBot]) -> None:
        """What Haven does and the commands you can use."""
        embed = self.help_embed(interaction.locale, _member_permissions(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Haven's version, what it stores about you, and where its source lives."""
        t = self.bot.i18n.text
        loc = interaction.locale
        embed = discord.Embed(title=t("about.title", loc), colour=EMBED_COLOUR)
        embed.add_field(name=t("about.version", loc), value=__version__, inline=True)
        embed.add_field(
            name=t("about.source", loc), value=t("about.source_value", loc, url=SOURCE_URL), inline=True
        )
        embed.add_field(name=t("about.privacy", loc), value=t("about.privacy_value", loc), inline=False)
        embed.add_field(name=t("about.retention", loc), value=t("about.retention_value", loc), inline=False)
        embed.add_field(
            name=t("about.your_data", loc),
            value=t("about.your_data_value", loc, url=SOURCE_URL),
            inline=False,
        )
        embed.set_footer(text=t("about.not_therapy", loc))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def help_embed(
        self, locale: discord.Locale, permissions: discord.Permissions | None = None
    ) -> discord.Embed:
        """The /help card, listing the commands registered right now (so it stays true as features land).
        Moderator commands are listed only for ``permissions`` that include what each one needs by default."""
        t = self.bot.i18n.text
        member_lines: list[str] = []
        moderator_lines: list[str] = []
        for name, description, needs in self._command_lines(locale):
            head = f"`/{name.split(' ', 1)[0]}`" + (f" {name.split(' ', 1)[1]}" if " " in name else "")
            if needs is None:
                member_lines.append(f"{head}: {description}")
            elif permissions is not None and needs <= permissions:
                moderator_lines.append(f"{head}: {description}")
        embed = discord.Embed(
            title=t("help.title", locale),
            description=f"{t('help.intro', locale)}\n\n{t('help.peer_note', locale)}",
            colour=EMBED_COLOUR,
        )
        embed.add_field(
            name=t("help.member_commands", locale),
            value=_join(member_lines) or t("help.no_commands", locale),
            inline=False,
        )
        if moderator_lines:
            embed.add_field(
                name=t("help.moderator_commands", locale), value=_join(moderator_lines), inline=False
            )
        menus = self._menu_lines(locale, permissions)
        if menus:
            embed.add_field(name=t("help.apps_menu", locale), value=_join(menus), inline=False)
        embed.set_footer(text=t("help.footer", locale))
        return embed

    def _menu_lines(self, locale: discord.Locale, permissions: discord.Permissions | None) -> list[str]:
        """The Apps menu entries (right-click a message or a member) this member can use."""
        lines: list[str] = []
        for kind in (discord.AppCommandType.message, discord.AppCommandType.user):
            for menu in self.bot.tree.get_commands(type=kind):
                needs = menu.default_permissions
                if (
                    needs is not None
                    and needs.value != 0
                    and (permissions is None or not needs <= permissions)
                ):
                    continue
                where = self.bot.i18n.text(f"help.menu_on_{kind.name}", locale)
                lines.append(f"**{_menu_name(self.bot, menu, locale)}** ({where})")  # type: ignore[arg-type]
        return lines

    def _command_lines(self, locale: discord.Locale) -> list[tuple[str, str, discord.Permissions | None]]:
        """One line per top-level command, with the permissions it needs (None for everyone); a group lists its
        subcommands."""
        lines: list[tuple[str, str, discord.Permissions | None]] = []
        for command in self.bot.tree.get_commands(type=discord.AppCommandType.chat_input):
            needs = command.default_permissions
            moderator_only = needs if needs is not None and needs.value != 0 else None
            described = self.bot.i18n.lookup(command_key(command.qualified_name) + ".description", locale)
            description = described or command.description
            name = localised_path(self.bot.i18n, command.qualified_name, locale)
            if isinstance(command, app_commands.Group):
                subs = [
                    localised_path(self.bot.i18n, c.qualified_name, locale).split(" ", 1)[1]
                    for c in command.walk_commands()
                    if not isinstance(c, app_commands.Group)
                ]
                name = f"{name} {' · '.join(subs)}" if len(subs) <= 4 else name
                if len(subs) > 4:
                    description = f"{description} ({', '.join(dict.fromkeys(s.split(' ')[0] for s in subs))})"
            lines.append((name, description, moderator_only))
        return sorted(lines, key=lambda line: (line[0], line[1]))


def _menu_name(bot: HavenBot, menu: app_commands.ContextMenu, locale: discord.Locale) -> str:
    return bot.i18n.lookup(f"menu.{menu.name.lower().replace(' ', '_')}.name", locale) or menu.name


def _member_permissions(interaction: discord.Interaction[Any]) -> discord.Permissions | None:
    """What the member may do here; None in direct messages (moderator commands work only in a server)."""
    return interaction.permissions if interaction.guild is not None else None


def _join(lines: list[str]) -> str:
    text = ""
    for line in lines:
        candidate = f"{text}\n{line}" if text else line
        if len(candidate) > FIELD_LIMIT:
            break
        text = candidate
    return text
