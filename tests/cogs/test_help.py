"""/help and /about through the real bot."""

from __future__ import annotations

import discord
import simcord

from tests.helpers import fields


def _world(env: simcord.Env):
    guild = env.create_guild("Support Circle")
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("robin"))
    return guild, channel, member


async def test_help_is_private_and_lists_member_commands(env: simcord.Env) -> None:
    _, channel, member = _world(env)

    result = await member.slash(channel, "help")

    assert result.ephemeral
    assert result.response is not None
    embed = result.response.embeds[0]
    assert "Haven" in (embed.title or "")
    assert "not a therapist" in (embed.description or "")
    values = fields(embed)
    assert "`/about`" in values["Commands for everyone"]
    assert "`/resources`" in values["Commands for everyone"]
    # Moderator commands are listed only for members who can use them (see the next test).
    assert "For moderators" not in values
    assert "/setup" not in str(values) and "`/crisis`" not in str(values)


async def test_help_lists_moderator_commands_for_moderators(env: simcord.Env) -> None:
    guild, channel, _ = _world(env)
    role = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    moderator = guild.add_member(env.create_user("mod"), roles=[role])

    result = await moderator.slash(channel, "help")

    assert result.ephemeral and result.response is not None
    values = fields(result.response.embeds[0])
    assert "`/setup` show · alerts" in values["For moderators"]
    assert "`/crisis`" in values["For moderators"]
    assert "`/resources`" in values["Commands for everyone"]


async def test_about_shows_version_privacy_and_source(env: simcord.Env) -> None:
    _, channel, member = _world(env)

    result = await member.slash(channel, "about")

    assert result.ephemeral
    assert result.response is not None
    embed = result.response.embeds[0]
    values = fields(embed)
    from bot import SOURCE_URL, __version__

    assert values["Version"] == __version__
    assert SOURCE_URL in values["Source code"]
    assert "checked in memory for crisis language and never stored" in values["Your privacy"]


async def test_help_works_in_direct_messages(env: simcord.Env) -> None:
    user = env.create_user("sam")

    result = await user.slash("help")

    assert result.ephemeral or result.response is not None
