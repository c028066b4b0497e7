"""The translation layer: adding a catalog translates replies and slash commands, no code changes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.app import HavenBot
from bot.i18n import LOCALES_DIR, Catalogs
from bot.storage.engine import Database
from bot.wiring import build_bot

GERMAN = {
    "help.title": "Haven: gemeinsam füreinander da",
    "setup.alerts.saved": "Gespeichert: {channel}, {role}.",
    "command.help.description": "Was Haven tut und welche Befehle es gibt.",
    "param.setup.alerts.channel.description": "Wohin Warnungen gehen.",
}


def test_english_falls_back_for_missing_keys_and_regions() -> None:
    catalogs = Catalogs({"en": {"a.b": "Hello {name}"}, "pt-BR": {"a.b": "Olá {name}"}})

    assert catalogs.text("a.b", "pt-BR", name="Ana") == "Olá Ana"
    assert catalogs.text("a.b", "pt-PT", name="Ana") == "Hello Ana"
    assert catalogs.text("a.b", discord.Locale.german, name="Jo") == "Hello Jo"
    assert catalogs.text("a.b", None) == "Hello {name}"


def test_missing_key_shows_the_key_rather_than_crashing() -> None:
    assert Catalogs({"en": {}}).text("no.such.key") == "no.such.key"


def test_list_parameters_use_labels() -> None:
    catalogs = Catalogs.load()

    text = catalogs.text(
        "setup.error.missing_permissions", "en", channel_id=1, missing=["send_messages", "embed_links"]
    )

    assert "Send Messages, Embed Links" in text


def test_adding_a_catalog_file_is_enough(tmp_path: Path) -> None:
    for path in LOCALES_DIR.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "de.json").write_text(json.dumps(GERMAN), encoding="utf-8")

    catalogs = Catalogs.load(tmp_path)

    assert "de" in catalogs.locales
    assert catalogs.text("help.title", discord.Locale.german) == GERMAN["help.title"]


@pytest.fixture
async def simcord_bot(database: Database) -> AsyncIterator[HavenBot]:
    english = json.loads((LOCALES_DIR / "en.json").read_text(encoding="utf-8"))
    bot = build_bot(database, catalogs=Catalogs({"en": english, "de": GERMAN}))
    try:
        yield bot
    finally:
        await bot.close_resources()


async def test_slash_commands_are_registered_with_translations(env: simcord.Env) -> None:
    put = next(r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands"))
    commands: list[dict[str, Any]] = put.json or []
    help_cmd = next(c for c in commands if c["name"] == "help")
    setup_cmd = next(c for c in commands if c["name"] == "setup")
    alerts = next(o for o in setup_cmd["options"] if o["name"] == "alerts")
    channel_opt = next(o for o in alerts["options"] if o["name"] == "channel")

    assert help_cmd["description_localizations"]["de"] == GERMAN["command.help.description"]
    assert channel_opt["description_localizations"]["de"] == GERMAN["param.setup.alerts.channel.description"]


async def test_a_german_member_gets_german_replies(env: simcord.Env, monkeypatch: pytest.MonkeyPatch) -> None:
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("jo"))
    parsers = env.bot._connection.parsers
    original = parsers["INTERACTION_CREATE"]

    def as_german(data: dict[str, Any]) -> None:
        data["locale"] = "de"
        original(data)

    monkeypatch.setitem(parsers, "INTERACTION_CREATE", as_german)

    result = await member.slash(channel, "help")

    assert result.response is not None
    embed = result.response.embeds[0]
    assert embed.title == GERMAN["help.title"]
    assert "Was Haven tut" in str(embed.fields[0].value)
    assert "not a therapist" in (embed.description or "")  # untranslated keys fall back to English


def test_plural_forms_follow_the_count_and_the_language() -> None:
    from bot.i18n.plural import plural_category

    catalogs = Catalogs(
        {
            "en": {"n.one": "{count} pairing", "n.other": "{count} pairings"},
            "es": {"n.one": "{count} pareja", "n.many": "{count} de parejas", "n.other": "{count} parejas"},
            "de": {"n.other": "{count} Paare"},
        }
    )

    assert catalogs.text("n", "en", count=1) == "1 pairing"
    assert catalogs.text("n", "en", count=0) == "0 pairings"
    assert catalogs.text("n", "en", count=2) == "2 pairings"
    assert catalogs.text("n", "es", count=1) == "1 pareja"
    assert catalogs.text("n", "es", count=1_000_000) == "1000000 de parejas"
    assert catalogs.text("n", "de", count=1) == "1 Paare"  # only "other" given: used for every count
    assert catalogs.text("n", "fr", count=1) == "1 pairing"  # no catalog: English, with English rules
    assert "n" in catalogs.keys("en")  # a message in plural forms counts as defined
    assert [plural_category("de", n) for n in (0, 1, 2, 1.5)] == ["other", "one", "other", "other"]
    assert [plural_category("es-ES", n) for n in (1, 2, 2_000_000)] == ["one", "other", "many"]


def test_the_catalogs_have_no_either_or_plurals_left() -> None:
    english = Catalogs.load()
    texts = [english.lookup(key, "en") or "" for key in english.keys("en")]
    assert [t for t in texts if "(s)" in t] == []
