"""``python -m bot check`` against a (simulated) Discord: intents and alert-channel permissions."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.cli.diagnosis import Checklist, check_discord
from bot.permissions import granted_names
from tests.helpers import bot_member, haven


async def test_check_reports_intents_and_alert_channel_permissions(env: simcord.Env) -> None:
    guild = env.create_guild("Support Circle")
    good = guild.create_text_channel("alerts")
    bad = guild.create_text_channel(
        "locked", overwrites={bot_member(env, guild): discord.PermissionOverwrite(send_messages=False)}
    )
    checklist = Checklist()

    await check_discord(env.bot, [(guild.id, good.id), (guild.id, bad.id)], checklist)

    text = checklist.render()
    assert "Logged in to Discord" in text
    assert "Support Circle #alerts: Haven can post alert cards." in text
    assert (
        "[FIX] Support Circle #locked: Haven can't post alerts; it needs Send Messages, Embed Links." in text
    )
    assert "Privileged intent 'Message Content'" in text
    assert not checklist.passed


async def test_check_reports_a_server_haven_left(env: simcord.Env) -> None:
    checklist = Checklist()

    await check_discord(env.bot, [(123456789012345678, 1)], checklist)

    assert "Haven is no longer in it" in checklist.render()


async def test_check_with_a_token_diagnoses_every_configured_channel_of_every_server(
    env: simcord.Env,
) -> None:
    services = haven(env).services
    circle = env.create_guild("Support Circle")
    me = bot_member(env, circle)
    alerts = circle.create_text_channel("alerts")
    notice = circle.create_text_channel("about-haven")
    moods = circle.create_text_channel(
        "moods", overwrites={me: discord.PermissionOverwrite(send_messages=False)}
    )
    buddies = circle.create_text_channel(
        "buddies", overwrites={me: discord.PermissionOverwrite(create_private_threads=False)}
    )
    quiet = env.create_guild("Quiet Place")
    await services.guild_settings.set_alerts(
        circle.id, alerts.id, 1, granted_names(discord.Permissions.all())
    )
    await services.crisis.update_settings(circle.id, transparency_channel_id=notice.id)
    await services.checkins.update_server_settings(circle.id, share_channel_id=moods.id)
    await services.buddies.update_settings(circle.id, channel_id=buddies.id)
    await services.checkins.update_server_settings(quiet.id, share_channel_id=987654321098765432)
    checklist = Checklist()

    channels = await services.guild_settings.configured_channels()
    await check_discord(env.bot, channels, checklist)

    text = checklist.render()
    assert sorted(purpose for _, _, purpose in channels) == [
        "alert",
        "buddy",
        "checkin_share",
        "checkin_share",
        "transparency",
    ]
    assert "[ok]  Support Circle #alerts: Haven can post alert cards." in text
    assert "[ok]  Support Circle #about-haven: Haven can post and update the transparency notice." in text
    assert (
        "[FIX] Support Circle #moods: Haven can't post check-ins members choose to share; it needs Send Messages. "
        "Give Haven's role these in the channel's settings (Edit Channel > Permissions)." in text
    )
    assert (
        "[FIX] Support Circle #buddies: Haven can't open private threads for buddies whose DMs are closed; "
        "it needs Create Private Threads." in text
    )
    assert "[FIX] Quiet Place: no alert channel is set, so crisis alerts have nowhere to go." in text
    assert (
        "[FIX] Quiet Place: the check-in share channel is gone or hidden from Haven. Run /checkin-admin settings there."
        in text
    )
    assert (
        "[FIX] Privileged intent 'Message Content' is off: switch it on at the developer portal's Bot page"
        in text
    )
    assert "Some things need fixing (marked [FIX])." in text
    assert not checklist.passed


async def test_check_says_all_good_when_intents_and_channels_are_right(
    env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = haven(env).services
    guild = env.create_guild("Support Circle")
    alerts = guild.create_text_channel("alerts")
    await services.guild_settings.set_alerts(guild.id, alerts.id, 1, granted_names(discord.Permissions.all()))
    info = await env.bot.application_info()
    flags = discord.ApplicationFlags(gateway_message_content=True, gateway_guild_members_limited=True)
    monkeypatch.setattr(info, "_flags", flags.value)  # simcord's application has no flags set

    async def application_info() -> discord.AppInfo:
        return info

    monkeypatch.setattr(env.bot, "application_info", application_info)
    checklist = Checklist()

    await check_discord(env.bot, await services.guild_settings.configured_channels(), checklist)

    text = checklist.render()
    assert "[ok]  Privileged intent 'Message Content' is on." in text
    assert "[ok]  Privileged intent 'Server Members' is on." in text
    assert "[FIX]" not in text and "[--]" not in text
    assert text.endswith("All good.")
