"""discord.py's Translator backed by Haven's catalogs, for command names and descriptions."""

from __future__ import annotations

from discord import Locale, app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n import DEFAULT_LOCALE, Catalogs


def command_key(qualified_name: str) -> str:
    """The catalog prefix for a command: ``command.setup.alerts``."""
    return "command." + qualified_name.replace(" ", ".")


def localised_path(catalogs: Catalogs, qualified_name: str, locale: object | None) -> str:
    """A command as a member with ``locale`` sees it: ``checkin export`` is ``registro exportar`` in Spanish."""
    words = qualified_name.split(" ")
    return " ".join(
        catalogs.lookup(command_key(" ".join(words[: i + 1])) + ".name", locale) or word
        for i, word in enumerate(words)
    )


class HavenTranslator(app_commands.Translator):
    """Looks up command texts in the catalogs; English stays as written in the code."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def translate(
        self, string: app_commands.locale_str, locale: Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        code = self.catalogs.resolve_locale(locale)
        if code == DEFAULT_LOCALE:
            return None
        key = self.key_for(context)
        if key is None:
            return None
        return self.catalogs.lookup(key, code)

    @staticmethod
    def key_for(context: app_commands.TranslationContextTypes) -> str | None:
        """The catalog key for a command text, or ``None`` for texts that aren't translated."""
        data = context.data
        location = context.location
        if isinstance(
            data, app_commands.ContextMenu
        ):  # "Worried about this person": spaces and capitals allowed
            slug = data.name.lower().replace(" ", "_")
            return f"menu.{slug}.name" if location is Where.command_name else None
        if location in (Where.command_name, Where.group_name):
            return command_key(data.qualified_name) + ".name"  # type: ignore[union-attr]
        if location in (Where.command_description, Where.group_description):
            return command_key(data.qualified_name) + ".description"  # type: ignore[union-attr]
        if location in (Where.parameter_name, Where.parameter_description):
            param = data  # app_commands.Parameter
            suffix = "name" if location is Where.parameter_name else "description"
            return f"param.{param.command.qualified_name.replace(' ', '.')}.{param.name}.{suffix}"  # type: ignore[union-attr]
        if location is Where.choice_name:
            return f"choice.{data.value}"  # type: ignore[union-attr]
        return None
