"""Every language is complete: each English key and each command text Discord shows, with the same placeholders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord import app_commands
from discord.ext import tasks

from bot.i18n import Catalogs
from bot.i18n.completeness import command_texts, find_gaps, placeholders
from bot.i18n.translator import HavenTranslator
from bot.storage.engine import Database
from bot.wiring import build_bot

LANGUAGES = ("es", "de")


@pytest.fixture
async def commands(tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """The command texts of the real bot's tree (descriptions and choice names), by catalog key."""
    from bot.cogs import load_cogs

    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 's.db'}", connect_timeout=1)
    bot = build_bot(db)
    await load_cogs(bot)
    for cog in bot.cogs.values():  # not logged in: no loops
        for value in vars(type(cog)).values():
            if isinstance(value, tasks.Loop):
                getattr(cog, value.coro.__name__).cancel()
    try:
        yield await command_texts(bot.tree)  # type: ignore[arg-type]
    finally:
        await db.close()


async def test_the_command_walk_finds_descriptions_options_and_choices(commands: dict[str, str]) -> None:
    assert commands["command.help.description"].startswith("What Haven does")
    assert "param.checkin.schedule.timezone.description" in commands
    assert commands["choice.grounding"].startswith("Self-help")
    assert not [key for key in commands if key.endswith(".name")]  # names stay English


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_language_has_every_key_with_the_same_placeholders(
    commands: dict[str, str], language: str
) -> None:
    gaps = find_gaps(Catalogs.load(), commands)[language]

    assert gaps.missing == [], f"{language} lacks keys; scripts/i18n_missing.py lists them with the English"
    assert gaps.stale == []
    assert gaps.placeholders == []
    assert gaps.too_long == []


def test_every_shipped_catalog_is_checked() -> None:
    assert set(Catalogs.load().locales) >= {"en", *LANGUAGES}


def test_gaps_name_missing_stale_mismatched_and_too_long_keys() -> None:
    catalogs = Catalogs(
        {
            "en": {"a.b": "Hello {name}", "c.d": "{count} things", "e.f": "Bye"},
            "xx": {"a.b": "Hola {nombre}", "c.d": "{count} cosas", "old.key": "?", "choice.x": "y" * 101},
        }
    )
    commands = {"choice.x": "X", "command.help.description": "Help"}

    gaps = find_gaps(catalogs, commands)["xx"]

    assert gaps.missing == ["command.help.description", "e.f"]
    assert gaps.stale == ["old.key"]
    assert gaps.placeholders == ["a.b"]
    assert gaps.too_long == ["choice.x"]
    assert placeholders("{a} and {b!r} and {{literal}}") == {"a", "b"}


@pytest.mark.parametrize(
    ("locale", "catalog"),
    [
        (discord.Locale.spain_spanish, "es"),
        (discord.Locale.latin_american_spanish, "es"),
        (discord.Locale.german, "de"),
        (discord.Locale.british_english, "en"),
        (discord.Locale.french, "en"),
    ],
)
def test_discord_locales_map_to_catalogs(locale: discord.Locale, catalog: str) -> None:
    assert Catalogs.load().resolve_locale(locale) == catalog


@pytest.mark.parametrize("locale", [discord.Locale.spain_spanish, discord.Locale.latin_american_spanish])
async def test_both_spanish_locales_get_spanish_command_texts(locale: discord.Locale) -> None:
    catalogs = Catalogs.load()
    translator = HavenTranslator(catalogs)
    command = app_commands.Command(name="help", description="What Haven does.", callback=_noop)
    context = app_commands.TranslationContext(
        app_commands.TranslationContextLocation.command_description, command
    )

    text = await translator.translate(app_commands.locale_str("What Haven does."), locale, context)

    assert text == catalogs.lookup("command.help.description", "es")


async def _noop(interaction: discord.Interaction) -> None:  # pragma: no cover - never invoked
    return None


def test_the_detector_being_english_only_is_said_in_every_language() -> None:
    catalogs = Catalogs.load()
    words = {"en": "English", "es": "inglés", "de": "Englisch"}
    for language, word in words.items():
        assert word in (catalogs.lookup("setup.transparency.body", language) or ""), language
        assert word in (catalogs.lookup("privacy.scanning.on", language) or ""), language
    for language in LANGUAGES:
        assert words[language] in (catalogs.lookup("command.crisis.description", language) or "")
        assert words[language] in (catalogs.lookup("param.crisis.test.text.description", language) or "")
