"""Every synced command and option, sent hostile values a modified client can send, through the real bot.

For each value: the interaction is answered, privately; nothing ERROR or traceback is logged; and every request
the bot sent is valid for Discord (the ``env`` fixture checks that). One bot per top-level command keeps it fast.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
import pytest
import simcord
from discord import app_commands
from simcord import actors as sim_actors
from simcord import interactions as sim_interactions

from bot.errors import DomainError

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


class World:
    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.guild = env.create_guild("Hostile Input")
        self.general = self.guild.create_text_channel("general")
        self.alerts = self.guild.create_text_channel("mod-alerts")
        self.mods = self.guild.create_role(
            "Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True
        )
        self.moderator = self.guild.add_member(env.create_user("mod"), roles=[self.mods])
        self.member = self.guild.add_member(env.create_user("robin"))

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
    world: World, actor: simcord.MemberActor, root: dict[str, Any], path: list[str], raw: dict[str, Any]
) -> simcord.InteractionResult:
    """Invoke a slash command as a modified client would: valid options for the rest, ``raw`` values as sent."""
    leaf, nesting = sim_interactions.walk_to_subcommand(root, path[1:])
    channel = world.general
    valid = {
        o["name"]: world.valid(o)
        for o in leaf.get("options") or []
        if o.get("required") and o["name"] not in raw
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
    names = {
        c["name"]
        for c in env.backend.visible_commands(user_id=world.moderator.id, channel_id=world.general.id)
    }
    assert names == set(TOP_LEVEL)


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
            for value in hostile_values(option):
                for actor in (world.moderator, world.member):
                    what = f"/{' '.join(path)} {option['name']}={value!r:.40} by {actor.user.name}"
                    result = await invoke_raw(world, actor, root, path, {option["name"]: value})
                    invocations += 1
                    check(result, what, problems)
        if not leaf.get("options"):
            result = await invoke_raw(world, world.member, root, path, {})
            check(result, f"/{' '.join(path)}", problems)
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
