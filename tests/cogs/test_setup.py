"""/setup through the real bot: moderators configure alerts; others can't."""

from __future__ import annotations

import discord
import pytest
import simcord

from tests.helpers import bot_member, fields, haven
from tests.kit import World


@pytest.fixture
async def world(world: World):
    """The kit's world, unpacked: guild, #general, #mod-alerts, the moderator role, the moderator, Robin."""
    return world.guild, world.general, world.alerts, world.mods, world.moderator, world.member


async def test_moderator_sets_alert_channel_and_role_privately(env: simcord.Env, world) -> None:
    guild, general, alerts, mods, moderator, _ = world

    result = await moderator.slash(general, "setup alerts", channel=alerts, role=mods)

    assert result.ephemeral
    assert result.response is not None
    assert result.response.content.startswith("Saved.")
    assert alerts.mention in result.response.content
    saved = await haven(env).services.guild_settings.get(guild.id)
    assert (saved.alert_channel_id, saved.moderator_role_id) == (alerts.id, mods.id)


async def test_setup_show_reports_ready_alerts(env: simcord.Env, world) -> None:
    _, general, alerts, mods, moderator, _ = world
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)

    result = await moderator.slash(general, "setup show")

    assert result.ephemeral
    assert result.response is not None
    embed = result.response.embeds[0]
    assert "Escalations are ready" in (embed.description or "")
    assert fields(embed)["Alert channel"] == alerts.mention


async def test_setup_show_before_anything_is_set_says_how_to_start(env: simcord.Env, world) -> None:
    _, general, _, _, moderator, _ = world

    result = await moderator.slash(general, "setup show")

    assert result.response is not None
    assert "/setup alerts" in (result.response.embeds[0].description or "")


async def test_setup_is_hidden_from_members_without_manage_server(env: simcord.Env, world) -> None:
    _, general, _, _, moderator, member = world

    assert "setup show" not in member.available_commands(general)
    assert "setup show" in moderator.available_commands(general)


async def test_setup_rechecks_manage_server_when_run(env: simcord.Env, world) -> None:
    guild, general, alerts, mods, _, member = world
    # A server admin let everyone see /setup in the integration settings; Haven still checks.
    commands = await haven(env).tree.fetch_commands()
    setup_cmd = next(c for c in commands if c.name == "setup")
    guild.set_command_permissions(setup_cmd, {guild.default_role: True})

    result = await member.slash(general, "setup alerts", channel=alerts, role=mods)

    assert result.ephemeral
    assert result.response is not None
    assert "Manage Server" in result.response.content
    assert (await haven(env).services.guild_settings.get(guild.id)).alert_channel_id is None
    assert any(isinstance(e, discord.app_commands.MissingPermissions) for e in env.errors)


async def test_alert_channel_the_bot_cannot_post_in_is_refused_with_missing_permissions(
    env: simcord.Env, world
) -> None:
    guild, general, _, mods, moderator, _ = world
    me = bot_member(env, guild)
    locked = guild.create_text_channel(
        "locked", overwrites={me: discord.PermissionOverwrite(send_messages=False, embed_links=False)}
    )

    result = await moderator.slash(general, "setup alerts", channel=locked, role=mods)

    assert result.ephemeral
    assert result.response is not None
    text = result.response.content
    assert "Send Messages" in text and "Embed Links" in text
    assert "Nothing was changed" in text
    assert (await haven(env).services.guild_settings.get(guild.id)).alert_channel_id is None
    env.errors  # the refusal went through the error funnel  # noqa: B018


async def test_alert_channel_the_bot_cannot_see_is_refused(env: simcord.Env, world) -> None:
    guild, general, _, mods, moderator, _ = world
    me = bot_member(env, guild)
    hidden = guild.create_text_channel(
        "hidden", overwrites={me: discord.PermissionOverwrite(view_channel=False)}
    )

    result = await moderator.slash(general, "setup alerts", channel=hidden, role=mods)

    assert result.response is not None
    assert "View Channel" in result.response.content
    env.errors  # noqa: B018


async def test_everyone_role_is_refused_kindly(env: simcord.Env, world) -> None:
    guild, general, alerts, _, moderator, _ = world

    result = await moderator.slash(general, "setup alerts", channel=alerts, role=guild.default_role)

    assert result.response is not None
    assert "rather than @everyone" in result.response.content
    env.errors  # noqa: B018


async def test_unmentionable_role_gets_a_note_about_pings(env: simcord.Env, world) -> None:
    guild, general, _, _, moderator, _ = world
    quiet = guild.create_role("Quiet mods", mentionable=False)
    me = bot_member(env, guild)
    no_pings = guild.create_text_channel(
        "no-pings", overwrites={me: discord.PermissionOverwrite(mention_everyone=False)}
    )

    result = await moderator.slash(general, "setup alerts", channel=no_pings, role=quiet)

    assert result.response is not None
    assert "Saved." in result.response.content
    assert "can't be mentioned" in result.response.content


async def test_settings_of_one_server_never_show_in_another(env: simcord.Env, world) -> None:
    _, general, alerts, mods, moderator, _ = world
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)
    other = env.create_guild("Other")
    other_general = other.create_text_channel("general")
    other_mods = other.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    other_mod = other.add_member(env.create_user("othermod"), roles=[other_mods])

    result = await other_mod.slash(other_general, "setup show")

    assert result.response is not None
    embed = result.response.embeds[0]
    assert alerts.mention not in str(embed.to_dict())
    assert "not set up yet" in (embed.description or "")


async def test_setup_show_notices_an_alert_channel_deleted_behind_the_cache(env: simcord.Env, world) -> None:
    _, general, alerts, mods, moderator, _ = world
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)
    # Discord no longer has the channel, though Haven's cache never heard it was deleted.
    env.inject_error("GET", f"/channels/{alerts.id}", status=404, code=10003, message="Unknown Channel")

    result = await moderator.slash(general, "setup show")

    assert result.ephemeral and result.response is not None
    embed = result.response.embeds[0]
    assert "The alert channel no longer exists" in (embed.description or "")
    assert "/setup alerts" in (embed.description or "")
    assert "Escalations are ready" not in (embed.description or "")


async def test_setup_show_notices_an_alert_channel_the_bot_deleted(env: simcord.Env, world) -> None:
    _, general, alerts, mods, moderator, _ = world
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)
    channel = haven(env).get_channel(alerts.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.delete()

    result = await moderator.slash(general, "setup show")

    assert result.response is not None
    assert "The alert channel no longer exists" in (result.response.embeds[0].description or "")


async def test_setup_show_keeps_working_when_discord_does_not_answer_the_check(
    env: simcord.Env, world
) -> None:
    _, general, alerts, mods, moderator, _ = world
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)
    env.inject_error("GET", f"/channels/{alerts.id}", status=503, times=5)

    result = await moderator.slash(general, "setup show")

    assert result.response is not None
    assert "Escalations are ready" in (result.response.embeds[0].description or "")
