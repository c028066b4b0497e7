"""Every language is complete: each English key and each command text Discord shows, with the same placeholders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.i18n import Catalogs
from bot.i18n.completeness import (
    command_texts,
    command_tree,
    find_gaps,
    placeholders,
    valid_name,
    wrong_references,
)
from bot.i18n.translator import HavenTranslator
from tests.kit import offline_bot

LANGUAGES = ("es", "de")


@pytest.fixture
async def commands(tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """The command texts of the real bot's tree (descriptions and choice names), by catalog key."""
    async with offline_bot(tmp_path) as bot:
        yield await command_texts(bot.tree)  # type: ignore[arg-type]


async def test_the_command_walk_finds_descriptions_options_and_choices(commands: dict[str, str]) -> None:
    assert commands["command.help.description"].startswith("What Haven does")
    assert "param.checkin.schedule.timezone.description" in commands
    assert commands["choice.grounding"].startswith("Self-help")
    # Names are required too (issue #17): every command, group, subcommand and option.
    assert commands["command.checkin.export.name"] == "export"
    assert commands["command.crisis.phrase.name"] == "phrase"
    assert commands["param.checkin.schedule.timezone.name"] == "timezone"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_language_has_every_key_with_the_same_placeholders(
    commands: dict[str, str], language: str
) -> None:
    gaps = find_gaps(Catalogs.load(), commands)[language]

    assert gaps.missing == [], f"{language} lacks keys; scripts/i18n_missing.py lists them with the English"
    assert gaps.stale == []
    assert gaps.placeholders == []
    assert gaps.too_long == []
    assert gaps.bad_names == [], "Discord refuses these names (1-32 lowercase letters, digits, - and _)"
    assert gaps.duplicate_names == [], "two commands (or options) of one group share a name"
    assert gaps.references == {}, "these texts name commands as this language doesn't show them"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_command_and_option_has_a_localised_name(commands: dict[str, str], language: str) -> None:
    catalogs = Catalogs.load()
    names = [key for key in commands if key.endswith(".name")]

    assert len(names) > 100
    assert all(catalogs.lookup(key, language) for key in names)
    assert catalogs.lookup("command.help.name", language) != "help"


def test_names_follow_discords_rules() -> None:
    assert valid_name("registro") and valid_name("zona_horaria") and valid_name("über") and valid_name("a-1")
    assert valid_name("हिंदी") and valid_name("ไทย")
    assert not valid_name("Registro")  # uppercase
    assert not valid_name("zona horaria")  # space
    assert not valid_name("x" * 33) and not valid_name("")
    assert not valid_name("check.in") and not valid_name("/help")


def test_gaps_name_bad_and_duplicate_names_and_wrong_command_references() -> None:
    commands = {
        "command.checkin.name": "checkin",
        "command.checkin.export.name": "export",
        "command.checkin.delete.name": "delete",
        "param.checkin.export.format.name": "format",
        "command.about.name": "about",
    }
    catalogs = Catalogs(
        {
            "en": {"a": "Use `/checkin export`."},
            "xx": {
                "command.checkin.name": "registro",
                "command.checkin.export.name": "borrar",
                "command.checkin.delete.name": "borrar",
                "param.checkin.export.format.name": "Formato",
                "command.about.name": "acerca-de",
                "a": "Usa `/checkin export` o `/registro borrar formato:` o /acerca-de, {url}/blob/main, y/o /main.",
            },
        }
    )

    gaps = find_gaps(catalogs, commands)["xx"]

    assert gaps.bad_names == ["param.checkin.export.format.name"]
    assert gaps.duplicate_names == ["command.checkin.delete.name", "command.checkin.export.name"]
    assert gaps.references == {"a": ["/checkin export", "/registro borrar formato:"]}
    tree = command_tree(commands, {})
    assert wrong_references("`/checkin export format:` then /about, /checkin later", tree) == []


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
