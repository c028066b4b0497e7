"""The shared DM budget: callers together stay under the rate, and nobody waits longer than their turn."""

from __future__ import annotations

import asyncio

import pytest

from bot.pacing import Pacer


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sent: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_two_senders_sharing_a_pacer_stay_under_the_rate_together() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(200)  # real time, kept short: 40 requests take 0.2 s
    sent: list[float] = []

    async def sender(count: int) -> None:
        for _ in range(count):
            await pacer.wait()
            sent.append(loop.time())

    await asyncio.gather(sender(20), sender(20))

    # Sleeps never end early, so however the two interleave, 40 requests take at least 39 slots of 1/200 s.
    assert len(sent) == 40
    assert sent[-1] - sent[0] >= 39 / 200 - 0.002


async def test_an_idle_pacer_lets_the_first_request_through_at_once() -> None:
    time = VirtualTime()
    pacer = Pacer(40, clock=time.clock, sleep=time.sleep)
    time.now = 100.0

    await pacer.wait()

    assert time.now == 100.0


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)


async def test_every_request_on_the_way_to_a_dm_takes_a_slot() -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    from bot.pacing import ready_to_dm

    calls: list[str] = []

    class CountingPacer(Pacer):
        async def wait(self) -> None:
            calls.append("slot")

    user = SimpleNamespace(dm_channel=None)

    async def create_dm() -> None:
        calls.append("create_dm")
        user.dm_channel = object()

    async def fetch_user(user_id: int) -> Any:
        calls.append("fetch_user")
        return user

    user.create_dm = create_dm
    bot = SimpleNamespace(get_user=lambda user_id: None, fetch_user=fetch_user)

    await ready_to_dm(cast(Any, bot), CountingPacer(40), 7)  # not cached, no DM channel yet
    assert calls == ["slot", "fetch_user", "slot", "create_dm", "slot"]

    calls.clear()
    bot.get_user = lambda user_id: user
    await ready_to_dm(cast(Any, bot), CountingPacer(40), 7)  # cached, channel open: only the message
    assert calls == ["slot"]
