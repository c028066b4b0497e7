"""Small helpers for tests that drive the real bot in simcord."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import discord
import simcord

from bot.app import HavenBot


def haven(env: simcord.Env) -> HavenBot:
    """The Haven bot running in ``env``."""
    assert isinstance(env.bot, HavenBot)
    return env.bot


def bot_member(env: simcord.Env, guild: simcord.GuildHandle) -> discord.Member:
    """Haven's own member object in ``guild``."""
    cached = env.bot.get_guild(guild.id)
    assert cached is not None
    return cached.me


def fields(embed: discord.Embed) -> dict[str, str]:
    """An embed's fields as name -> value."""
    return {str(f.name): str(f.value) for f in embed.fields}


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON payload (a request body), however deeply nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():  # pyright: ignore[reportUnknownVariableType]
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:  # pyright: ignore[reportUnknownVariableType]
            yield from strings_in(item)


def restore_root_logging(
    saved_handlers: list[logging.Handler],
    saved_level: int,
    *,
    keep: Callable[[logging.Handler], bool] | None = None,
) -> None:
    """Put the root logger back as it was: handlers added since are closed (``keep`` spares some), removed ones
    come back, and the level is restored."""
    root = logging.getLogger()
    spare = keep or (lambda handler: handler in saved_handlers)
    for handler in list(root.handlers):
        if not spare(handler):
            root.removeHandler(handler)
            handler.close()
    for handler in saved_handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(saved_level)
