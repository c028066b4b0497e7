"""Delivery figures: restart to delivery of a pending alert, and duplicates / losses under injected faults.

Targets (issue 12): an alert pending at a crash (no lease released) or at a clean stop (SIGTERM) is delivered under
5 s after the next start; over many alerts with random injected 500s, 429s, lost responses (Discord created the
card but the bot saw a timeout) and crashes, 0 cards or member replies are duplicated and 0 are lost. Runs the real
bot in simcord (virtual time, SQLite); the bot's clock is simcord's clock.

    .venv/bin/python bench/bench_delivery.py [--quick]
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord
import simcord

from bot.domain.alerts import CARD
from bot.services.crisis import MessageToScan
from bot.storage import migrate
from bot.storage.engine import Database
from bot.wiring import build_bot

STEP = 0.25


class SimClock:
    """The bot's clock: simcord's virtual time once the environment runs."""

    env: simcord.Env | None = None

    def __call__(self) -> datetime:
        return self.env.now() if self.env is not None else datetime.now(UTC)


async def _world(env: simcord.Env) -> tuple[Any, Any, Any, Any]:
    guild = env.create_guild("Bench")
    general = guild.create_text_channel("general")
    alerts = guild.create_text_channel("alerts")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True)
    mod = guild.add_member(env.create_user("mod"), roles=[mods])
    await mod.slash(general, "setup alerts", channel=alerts, role=mods)
    return guild, general, alerts, mods


def _cards(alerts: Any) -> Counter[str]:
    refs: Counter[str] = Counter()
    for message in alerts.history():
        for embed in message.embeds:
            footer = (embed.footer.text or "") if embed.footer else ""
            if footer.startswith("Alert #"):
                refs[footer.split(" ")[1]] += 1
    return refs


async def restart_to_delivery(clean: bool) -> float:
    """Virtual seconds from the new start to the card of an alert whose card was leased when the bot stopped."""
    clock = SimClock()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        db = await Database.open(url, connect_timeout=1)
        await migrate.upgrade(db)
        bot = build_bot(db, clock=clock)
        async with simcord.run(bot, settle_timeout=60) as env:
            clock.env = env
            guild, general, alerts, _ = await _world(env)
            member = guild.add_member(env.create_user("robin"))
            result = await bot.services.crisis.scan(
                MessageToScan(guild.id, member.id, general.id, 4242, "I want to kill myself"),
                alerts_configured=True,
            )
            assert result.alert_id is not None
            engine = bot.services.delivery
            item_id = await engine._repo.pending_id(CARD, result.alert_id)  # pyright: ignore[reportPrivateUsage]
            assert item_id is not None
            await engine._repo.claim(item_id, engine.instance_id, clock())  # pyright: ignore[reportPrivateUsage]
            if clean:
                await engine.stop()
            await env.restart_bot(build_bot(db, clock=clock))
            waited = 0.0
            while not _cards(alerts) and waited < 120:
                await env.advance_time(STEP)
                waited += STEP
        await db.close()
    return waited


async def faults(alerts_n: int, seed: int) -> tuple[int, int, int, int, int]:
    """Many alerts with random faults and crashes: (cards duplicated, cards lost, replies dup, replies lost, crashes)."""
    rng = random.Random(seed)
    clock = SimClock()
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(f"sqlite+aiosqlite:///{tmp}/bench.db", connect_timeout=1)
        await migrate.upgrade(db)
        bot = build_bot(db, clock=clock)
        crashes = 0
        async with simcord.run(bot, settle_timeout=60) as env:
            clock.env = env
            guild, general, alerts, _ = await _world(env)
            members = [guild.add_member(env.create_user(f"m{i}")) for i in range(alerts_n)]
            _lose_some_responses(env, alerts.id, rng)
            for member in members:
                roll = rng.random()
                if roll < 0.15:
                    env.inject_error("POST", f"/channels/{alerts.id}/messages", status=500, times=1)
                elif roll < 0.25:
                    env.inject_error(
                        "POST", f"/channels/{alerts.id}/messages", status=429, times=1, message="rate limited"
                    )
                await member.send(general, "I want to kill myself")
                if rng.random() < 0.1:
                    crashes += 1
                    await env.restart_bot(build_bot(db, clock=clock))
                    _lose_some_responses(env, alerts.id, rng)
                await env.advance_time(rng.choice([0.5, 1, 2]))
            for _ in range(120):
                await env.advance_time(5)
            env.errors  # noqa: B018  # injected faults are reported by discord.py; they are the point here
            cards = _cards(alerts)
            replies = [
                len([m for m in member.user.dm_channel.history() if m.author.bot])
                if member.user.dm_channel is not None
                else 0
                for member in members
            ]
        await bot.close_resources()
    dup_cards = sum(n - 1 for n in cards.values() if n > 1)
    lost_cards = alerts_n - len(cards)
    return dup_cards, lost_cards, sum(r - 1 for r in replies if r > 1), replies.count(0), crashes


def _lose_some_responses(env: simcord.Env, channel_id: int, rng: random.Random) -> None:
    """One card create in ten reaches Discord, but the bot sees a timeout (the outcome is unknown)."""
    http = env.bot.http
    original = http.send_message

    async def flaky(channel: Any, **kwargs: Any) -> Any:
        answer = await original(channel, **kwargs)
        if int(channel) == channel_id and rng.random() < 0.1:
            raise TimeoutError
        return answer

    http.send_message = flaky  # type: ignore[method-assign]


async def run(quick: bool) -> None:
    crash = await restart_to_delivery(clean=False)
    clean = await restart_to_delivery(clean=True)
    n = 40 if quick else 100
    dup_cards, lost_cards, dup_replies, lost_replies, crashes = await faults(n, seed=12)
    print(
        f"restart after a crash (lease held) -> card delivered:  {crash:.2f} s virtual after start (target < 5 s)"
    )
    print(
        f"restart after a clean stop (SIGTERM) -> card delivered: {clean:.2f} s virtual after start (target < 5 s)"
    )
    print(
        f"{n} alerts, random 500 / 429 / lost responses on the card route, {crashes} crashes: "
        f"cards duplicated {dup_cards}, lost {lost_cards}; member replies duplicated {dup_replies}, "
        f"lost {lost_replies} (target 0 and 0)"
    )


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.CRITICAL
    )  # the faults are injected on purpose; their warnings are noise here
    asyncio.run(run("--quick" in sys.argv))
