"""The test kit itself: a scenario on ``world`` is a few lines, and ``tick`` follows the loops' real periods."""

from __future__ import annotations

from datetime import timedelta

from tests.kit import World, loop_periods


async def test_a_crisis_message_reaches_the_moderators(world: World) -> None:
    await world.configure()
    await world.member.send(world.general, "I want to kill myself tonight")
    assert world.card().content == world.mods.mention
    assert world.dms(world.member)  # the member's kind private reply


async def test_a_tick_waits_for_the_slowest_frequent_loop(world: World) -> None:
    periods = loop_periods(world.env)
    # The delivery loop, and the upkeep it runs by its own period: schedules becoming prompts, buddy rounds.
    assert "delivery" in periods
    assert {"upkeep:CheckinService.claim_due", "upkeep:BuddyCog.run_due_work"} <= set(periods)
    assert periods["upkeep:CheckinService.claim_due"] == 30
    assert world.clock is not None
    before = world.clock()
    await world.tick(minutes=5)
    assert world.clock() - before == timedelta(minutes=5)
