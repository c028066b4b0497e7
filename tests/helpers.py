"""Small helpers for tests that drive the real bot in simcord."""

from __future__ import annotations

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
