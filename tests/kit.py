"""The test kit: a world with a server, an alert channel, a moderator and members, driven through the real bot.

A new end-to-end scenario is a few lines::

    async def test_a_crisis_message_reaches_the_moderators(world: World) -> None:
        await world.configure()
        await world.member.send(world.general, "I want to kill myself tonight")
        assert world.card().content == world.mods.mention

``world`` (tests/conftest.py) is a ``World`` on the real bot; ``tick()`` moves the fake clock and lets every loop
that runs on a short period (delivery, check-in prompts, buddy rounds) run once, whatever their periods are.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import simcord
from discord.ext import tasks

from bot.app import HavenBot
from bot.composition import load_cogs
from bot.storage.engine import Database
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import fields, haven

UPKEEP = "upkeep:"
FREQUENT = 60.0  # loops with a longer period (the hourly purge) don't run on a tick


@contextlib.asynccontextmanager
async def offline_bot(tmp_path: Path) -> AsyncIterator[HavenBot]:
    """The real bot with every cog loaded, not logged in (no loops run): for reading its command tree."""
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 's.db'}", connect_timeout=1)
    bot = build_bot(db)
    await load_cogs(bot)
    for cog in bot.cogs.values():
        for value in vars(type(cog)).values():
            if isinstance(value, tasks.Loop):
                getattr(cog, value.coro.__name__).cancel()
    try:
        yield bot
    finally:
        await db.close()


def loop_periods(env: simcord.Env) -> dict[str, float]:
    """Each registered loop's period in seconds, as the bot's own loop monitor knows it, and each upkeep task the
    delivery engine runs from its loop (turning schedules into prompts, buddy rounds, purges) by its own period."""
    bot = haven(env)
    periods = {name: status.period_seconds for name, status in bot.loops.status().items()}
    periods.update(
        {f"{UPKEEP}{name}": seconds for name, seconds in bot.services.delivery.upkeep_periods().items()}
    )
    return periods


async def tick(env: simcord.Env, clock: FakeClock | None = None, *loops: str, **delta: float) -> None:
    """Move ``clock`` by ``delta`` (if given), then let the named loops (default: every frequent one) run once.

    Upkeep the delivery engine runs from its loop ("upkeep:...") is made due rather than waited for: simulating its
    30 or 60 seconds would run the one-second delivery loop as many times, each with its database queries."""
    if clock is not None and delta:
        clock.advance(**delta)
    periods = loop_periods(env)
    names = list(loops) or [name for name, seconds in periods.items() if seconds <= FREQUENT]
    upkeep = [name.removeprefix(UPKEEP) for name in names if name.startswith(UPKEEP)]
    if upkeep:
        haven(env).services.delivery.make_due(upkeep)
        names.append("delivery")  # the loop that runs them
    chosen = [periods[name] for name in names if not name.startswith(UPKEEP)]
    await env.advance_time(max(chosen, default=1.0) + 1)


def dms(member: Any) -> list[Any]:
    """What Haven sent ``member`` privately (nothing yet: an empty list)."""
    channel = member.user.dm_channel
    return list(channel.history()) if channel is not None else []


class World:
    """A server with #general, a #mod-alerts channel, a moderator role (Manage Server, mentionable), a moderator and
    one member (Robin unless named otherwise); ``clock`` is the bot's fake clock when the test has one."""

    def __init__(
        self,
        env: simcord.Env,
        clock: FakeClock | None = None,
        name: str = "Support Circle",
        *,
        member: Any = "robin",
        moderator: str = "mod",
        locale: str | None = None,
    ) -> None:
        """``member``: a name for a new user, or a user already in another world (the same person in two servers)."""
        self.env = env
        self.clock = clock
        self.guild = env.create_guild(name, preferred_locale=locale) if locale else env.create_guild(name)
        self.general = self.guild.create_text_channel("general")
        self.alerts = self.guild.create_text_channel("mod-alerts")
        self.mods = self.guild.create_role(
            "Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True
        )
        self.moderator = self.guild.add_member(env.create_user(moderator), roles=[self.mods])
        self.member = self.guild.add_member(env.create_user(member) if isinstance(member, str) else member)

    def add_member(self, name: str, **options: Any) -> Any:
        """Another member of the server."""
        return self.guild.add_member(self.env.create_user(name), **options)

    async def configure(self) -> None:
        """The moderator sets the alert channel and the moderator role with /setup alerts."""
        await self.moderator.slash(self.general, "setup alerts", channel=self.alerts, role=self.mods)

    def cards(self) -> list[discord.Message]:
        """The alert cards in the alert channel, oldest first."""
        return [m for m in self.alerts.history() if m.embeds and "alert" in (m.embeds[0].title or "")]

    def card(self) -> discord.Message:
        """The one alert card (fails if there are none or several)."""
        cards = self.cards()
        assert len(cards) == 1, f"expected one card, found {len(cards)}"
        return cards[0]

    def card_fields(self) -> dict[str, str]:
        """The one card's fields as name -> value."""
        return fields(self.card().embeds[0])

    def dms(self, member: Any) -> list[Any]:
        """What Haven sent ``member`` privately."""
        return dms(member)

    async def tick(self, *loops: str, **delta: float) -> None:
        """Move the clock by ``delta`` and let the loops run once (see ``tick``)."""
        await tick(self.env, self.clock, *loops, **delta)
