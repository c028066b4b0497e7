"""The delivery engine through the real bot: one reply per member, leases taken back after a restart."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
import simcord

from bot.domain.alerts import CARD
from bot.services.crisis import MessageToScan
from bot.storage.engine import Database
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import haven


class World:
    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.guild = env.create_guild("Support Circle")
        self.general = self.guild.create_text_channel("general")
        self.alerts = self.guild.create_text_channel("mod-alerts")
        self.mods = self.guild.create_role(
            "Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True
        )
        self.moderator = self.guild.add_member(env.create_user("mod"), roles=[self.mods])
        self.members = [self.guild.add_member(env.create_user(f"member{i}")) for i in range(3)]

    def cards(self) -> list[discord.Message]:
        return [m for m in self.alerts.history() if m.embeds and "alert" in (m.embeds[0].title or "")]


@pytest.fixture
async def world(env: simcord.Env) -> World:
    world = World(env)
    await world.moderator.slash(world.general, "setup alerts", channel=world.alerts, role=world.mods)
    return world


def _slow_dm_channels(env: simcord.Env, seconds: float) -> None:
    """Opening a DM channel takes ``seconds`` (virtual time), as it sometimes does on Discord."""
    http = haven(env).http
    original = http.start_private_message

    async def slow(user_id: Any) -> Any:
        await asyncio.sleep(seconds)
        return await original(user_id)

    http.start_private_message = slow  # type: ignore[method-assign]


def _replies(member: Any) -> int:
    channel = member.user.dm_channel
    return 0 if channel is None else len([m for m in channel.history() if m.author.bot])


async def test_a_slow_dm_channel_still_gets_each_member_exactly_one_reply(
    env: simcord.Env, world: World, clock: FakeClock
) -> None:
    _slow_dm_channels(env, 6)
    for member in world.members:
        await member.send(world.general, "I want to kill myself")
    for _ in range(6):
        clock.advance(seconds=5)
        await env.advance_time(5)

    assert [_replies(m) for m in world.members] == [1, 1, 1]
    assert len(world.cards()) == 3


async def _pending_alert_leased_by_this_process(env: simcord.Env, world: World) -> None:
    """An alert in the table whose card item this process had leased (a send in progress) when it stopped."""
    bot = haven(env)
    result = await bot.services.crisis.scan(
        MessageToScan(world.guild.id, world.members[0].id, world.general.id, 4242, "I want to kill myself"),
        alerts_configured=True,
    )
    assert result.alert_id is not None
    engine = bot.services.delivery
    item_id = await engine._repo.pending_id(CARD, result.alert_id)
    assert item_id is not None
    assert await engine._repo.claim(item_id, engine.instance_id, bot.services.clock()) is not None


async def test_an_alert_leased_at_a_crash_is_delivered_within_five_seconds_of_the_restart(
    env: simcord.Env, world: World, database: Database, clock: FakeClock
) -> None:
    await _pending_alert_leased_by_this_process(env, world)

    await env.restart_bot(build_bot(database, clock=clock))  # a crash: nothing was released
    await env.advance_time(5)

    assert len(world.cards()) == 1


async def test_an_alert_pending_at_a_clean_stop_is_delivered_within_five_seconds_of_the_start(
    env: simcord.Env, world: World, database: Database, clock: FakeClock
) -> None:
    await _pending_alert_leased_by_this_process(env, world)

    await haven(env).services.delivery.stop()  # SIGTERM: no new work, leases given back
    items = await haven(env).services.delivery._repo.items(CARD)
    assert [i.lease_owner for i in items] == [None]
    await env.restart_bot(build_bot(database, clock=clock))
    await env.advance_time(5)

    assert len(world.cards()) == 1
