"""Haven in Spanish and German through the real bot: a member's Discord language for their own replies and DMs,
the server's language for channel posts, and slash commands registered with both."""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest
import simcord

from bot.domain.resources import normalise
from bot.i18n import Catalogs
from tests.conftest import FakeClock
from tests.helpers import haven
from tests.kit import World, tick

CATALOGS = Catalogs.load()


def say(key: str, locale: str, **params: Any) -> str:
    return CATALOGS.text(key, locale, **params)


def speak(env: simcord.Env, monkeypatch: pytest.MonkeyPatch, locales: dict[int, str]) -> None:
    """Interactions carry each member's Discord language (simcord sends en-US) and the server's own language."""
    parsers = env.bot._connection.parsers
    original = parsers["INTERACTION_CREATE"]

    def localised(data: dict[str, Any]) -> None:
        user = (data.get("member") or {}).get("user") or data.get("user") or {}
        data["locale"] = locales.get(int(user.get("id", 0)), "en-US")
        guild = env.bot.get_guild(int(data["guild_id"])) if data.get("guild_id") else None
        if guild is not None:
            data["guild_locale"] = guild.preferred_locale.value
        original(data)

    monkeypatch.setitem(parsers, "INTERACTION_CREATE", localised)


def labels(message: discord.Message) -> list[str | None]:
    return [getattr(c, "label", None) for row in message.components for c in getattr(row, "children", [])]


class Place(World):
    def __init__(self, env: simcord.Env, server_locale: str = "en-US") -> None:
        super().__init__(env, member="ana", locale=server_locale)

    async def alerts_on(self) -> None:
        await self.configure()


@pytest.mark.parametrize(("discord_locale", "catalog"), [("es-ES", "es"), ("es-419", "es"), ("de", "de")])
async def test_a_member_gets_help_resources_and_check_ins_in_their_language(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch, clock: FakeClock, discord_locale: str, catalog: str
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: discord_locale})

    help_ = await place.member.slash(place.general, "help")
    resources = await place.member.slash(place.general, "resources")
    schedule = await place.member.slash(place.general, "checkin schedule", time="13:00", timezone="UTC")
    await tick(env, clock, hours=1, minutes=1)

    assert help_.response is not None
    card = help_.response.embeds[0]
    assert card.title == say("help.title", catalog)
    assert say("help.peer_note", catalog) in (card.description or "")
    assert say("command.resources.description", catalog) in str(card.fields[0].value)
    assert resources.response is not None
    assert resources.response.embeds[0].title == say("resources.title_no_country", catalog)
    assert say("resources.emergency_unknown", catalog) in (resources.response.embeds[0].description or "")
    assert schedule.response is not None
    assert schedule.response.content.startswith(say("checkin.schedule.saved", catalog).split("{")[0])
    [prompt] = [m for m in place.member.user.dm_channel.history() if m.author.bot]
    assert prompt.content == say("checkin.prompt.dm", catalog, server="Support Circle")
    assert labels(prompt)[:5] == [say(f"checkin.mood.{n}", catalog) for n in range(1, 6)]


@pytest.mark.parametrize(("discord_locale", "catalog"), [("es-419", "es"), ("de", "de")])
async def test_the_crisis_reply_follows_the_members_language_and_the_card_the_servers(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch, discord_locale: str, catalog: str
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: discord_locale})
    await place.alerts_on()
    await place.member.slash(place.general, "help")  # Haven learns the member's language here

    await place.member.send(place.general, "i want to die")  # the detector reads English only

    [reply] = [m for m in place.member.user.dm_channel.history() if m.author.bot]
    assert reply.content.startswith(say("crisis.reply.self", catalog))
    assert say("crisis.reply.peer_note", catalog) in reply.content
    assert reply.embeds[0].title == say("resources.title_no_country", catalog)
    assert labels(reply)[0] == say("resources.button.report", catalog)
    [card] = [m for m in place.alerts.history() if m.embeds]
    assert card.embeds[0].title == "High alert: about the writer"  # the server's language: English


