"""Every button and select menu the bot shows, pressed as a modified client would, through the real bot.

A modified client can send any ``custom_id`` and any select values. For every component on the messages a member and a
moderator see (check-ins now and by DM, the saved check-in, resources, an alert card), the sweep sends:
- the real ``custom_id`` with each number in it replaced by hostile numbers (0, 40 digits, past 64 bits) and each word by
  an unknown word;
- for select menus, values outside the options (unknown, empty, 40 digits, lone surrogate, too many).
discord.py only runs a button whose ``custom_id`` is on the message the interaction names, and the message comes from
Discord, not from the client. So the sweep takes the worst case: the message it names carries the hostile ``custom_id``
too (as if Haven itself had once sent it, like the buttons of a check-in deleted since). It asserts: every interaction
whose ``custom_id`` matches one of Haven's buttons is answered, privately; nothing ERROR or traceback is logged; every
request the bot sent is valid for Discord (the ``env`` fixture checks that).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import simcord
from discord import app_commands
from simcord import actors as sim_actors
from simcord.backend import serializers

from bot.errors import DomainError
from tests.helpers import haven
from tests.kit import World

BUTTON, STRING_SELECT = 2, 3
HOSTILE_NUMBERS = ["0", "9" * 40, str(2**63), str(2**64)]
HOSTILE_WORDS = ["nonexistent", "zz"]
HOSTILE_SELECT_VALUES: list[list[Any]] = [
    ["not-an-option"],
    [""],
    ["9" * 40],
    ["\ud800"],
    ["sleep"] * 26,
    [],
]


def mutations(custom_id: str) -> list[str]:
    """The custom_id with one number, or one word after a colon, replaced by a hostile value at a time."""
    found: list[str] = []
    for match in re.finditer(r"\d+", custom_id):
        for value in HOSTILE_NUMBERS:
            found.append(custom_id[: match.start()] + value + custom_id[match.end() :])
    for match in re.finditer(r"(?<=:)[a-z_]+", custom_id):
        for value in HOSTILE_WORDS:
            found.append(custom_id[: match.start()] + value + custom_id[match.end() :])
    found += ["", "x" * 100, "ci:mood", "crisis:claim:", "\ud800"]
    return [c for c in dict.fromkeys(found) if c != custom_id]


def components(message: Any) -> list[dict[str, Any]]:
    """Every button and string select with a custom_id on a stored message, nested rows included."""
    out: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("type") in (BUTTON, STRING_SELECT) and item.get("custom_id"):
                out.append(item)
            walk(item.get("components") or [])

    walk(list(message.components))
    return out


def ours(env: simcord.Env, custom_id: str) -> bool:
    """Whether one of Haven's buttons or menus would take this custom_id."""
    store = haven(env)._connection._view_store  # discord.py's registry of dynamic items
    return any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items)


def public_by_design(custom_id: str) -> bool:
    """ "Share here" posts resources for the channel (an unknown topic shares the default one, crisis lines)."""
    return custom_id.startswith("res:share:")


def _cause(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError) and error.__cause__ is not None:
        error = error.__cause__
    return error


async def messages_to_press(env: simcord.Env, world: World) -> list[tuple[Any, Any]]:
    """(actor, message) pairs: the messages with components a member and a moderator see."""
    await world.moderator.slash(world.general, "setup alerts", channel=world.alerts, role=world.mods)
    shown = await world.member.slash(world.general, "checkin now")
    resources = await world.member.slash(world.general, "resources", country="JP")
    assert shown.response is not None and resources.response is not None
    saved = await world.member.click(shown.response.message, label="Awful")  # low: the follow-up buttons too
    assert saved.response is not None
    await world.member.send(world.general, "I want to kill myself")
    card = world.alerts.last_message
    assert card is not None
    pairs: list[tuple[Any, Any]] = [
        (world.member, shown.response.message),
        (world.member, resources.response.message),
        (world.member, saved.response.message),
        (world.moderator, card),
    ]
    return pairs


def with_custom_id(payload: Any, old: str, new: str) -> Any:
    """The message payload with the component ``old`` carrying ``new`` instead."""
    if isinstance(payload, dict):
        return {
            k: (new if k == "custom_id" and v == old else with_custom_id(v, old, new))
            for k, v in payload.items()
        }
    if isinstance(payload, list):
        return [with_custom_id(v, old, new) for v in payload]
    return payload


async def press(actor: Any, stored: Any, original: str, data: dict[str, Any]) -> simcord.InteractionResult:
    """A component interaction as a modified client sends it, on a message that carries ``data``'s custom_id."""
    channel = simcord.ChannelHandle(
        actor._env, getattr(actor, "guild", None), actor._env.backend.get_channel(stored.channel_id)
    )
    message = with_custom_id(
        dict(serializers.message_payload(actor._env.backend, stored)), original, data["custom_id"]
    )
    return await sim_actors._dispatch_actor_interaction(
        actor, 3, channel, data, extra={"message": message}, source_message_id=stored.id
    )


@pytest.fixture
async def world(env: simcord.Env) -> World:
    return World(env, name="Hostile Components")


async def test_hostile_custom_ids_and_select_values_get_a_private_answer_and_no_traceback(
    env: simcord.Env, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    problems: list[str] = []
    sent = 0
    for actor, message in await messages_to_press(env, world):
        stored = sim_actors._visible_message(actor, message)
        for component in components(stored):
            kind = component["type"]
            tries: list[dict[str, Any]] = [
                {
                    "custom_id": c,
                    "component_type": kind,
                    **({"values": ["x"]} if kind == STRING_SELECT else {}),
                }
                for c in mutations(component["custom_id"])
            ]
            if kind == STRING_SELECT:
                tries += [
                    {"custom_id": component["custom_id"], "component_type": kind, "values": values}
                    for values in HOSTILE_SELECT_VALUES
                ]
            for data in tries:
                result = await press(actor, stored, component["custom_id"], data)
                sent += 1
                what = f"{data['custom_id']!r:.60} values={data.get('values')!r:.40}"
                if not ours(env, data["custom_id"]):
                    continue  # no button of Haven's has this id: Discord shows its own "interaction failed"
                if not result.acknowledged:
                    problems.append(f"{what}: not answered")
                elif (
                    result.modal is None and not result.ephemeral and not public_by_design(data["custom_id"])
                ):
                    problems.append(f"{what}: answered publicly")
    assert sent > 100
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
