"""One DM budget for the whole process: check-in prompts, reminders and pairing DMs share it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import discord


class Pacer:
    """Spaces requests at no more than ``rate`` a second, across every caller that shares it.

    Each ``wait()`` takes the next free slot (one every ``1 / rate`` seconds) and sleeps until it comes, so two loops
    sending at once (check-in prompts and pairing DMs) together stay under the rate, failures count as requests too,
    and discord.py's own 429 handling is a backstop rather than the plan.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def wait(self) -> None:
        """Wait for this caller's turn to send one request."""
        now = self._now()
        slot = max(now, self._next)
        self._next = slot + 1 / self.rate
        if slot > now:
            await (self._sleep or asyncio.sleep)(slot - now)


async def ready_to_dm(bot: discord.Client, pacer: Pacer, user_id: int) -> discord.User:
    """The user to DM, with a slot taken from ``pacer`` for every request on the way: fetching the user if they
    aren't cached, opening the DM channel if it isn't open yet, and the message the caller sends next."""
    user = bot.get_user(user_id)
    if user is None:
        await pacer.wait()
        user = await bot.fetch_user(user_id)
    if user.dm_channel is None:
        await pacer.wait()
        await user.create_dm()
    await pacer.wait()
    return user
