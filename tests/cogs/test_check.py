"""``python -m bot check`` against a (simulated) Discord: intents and alert-channel permissions."""

from __future__ import annotations

import discord
import simcord

from bot.cli.diagnosis import Checklist, check_discord
from tests.helpers import bot_member


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
