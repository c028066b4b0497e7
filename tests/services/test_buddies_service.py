"""Buddy service on both databases: one pairing per member at a time, races, blocks, servers kept apart, purging."""

from __future__ import annotations

import asyncio

import pytest

from bot.__main__ import shipped_lexicon
from bot.domain.pairing import LookingFor
from bot.services.buddies import BuddyService
from bot.services.crisis import CrisisService
from bot.storage.buddies import BuddyRepository
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from tests.conftest import FakeClock


@pytest.fixture
def buddies(database: Database, clock: FakeClock) -> BuddyService:
    crisis = CrisisService(shipped_lexicon(), CrisisRepository(database), clock)
    return BuddyService(BuddyRepository(database), crisis, clock)


async def join(service: BuddyService, user_id: int, topics: list[str], guild_id: int = 1) -> tuple[int, ...]:
    result = await service.join(
        guild_id,
        user_id,
        topics=topics,
        timezone="Europe/Berlin",
        looking_for=LookingFor.BOTH,
        intro=None,
        is_listener=False,
    )
    return result.paired_with


async def test_three_joining_at_once_make_one_pair_and_one_waiting(buddies: BuddyService) -> None:
    await join(buddies, 10, ["Stress"])

    results = await asyncio.gather(join(buddies, 11, ["Stress"]), join(buddies, 12, ["Stress"]))

    assert sorted(len(r) for r in results) == [0, 1]  # 10 is paired once, with one of them
    states = [await buddies.status(1, u) for u in (10, 11, 12)]
    assert sum(s.pairing is not None for s in states) == 2


async def test_presses_at_once_activate_once(buddies: BuddyService) -> None:
    await join(buddies, 10, ["Stress"])
    await join(buddies, 11, ["Stress"])
    pairing = (await buddies.status(1, 10)).pairing
    assert pairing is not None

    outcomes = await asyncio.gather(
        buddies.respond(pairing.id, 10, True),
        buddies.respond(pairing.id, 11, True),
        buddies.respond(pairing.id, 10, True),
    )

    assert outcomes.count("already") >= 1 and outcomes.count("active") >= 1
    messages = await buddies.due_messages()
    assert sorted(m.user_id for m in messages if m.kind == "active") == [10, 11]


async def test_blocks_work_both_ways_and_servers_stay_apart(buddies: BuddyService) -> None:
    await join(buddies, 10, ["Stress"])
    assert await buddies.block(1, 10, 11)
    assert await join(buddies, 11, ["Stress"]) == ()  # blocked by 10: not paired with 10
    assert await join(buddies, 10, ["Stress"], guild_id=2) == ()  # another server: nobody there yet
    assert await join(buddies, 11, ["Stress"], guild_id=2) == (10,)  # the block belongs to server 1 only
    assert await buddies.unblock(1, 10, 11)
    assert not await buddies.unblock(1, 10, 11)


async def test_sent_messages_and_old_pairings_are_forgotten(buddies: BuddyService, clock: FakeClock) -> None:
    await join(buddies, 10, ["Stress"])
    await join(buddies, 11, ["Stress"])
    for row in await buddies.due_messages():
        await buddies.message_sent(row.id)
    await buddies.end(1, 10)
    for _ in range(7):  # past the default no-repeat history of 6 rounds
        clock.advance(days=30)
        await buddies.run_round(1)

    assert await buddies.purge() >= 3  # two introductions and the ending are sent; the pairing is closed
    clock.advance(days=1)
    assert await buddies.purge() == 0
