"""Which texts a language still lacks: every English catalog key, plus every command text Discord shows.

Used by ``tests/test_i18n_complete.py`` (which fails on any gap) and ``scripts/i18n_missing.py`` (which lists
the gaps, for a translator's final pass). Command and option *names* stay English on purpose (see
docs/LANGUAGES.md), so only descriptions and choice names are required.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import discord
from discord import app_commands

from bot.i18n import DEFAULT_LOCALE, Catalogs
from bot.i18n.translator import HavenTranslator

# Discord's limit for command, option and choice texts.
COMMAND_TEXT_LIMIT = 100


class _Recorder(app_commands.Translator):
    """Notes every command text and its key, and translates nothing."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = HavenTranslator.key_for(context)
        if key is not None and not key.endswith(".name"):
            self.texts.setdefault(key, string.message)
        return None


async def command_texts(tree: app_commands.CommandTree[discord.Client]) -> dict[str, str]:
    """``{catalog key: English text}`` for every description and choice name of the commands in ``tree``."""
    recorder = _Recorder()
    for command in tree.get_commands():
        await command.get_translated_payload(tree, recorder)
    return recorder.texts


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders in a catalog text."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return {"<malformed>"}


@dataclass
class Gaps:
    """What one language lacks or gets wrong."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # keys English no longer has
    placeholders: list[str] = field(default_factory=list)  # keys whose {placeholders} differ from English
    too_long: list[str] = field(default_factory=list)  # command texts over Discord's 100 characters

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.placeholders or self.too_long)


def find_gaps(catalogs: Catalogs, commands: dict[str, str]) -> dict[str, Gaps]:
    """The gaps of every non-English catalog, against English and the command texts in ``commands``."""
    english = {key: catalogs.lookup(key, DEFAULT_LOCALE) or "" for key in catalogs.keys(DEFAULT_LOCALE)}
    required = {**commands, **english}
    report: dict[str, Gaps] = {}
    for locale in catalogs.locales:
        if locale == DEFAULT_LOCALE:
            continue
        gaps = Gaps()
        have = catalogs.keys(locale)
        gaps.missing = sorted(set(required) - have)
        # Command *name* keys are allowed (the translator supports them) though not required.
        gaps.stale = sorted(k for k in have - set(required) if not k.endswith(".name"))
        for key in sorted(have & set(required)):
            text = catalogs.lookup(key, locale) or ""
            if placeholders(text) != placeholders(required[key]):
                gaps.placeholders.append(key)
            if key in commands and len(text) > COMMAND_TEXT_LIMIT:
                gaps.too_long.append(key)
        report[locale] = gaps
    return report
