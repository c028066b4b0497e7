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


class ModeratedServer:
    """A server with #general, a #mod-alerts channel, a moderator role (Manage Server, mentionable), a moderator and
    one member, Robin: the usual start of a crisis scenario. Test files extend it with their own steps."""

    def __init__(self, env: simcord.Env, name: str = "Support Circle") -> None:
        self.env = env
        self.guild = env.create_guild(name)
        self.general = self.guild.create_text_channel("general")
        self.alerts = self.guild.create_text_channel("mod-alerts")
        self.mods = self.guild.create_role(
            "Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True
        )
        self.moderator = self.guild.add_member(env.create_user("mod"), roles=[self.mods])
        self.member = self.guild.add_member(env.create_user("robin"))
