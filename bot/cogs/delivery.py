"""The one delivery loop: every second, the delivery engine leases and sends what is due."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot.cogs._loops import stop_loop
from bot.delivery import DeliveryEngine

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


class DeliveryCog(commands.Cog):
    """Runs the delivery engine; features register their handlers with the engine, not here."""

    def __init__(self, bot: HavenBot, engine: DeliveryEngine) -> None:
        self.bot = bot
        self.engine = engine

    async def cog_load(self) -> None:
        self.bot.loops.register("delivery", TICK_SECONDS)
        self.delivery_loop.start()

    async def cog_unload(self) -> None:
        # A tick in progress finishes (nothing is cancelled mid-write); a loop still waiting for the gateway to be
        # ready (a stop during start-up or a long outage) has nothing in progress and is cancelled at once.
        await stop_loop(self.delivery_loop, started=self.bot.is_ready())

    @tasks.loop(seconds=TICK_SECONDS)
    async def delivery_loop(self) -> None:
        self.bot.loops.beat("delivery")
        try:
            await self.engine.tick()
        except Exception:  # the loop must survive anything; every item stays in the table
            log.exception("The delivery loop hit an error; it will try again")

    @delivery_loop.before_loop
    async def _before(self) -> None:
        await self.bot.wait_until_ready()
