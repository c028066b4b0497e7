"""Every synced command and option, sent hostile values a modified client can send, through the real bot.

For each value: the interaction is answered, privately; nothing ERROR or traceback is logged; and every request
the bot sent is valid for Discord (the ``env`` fixture checks that). One bot per top-level command keeps it fast.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import simcord
from discord import app_commands
from simcord import actors as sim_actors
from simcord import interactions as sim_interactions

from bot.errors import DomainError
from tests.helpers import fields, haven
from tests.kit import World as KitWorld

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10
SNOWFLAKES = (USER, CHANNEL, ROLE, MENTIONABLE)

# Top-level commands: a test asserts this is exactly what the bot syncs, so a new command joins the sweep.
TOP_LEVEL = [
    "help",
    "about",
    "setup",
    "resources",
    "resources-admin",
    "crisis",
    "privacy",
    "checkin",
    "checkin-admin",
    "buddy",
    "buddy-admin",
    "support",
    "support-admin",
    "listener",
]

HOSTILE_TEXT = [
    "",
    "   \t ",
    "x" * 6000,
    "z\u0337\u0322\u031b\u0334a\u0335l\u0338g\u0336o\u0335" * 300,
    "\u202egnp.exe \u202dnormal",
    "a\u200bb\u200dc\ufeff",
    "nul\x00byte",
    "\ud800",
    "lone \udfff low surrogate \ud83d",
    "@everyone @here <@&123456789012345678> <@123456789012345678>",
    "[Jump to message](https://evil.example/x)",
    "9" * 40,
    "-1",
    "not-a-choice",
]
HOSTILE_INTEGERS: list[Any] = [0, -1, 8, -(2**63), 2**63, 10**40, 1.5, "12", None, True]
HOSTILE_BOOLEANS: list[Any] = ["yes", 2, None]
HOSTILE_SNOWFLAKES: list[Any] = ["0", "-5", "9" * 40, str(2**63), "abc", "\ud800", 123456789012345678, None]


def hostile_values(option: dict[str, Any]) -> list[Any]:
    kind = option["type"]
    if kind == STRING:
        return HOSTILE_TEXT
    if kind in (INTEGER, NUMBER):
        return HOSTILE_INTEGERS
    if kind == BOOLEAN:
        return HOSTILE_BOOLEANS
    if kind in SNOWFLAKES:
        return [*HOSTILE_SNOWFLAKES, "123456789012345678"]  # well-formed, but never resolved
    return []


class World(KitWorld):
    def __init__(self, env: simcord.Env) -> None:
        super().__init__(env, name="Hostile Input")

    def valid(self, option: dict[str, Any]) -> Any:
        """A valid value for ``option`` (as a simcord handle for snowflakes)."""
        kind = option["type"]
        if option.get("choices"):
            return option["choices"][0]["value"]
        if kind == STRING:
            return {"timezone": "UTC", "until": "2030-01-01", "time": "21:30"}.get(option["name"], "hello")
        if kind in (INTEGER, NUMBER):
            return option.get("min_value", 1)
        if kind == BOOLEAN:
            return False
        if kind == USER:
            return self.member
        if kind == CHANNEL:
            return self.alerts
        if kind in (ROLE, MENTIONABLE):
            return self.mods
        raise AssertionError(f"no valid value for option type {kind}")


async def invoke_raw(
    world: World,
    actor: simcord.MemberActor,
    root: dict[str, Any],
    path: list[str],
    raw: dict[str, Any],
    *,
    fill: bool = True,
) -> simcord.InteractionResult:
    """Invoke a slash command as a modified client would: valid options for the rest, ``raw`` values as sent."""
    leaf, nesting = sim_interactions.walk_to_subcommand(root, path[1:])
    channel = world.general
    valid = {
        o["name"]: world.valid(o)
        for o in leaf.get("options") or []
        if fill and o.get("required") and o["name"] not in raw
    }
    built, resolved = sim_interactions.build_options(
        actor, " ".join(path), leaf, valid, partial=True, channel_id=channel.id
    )
    declared = {o["name"]: o for o in leaf.get("options") or []}
    for name, value in raw.items():
        built.append({"name": name, "type": declared[name]["type"], "value": value})
    data: dict[str, Any] = {
        "id": root["id"],
        "name": root["name"],
        "type": 1,
        "options": sim_interactions.nest_options(root, nesting, built),
    }
    if resolved:
        data["resolved"] = resolved
    return await sim_actors._dispatch_actor_interaction(actor, 2, channel, data)


@pytest.fixture
async def world(env: simcord.Env) -> World:
    world = World(env)
    await world.moderator.slash(world.general, "setup alerts", channel=world.alerts, role=world.mods)
    await world.moderator.slash(world.general, "checkin-admin settings", enabled=True)
    return world


def root_command(world: World, name: str) -> dict[str, Any]:
    return sim_actors._resolve_visible_command(world.moderator, world.general.id, name, 1)


def check(result: simcord.InteractionResult, what: str, problems: list[str]) -> None:
    if not result.acknowledged:
        problems.append(f"{what}: not answered")
    elif result.modal is None and not result.ephemeral:
        problems.append(f"{what}: answered publicly")


async def test_the_sweep_covers_every_synced_command(env: simcord.Env, world: World) -> None:
    visible = env.backend.visible_commands(user_id=world.moderator.id, channel_id=world.general.id)
    # Apps-menu entries take no typed options (Discord resolves the message or member): tests/cogs/test_support.py.
    assert {c["name"] for c in visible if c.get("type", 1) == 1} == set(TOP_LEVEL)


@pytest.mark.parametrize("top", TOP_LEVEL)
async def test_hostile_values_get_a_private_answer_and_no_traceback(
    env: simcord.Env, world: World, top: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    root = root_command(world, top)
    problems: list[str] = []
    invocations = 0
    for path, leaf in sim_interactions.command_leaves(root):
        for option in leaf.get("options") or []:
            for value in hostile_values(option):  # by a moderator, so admin commands run their bodies too
                what = f"/{' '.join(path)} {option['name']}={value!r:.40}"
                result = await invoke_raw(world, world.moderator, root, path, {option["name"]: value})
                invocations += 1
                check(result, what, problems)
        for actor in (world.moderator, world.member):  # no options at all, required ones included
            result = await invoke_raw(world, actor, root, path, {}, fill=False)
            invocations += 1
            check(result, f"/{' '.join(path)} without options by {actor.user.name}", problems)
        for option in [o for o in leaf.get("options") or [] if o.get("autocomplete")]:
            for value in [*HOSTILE_TEXT, 7, None]:
                result = await sim_actors._autocomplete_result(
                    world.moderator, world.general, " ".join(path), option["name"], value, {}
                )
                invocations += 1
                if result.autocomplete_choices is None:
                    problems.append(f"/{' '.join(path)} {option['name']}={value!r:.40}: no suggestions")
    assert invocations > 0
    logged = [
        f"{r.levelname} {r.name}: {r.getMessage()[:200]}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info
    ]
    assert not problems, "\n".join(problems[:40])
    assert not logged, "\n".join(logged[:40])
    unexpected = [
        repr(e) for e in env.errors if not isinstance(_cause(e), DomainError | app_commands.CheckFailure)
    ]
    assert not unexpected, "\n".join(unexpected[:40])


def _cause(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError) and error.__cause__ is not None:
        error = error.__cause__
    return error


# --- the cases of issue #12, one by one, with what the member sees

PLACEHOLDER = "__hostile_placeholder__"


@pytest.fixture
def modified_modal(monkeypatch: pytest.MonkeyPatch):
    """Submit a modal as a modified client: the field typed as ``PLACEHOLDER`` arrives as ``value``."""
    from simcord import _modal

    sent: dict[str, Any] = {}
    original = sim_actors._dispatch_actor_interaction  # what simcord._modal calls

    def swap(components: list[dict[str, Any]]) -> None:
        for component in components:
            if component.get("value") == PLACEHOLDER:
                component["value"] = sent["value"]
            swap(component.get("components") or [])
            if isinstance(component.get("component"), dict):
                swap([component["component"]])

    async def dispatch(actor: Any, type: int, channel: Any, data: dict[str, Any], **kwargs: Any) -> Any:
        swap(data.get("components") or [])
        return await original(actor, type, channel, data, **kwargs)

    monkeypatch.setattr(_modal, "_dispatch_actor_interaction", dispatch)

    async def submit(actor: Any, form: Any, field: str, value: str) -> simcord.InteractionResult:
        sent["value"] = value
        return await actor.submit_modal(form, {field: PLACEHOLDER})

    return submit


MASKED = "[Jump to message](https://evil.example/x)"


def renders_a_link(text: str) -> bool:
    """Whether Discord would render a masked link in ``text`` (an escaped ``\\[`` does not)."""
    import re

    return re.search(r"(?<!\\)\[[^\]]*\]\(https?://", text) is not None


async def test_a_forty_digit_entry_is_no_entry_of_ours(env: simcord.Env, world: World) -> None:
    root = root_command(world, "resources-admin")

    result = await invoke_raw(
        world, world.moderator, root, ["resources-admin", "remove"], {"entry": "9" * 40}
    )

    assert result.ephemeral and result.response is not None
    assert "couldn't find that entry" in result.response.content
    env.errors  # noqa: B018


async def test_a_value_outside_the_choices_is_named_with_the_choices(env: simcord.Env, world: World) -> None:
    root = root_command(world, "checkin")

    result = await invoke_raw(world, world.member, root, ["checkin", "history"], {"days": 100000})

    assert result.ephemeral and result.response is not None
    text = result.response.content
    assert "“100000” isn't one of the choices for days" in text
    assert "7 days, 30 days, 90 days, 365 days" in text
    env.errors  # noqa: B018


async def test_a_number_out_of_range_names_the_range(env: simcord.Env, world: World) -> None:
    root = root_command(world, "crisis")

    result = await invoke_raw(
        world, world.moderator, root, ["crisis", "settings"], {"retention_days": 10**40}
    )

    assert result.ephemeral and result.response is not None
    assert "between 1 and 365" in result.response.content
    assert len(result.response.content) < 300
    env.errors  # noqa: B018


async def test_a_whitespace_only_report_posts_no_card(
    env: simcord.Env, world: World, modified_modal: Any
) -> None:
    first = await world.member.slash(world.general, "resources", country="JP")
    assert first.response is not None
    before = len(world.alerts.history())

    form = await world.member.click(first.response.message, label="Report a problem")
    done = await modified_modal(world.member, form, "details", " \n\t ")

    assert done.ephemeral and done.response is not None
    assert "spaces alone don't count" in done.response.content
    assert len(world.alerts.history()) == before
    env.errors  # noqa: B018


async def test_a_report_card_shows_member_text_as_text(
    env: simcord.Env, world: World, modified_modal: Any
) -> None:
    first = await world.member.slash(world.general, "resources", country="JP")
    assert first.response is not None
    form = await world.member.click(first.response.message, label="Report a problem")

    done = await modified_modal(world.member, form, "details", f"{MASKED} @everyone bad\ud800 number")

    assert done.ephemeral
    card = world.alerts.last_message
    assert card is not None
    text = fields(card.embeds[0])["What's wrong"]
    assert not renders_a_link(text)
    assert "@everyone" not in text and "\ud800" not in text
    assert "bad number" in text


async def test_a_six_thousand_character_note_is_refused_and_given_back_in_one_message(
    env: simcord.Env, world: World, modified_modal: Any
) -> None:
    shown = await world.member.slash(world.general, "checkin now")
    assert shown.response is not None
    saved = await world.member.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await world.member.click(saved.response.message, label="Add a note")

    failed = await modified_modal(world.member, form, "note", "n" * 6000)

    assert failed.ephemeral and failed.response is not None
    assert "up to 1000 characters" in failed.response.content
    [kept] = failed.followups
    assert kept.ephemeral
    assert 1000 < len(kept.content) <= 2000
    assert kept.content.rstrip("`\n").endswith("…")
    env.errors  # noqa: B018


async def test_a_note_with_a_lone_surrogate_is_saved_without_it(
    env: simcord.Env, world: World, modified_modal: Any
) -> None:
    shown = await world.member.slash(world.general, "checkin now")
    assert shown.response is not None
    saved = await world.member.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await world.member.click(saved.response.message, label="Add a note")

    noted = await modified_modal(world.member, form, "note", "slept \ud800well\x00")

    assert noted.ephemeral and noted.response is not None and "Note saved" in noted.response.content
    [(_, _, _, note)] = await haven(env).services.checkins.export_rows(world.guild.id, world.member.id)
    assert note == "slept well"


async def test_an_alert_excerpt_never_renders_a_members_link(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, f"I want to kill myself tonight {MASKED} @everyone")

    cards = [m for m in world.alerts.history() if m.embeds and "alert" in (m.embeds[0].title or "")]
    assert len(cards) == 1
    excerpt = fields(cards[0].embeds[0])["Excerpt"]
    assert "I want to kill myself tonight" in excerpt
    assert "Jump to message" in excerpt and not renders_a_link(excerpt)
    assert "@everyone" not in excerpt


async def test_every_modal_field_takes_hostile_text_with_a_private_answer(
    env: simcord.Env, world: World, modified_modal: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The three modals (report a problem, check-in note, allow-list phrase), every hostile text."""
    caplog.set_level(logging.INFO)
    resources = await world.member.slash(world.general, "resources", country="JP")
    shown = await world.member.slash(world.general, "checkin now")
    assert resources.response is not None and shown.response is not None
    saved = await world.member.click(shown.response.message, label="Okay")
    assert saved.response is not None
    await world.member.send(world.general, "ugh the raid boss made me want to die")
    card = world.alerts.last_message
    assert card is not None
    false_alarm = await world.moderator.click(card, label="False alarm")
    [offer] = false_alarm.followups
    forms = [
        (world.member, resources.response.message, "Report a problem", "details"),
        (world.member, saved.response.message, "Add a note", "note"),
        (world.moderator, offer.message, "Add an allow-list phrase", "phrase"),
    ]
    problems: list[str] = []
    for actor, message, label, field in forms:
        for value in HOSTILE_TEXT:
            form = await actor.click(message, label=label)
            result = await modified_modal(actor, form, field, value)
            check(result, f"{label} {field}={value!r:.40}", problems)
    logged = [f"{r.levelname} {r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.exc_info]
    logged += [
        f"{r.levelname} {r.name}: {r.getMessage()[:200]}"
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]
    assert not problems, "\n".join(problems)
    assert not logged, "\n".join(logged[:40])
    unexpected = [repr(e) for e in env.errors if not isinstance(_cause(e), DomainError)]
    assert not unexpected, "\n".join(unexpected[:40])
