"""Slash commands are registered once, and again only when they change."""

from __future__ import annotations

from typing import Any

import discord
import simcord
from discord import app_commands
from discord.ext import commands

from bot.app import HavenBot
from bot.i18n import Catalogs
from bot.storage.engine import Database
from bot.wiring import build_bot, build_services


def command_puts(env: simcord.Env) -> int:
    return sum(
        1
        for r in env.http_requests
        if r.method == "PUT" and r.path.endswith("/commands") and "/guilds/" not in r.path
    )


class Extra(commands.Cog):
    @app_commands.command(name="extra")
    async def extra(self, interaction: discord.Interaction[Any]) -> None:
        """A new command in a newer version."""
        await interaction.response.send_message("extra", ephemeral=True)


class NewerBot(HavenBot):
    async def setup_hook(self) -> None:
        await self.add_cog(Extra())
        await super().setup_hook()


async def test_first_start_registers_commands_and_help_answers(env: simcord.Env) -> None:
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("robin"))

    assert command_puts(env) == 1
    assert (await member.slash(channel, "help")).response is not None


async def test_restart_with_the_same_commands_does_not_sync_again(
    env: simcord.Env, database: Database
) -> None:
    await env.restart_bot(build_bot(database))

    assert command_puts(env) == 1
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("robin"))
    assert (await member.slash(channel, "help")).response is not None


async def test_restart_with_changed_commands_syncs_once(
    env: simcord.Env, database: Database, clock: Any
) -> None:
    def newer() -> NewerBot:
        return NewerBot(db=database, services=build_services(database, clock), catalogs=Catalogs.load())

    await env.restart_bot(newer())
    await env.restart_bot(newer())

    assert command_puts(env) == 2
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("robin"))
    result = await member.slash(channel, "extra")
    assert result.response is not None and result.response.content == "extra"


async def test_sync_subcommand_forces_a_sync(env: simcord.Env) -> None:
    bot = env.bot
    assert isinstance(bot, HavenBot)

    assert await bot.sync_commands(force=True)

    assert command_puts(env) == 2


async def test_failed_sync_is_retried_at_the_next_start(
    env: simcord.Env, database: Database, clock: Any
) -> None:
    def newer() -> NewerBot:
        return NewerBot(db=database, services=build_services(database, clock), catalogs=Catalogs.load())

    env.inject_error("PUT", "/applications/*/commands", status=500)
    await env.restart_bot(newer())  # the sync fails; the bot still starts
    assert command_puts(env) == 2

    await env.restart_bot(newer())

    assert command_puts(env) == 3
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("robin"))
    assert (await member.slash(channel, "extra")).response is not None