async def test_before_haven_has_seen_a_member_their_dms_use_the_servers_language(
    env: simcord.Env, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(env, server_locale="de")
    speak(env, monkeypatch, {})
    await place.alerts_on()

    await place.member.send(place.general, "i want to die")

    [reply] = [m for m in place.member.user.dm_channel.history() if m.author.bot]
    assert reply.content.startswith(say("crisis.reply.self", "de"))
    [card] = [m for m in place.alerts.history() if m.embeds]
    assert card.embeds[0].title == say(
        "crisis.card.title",
        "de",
        severity=say("crisis.severity.high", "de"),
        kind=say("crisis.kind.self", "de"),
    )


async def test_channel_posts_use_the_servers_language_and_private_answers_the_members(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(env, server_locale="es-ES")
    speak(env, monkeypatch, {place.moderator.id: "de"})
    rules = place.guild.create_text_channel("rules")

    result = await place.moderator.slash(place.general, "setup transparency", channel=rules)

    assert result.response is not None
    assert result.response.content == say("setup.transparency.posted", "de", channel=rules.mention)
    [notice] = rules.history()
    assert notice.embeds[0].title == say("setup.transparency.title", "es")
    assert "**Solo en inglés:**" in (notice.embeds[0].description or "")


async def test_the_language_is_remembered_once_and_updated_when_it_changes(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(env)
    locales = {place.member.id: "es-ES"}
    speak(env, monkeypatch, locales)
    service = haven(env).services.locales

    await place.member.slash(place.general, "help")
    assert await service.locale_for(place.member.id) == "es-ES"
    locales[place.member.id] = "de"
    await place.member.slash(place.general, "help")

    assert await service.locale_for(place.member.id) == "de"
    assert await service.locale_for(place.moderator.id) is None


async def test_commands_are_registered_with_spanish_and_german_texts(env: simcord.Env) -> None:
    put = next(r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands"))
    commands: list[dict[str, Any]] = put.json or []
    by_name = {c["name"]: c for c in commands}
    resources = by_name["resources"]
    topic = next(o for o in resources["options"] if o["name"] == "topic")
    grounding = next(c for c in topic["choices"] if c["value"] == "grounding")

    for discord_locale, catalog in (("es-ES", "es"), ("es-419", "es"), ("de", "de")):
        assert by_name["help"]["description_localizations"][discord_locale] == say(
            "command.help.description", catalog
        )
        assert topic["description_localizations"][discord_locale] == say(
            "param.resources.topic.description", catalog
        )
        assert grounding["name_localizations"][discord_locale] == say("choice.grounding", catalog)
    # Names are localised too (issue #17 reversed the earlier English-only decision; docs/LANGUAGES.md).
    assert by_name["help"]["name_localizations"] == {"es-ES": "ayuda", "es-419": "ayuda", "de": "hilfe"}


def _named(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every command, subcommand and option below ``options``, walking groups."""
    found: list[dict[str, Any]] = []
    for option in options:
        found.append(option)
        found.extend(_named(option.get("options") or []))
    return found


async def test_every_command_subcommand_and_option_is_registered_with_valid_localised_names(
    env: simcord.Env,
) -> None:
    pattern = re.compile(
        r"^[-_\w]{1,32}$"
    )  # Discord's pattern for Latin-script names (\w: letters, digits, _)
    put = next(r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands"))
    registered: list[dict[str, Any]] = put.json or []
    # Slash commands follow the name pattern below; Apps-menu entries (types 2 and 3) may hold spaces and capitals.
    commands = [c for c in registered if c.get("type", 1) == 1]
    menus = [c for c in registered if c.get("type", 1) != 1]
    assert {m["name"] for m in menus} == {"Worried about this person", "Check on this member"}
    for menu in menus:
        assert set(menu.get("name_localizations") or {}) == {"es-ES", "es-419", "de"}, menu["name"]
        assert all(1 <= len(name) <= 32 for name in menu["name_localizations"].values())
    by_name = {c["name"]: c for c in commands}
    checkin = by_name["checkin"]
    export = next(o for o in checkin["options"] if o["name"] == "export")
    schedule = next(o for o in checkin["options"] if o["name"] == "schedule")
    timezone = next(o for o in schedule["options"] if o["name"] == "timezone")

    assert checkin["name_localizations"] == {"es-ES": "registro", "es-419": "registro", "de": "checkin"}
    assert export["name_localizations"]["es-419"] == "exportar"
    assert timezone["name_localizations"] == {
        "es-ES": "zona_horaria",
        "es-419": "zona_horaria",
        "de": "zeitzone",
    }
    for item in _named(commands):
        names = item.get("name_localizations") or {}
        assert set(names) == {"es-ES", "es-419", "de"}, item["name"]
        for name in names.values():
            assert pattern.match(name) and name == name.lower(), name
    for discord_locale in ("es-ES", "de"):  # siblings never share a name in any language
        for item in [{"options": commands}, *_named(commands)]:
            shown = [o["name_localizations"][discord_locale] for o in item.get("options") or []]
            assert len(shown) == len(set(shown)), (item.get("name"), discord_locale)
    # The env fixture validated this request against Discord's OpenAPI spec when the bot synced.


@pytest.mark.parametrize(
    ("discord_locale", "catalog", "names"),
    [
        ("es-ES", "es", ("`/ayuda`", "`/recursos`", "`/registro`", "`/privacidad`")),
        ("es-419", "es", ("`/ayuda`", "`/recursos`", "`/registro`", "`/privacidad`")),
        ("de", "de", ("`/hilfe`", "`/hilfsangebote`", "`/checkin`", "`/datenschutz`")),
    ],
)
async def test_help_names_the_commands_as_the_members_discord_shows_them(
    env: simcord.Env,
    monkeypatch: pytest.MonkeyPatch,
    discord_locale: str,
    catalog: str,
    names: tuple[str, ...],
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: discord_locale})

    help_ = await place.member.slash(place.general, "help")

    assert help_.response is not None
    listed = str(help_.response.embeds[0].fields[0].value)
    for name in names:
        assert name in listed
    assert "`/resources`" not in listed and "`/help`" not in listed
    footer = help_.response.embeds[0].footer.text or ""
    assert footer == say("help.footer", catalog) and "/about" not in footer


@pytest.mark.parametrize(("discord_locale", "catalog"), [("es-ES", "es"), ("de", "de")])
async def test_about_and_the_self_help_guides_fit_discords_limits_in_each_language(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch, discord_locale: str, catalog: str
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: discord_locale})

    about = await place.member.slash(place.general, "about")
    guides = [
        await place.member.slash(place.general, "resources", topic=topic)
        for topic in ("grounding", "breathing", "support_a_friend", "asking_for_support", "peer_support")
    ]

    assert about.response is not None
    assert say("about.privacy_value", catalog) in [f.value for f in about.response.embeds[0].fields]
    for guide, topic in zip(
        guides,
        ("grounding", "breathing", "support_a_friend", "asking_for_support", "peer_support"),
        strict=True,
    ):
        assert guide.response is not None
        shown = guide.response.embeds[0]
        assert shown.title == say(f"selfhelp.{topic}.title", catalog)
        assert say(f"selfhelp.{topic}.body", catalog) in (shown.description or "")
    # The env fixture checks every request against Discord's limits (1,024-character fields and so on).


async def test_a_failing_language_store_never_costs_a_reply_or_a_dm(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    place = Place(env, server_locale="de")
    speak(env, monkeypatch, {place.member.id: "es-ES"})
    await place.alerts_on()
    service = haven(env).services.locales

    async def broken(*_: Any) -> None:
        raise OSError("database unavailable")

    monkeypatch.setattr(service, "remember", broken)
    monkeypatch.setattr(service, "locale_for", broken)

    help_ = await place.member.slash(place.general, "help")
    await place.member.send(place.general, "i want to die")

    assert help_.response is not None and help_.response.embeds[0].title == say("help.title", "es")
    [reply] = [m for m in place.member.user.dm_channel.history() if m.author.bot]
    assert reply.content.startswith(say("crisis.reply.self", "de"))  # the server's language instead
    assert "OSError" in caplog.text and "ana" not in caplog.text


async def test_two_buddies_each_get_their_introduction_in_their_own_language(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(env)
    ines = place.guild.add_member(env.create_user("ines"))
    jonas = place.guild.add_member(env.create_user("jonas"))
    speak(env, monkeypatch, {ines.id: "es-419", jonas.id: "de"})

    for member in (ines, jonas):
        shown = await member.slash(place.general, "buddy join", looking_for="both", timezone="Europe/Berlin")
        assert shown.response is not None
        await member.select(shown.response.message, ["Anxiety"])
        await env.advance_time(1)

    for member, catalog in ((ines, "es"), (jonas, "de")):
        [intro] = [m for m in member.user.dm_channel.history() if m.author.bot and m.embeds]
        assert intro.content.startswith(say("buddy.dm.intro", catalog).split("**")[0])
        assert intro.embeds[0].title == say("buddy.intro.title", catalog)
        assert labels(intro)[:2] == [say("buddy.button.hello", catalog), say("buddy.button.notnow", catalog)]


async def test_chosen_days_are_named_in_the_members_language(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: "de"})

    saved = await place.member.slash(
        place.general, "checkin schedule", time="9:00", timezone="Europe/Berlin", days="mon wed fri"
    )

    assert saved.response is not None
    assert f"(Europe/Berlin), {say('day.0', 'de')}, {say('day.2', 'de')}, {say('day.4', 'de')}." in (
        saved.response.content
    )


@pytest.mark.parametrize(
    ("discord_locale", "catalog", "typed", "code", "shown"),
    [
        ("es-ES", "es", "alemania", "DE", "Alemania"),
        ("es-419", "es", "Alema", "DE", "Alemania"),
        ("de", "de", "spanien", "ES", "Spanien"),
        ("de", "de", "deutschland", "DE", "Deutschland"),
        ("es-ES", "es", "españa", "ES", "España"),
    ],
)
async def test_countries_are_named_and_found_in_the_members_language(
    env: simcord.Env,
    monkeypatch: pytest.MonkeyPatch,
    discord_locale: str,
    catalog: str,
    typed: str,
    code: str,
    shown: str,
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: discord_locale})

    choices = await place.member.autocomplete(place.general, "resources", "country", typed)
    answer = await place.member.slash(place.general, "resources", country=choices[0]["value"])
    english = await place.moderator.slash(place.general, "resources", country=code)

    assert choices[0] == {"name": shown, "value": code}
    assert answer.response is not None and english.response is not None
    card = answer.response.embeds[0]
    assert card.title == say("resources.title", catalog, country=shown)
    remember = labels(answer.response.message)
    assert say("resources.button.remember", catalog, country=shown) in remember
    # Helpline names stay as their sources give them: the same fields as an English member sees.
    assert [f.name for f in card.fields] == [f.name for f in english.response.embeds[0].fields]


async def test_an_english_member_finds_a_country_by_its_spanish_or_german_name(env: simcord.Env) -> None:
    place = Place(env)

    spanish = await place.member.autocomplete(place.general, "resources", "country", "alemania")
    german = await place.member.autocomplete(place.general, "resources", "country", "Spanien")

    assert spanish[0] == {"name": "Germany", "value": "DE"}
    assert german[0] == {"name": "Spain", "value": "ES"}


async def test_the_picker_lists_regions_and_countries_by_their_names_in_the_members_language(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: "de"})
    first = await place.member.slash(place.general, "resources")
    assert first.response is not None
    regions = {
        o.value: o.label
        for row in first.response.message.components
        for select in getattr(row, "children", [])
        for o in getattr(select, "options", [])
    }
    assert (
        regions["Europe"] == "Europa" and regions["Oceania"] == "Ozeanien" and regions["Africa"] == "Afrika"
    )

    region = await place.member.select(first.response.message, ["Europe"])

    assert region.response is not None
    options = [
        o.label
        for row in region.response.message.components
        for select in getattr(row, "children", [])
        for o in getattr(select, "options", [])
    ]
    assert "Deutschland" in options and "Spanien" in options and "Germany" not in options
    first_list = options[:25]  # the first select: countries in German alphabetical order
    assert first_list == sorted(first_list, key=normalise)


async def test_privacy_show_names_the_saved_country_in_the_members_language(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = Place(env)
    speak(env, monkeypatch, {place.member.id: "es-419"})
    await haven(env).services.resources.remember_country(place.member.id, "DE")

    shown = await place.member.slash(place.general, "privacy show")

    assert shown.response is not None
    title = haven(env).i18n.text("privacy.show.across", "es-419")
    across = next(f.value for f in shown.response.embeds[0].fields if f.name == title) or ""
    assert "Alemania" in across and "Germany" not in across
