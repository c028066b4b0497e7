"""Buddy service on both databases: one pairing per member at a time, races, blocks, servers kept apart, purging."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.pairing import LookingFor
from bot.services.buddies import BuddyService
from bot.services.crisis import CrisisService
from bot.storage.buddies import BuddyRepository
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from bot.wiring import shipped_lexicon
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


@pytest.fixture
def crisis_and_buddies(database: Database, clock: FakeClock) -> tuple[CrisisService, BuddyService]:
    crisis = CrisisService(shipped_lexicon(), CrisisRepository(database), clock)
    return crisis, BuddyService(BuddyRepository(database), crisis, clock)


async def paired(service: BuddyService, *users: int, topics: list[str] | None = None) -> int:
    for user in users:
        await join(service, user, topics or ["Stress"])
    pairing = (await service.status(1, users[0])).pairing
    assert pairing is not None
    return pairing.id


async def test_worried_pressed_twice_at_once_raises_one_card(
    crisis_and_buddies: tuple[CrisisService, BuddyService], database: Database
) -> None:
    _, buddies = crisis_and_buddies
    pairing_id = await paired(buddies, 10, 11)

    alerts = await asyncio.gather(*(buddies.worried(pairing_id, 10) for _ in range(3)))

    raised = {a for a in alerts if a is not None}
    assert len(raised) == 1
    assert len(await CrisisRepository(database).alerts_since(1, datetime(2000, 1, 1, tzinfo=UTC))) == 1


async def test_a_worry_whose_card_failed_is_raised_when_pressed_again(
    crisis_and_buddies: tuple[CrisisService, BuddyService], monkeypatch: pytest.MonkeyPatch
) -> None:
    crisis, buddies = crisis_and_buddies
    pairing_id = await paired(buddies, 10, 11)
    real = crisis.request_moderator

    async def blip(*args: object, **kwargs: object) -> int:
        raise ConnectionError("database went away")

    monkeypatch.setattr(crisis, "request_moderator", blip)
    with pytest.raises(ConnectionError):
        await buddies.worried(pairing_id, 10)
    monkeypatch.setattr(crisis, "request_moderator", real)

    assert await buddies.worried(pairing_id, 10) is not None  # not "you already told them"
    assert await buddies.worried(pairing_id, 10) is None  # and now the 12-hour limit applies


async def test_in_a_group_of_three_the_worry_is_about_who_is_still_there(
    crisis_and_buddies: tuple[CrisisService, BuddyService],
) -> None:
    crisis, buddies = crisis_and_buddies
    # No topic shared, so nobody is paired on demand; the round makes one group of three.
    for user, topic in ((10, "Family"), (11, "Hobbies"), (12, "Stress")):
        await join(buddies, user, [topic])
    result = await buddies.run_round(1)
    assert result is not None and result.pairings == 1
    pairing = (await buddies.status(1, 10)).pairing
    assert pairing is not None and len(pairing.members) == 3
    for user in (10, 11, 12):
        await buddies.respond(pairing.id, user, True)
    await buddies.end(1, 10)

    alert_id = await buddies.worried(pairing.id, 12)

    alert = await crisis.alert(alert_id or 0)
    assert alert is not None and alert.member_id == 11
    assert "<@10>" not in (alert.matched or "")
    kinds = [(m.user_id, m.kind) for m in await buddies.due_messages()]
    assert (11, "trio_left") in kinds and (12, "trio_left") in kinds


async def test_a_pause_holds_when_a_pairing_ends_early(buddies: BuddyService) -> None:
    pairing_id = await paired(buddies, 10, 11)
    await buddies.pause(1, 10, "2026-12-20")

    await buddies.respond(pairing_id, 11, False)  # 11 says not this time
    await join(buddies, 12, ["Stress"])  # someone new who would fit 10

    member = await buddies.member(1, 10)
    assert member is not None and member.status == "paused"
    assert (await buddies.status(1, 10)).pairing is None


async def test_queued_dms_that_no_longer_make_sense_are_not_sent(buddies: BuddyService) -> None:
    pairing_id = await paired(buddies, 10, 11)
    await buddies.respond(pairing_id, 11, False)  # declined before the introductions went out

    due = await buddies.due_messages()
    pairing = await buddies.pairing(pairing_id)
    intros = [row for row in due if row.kind == "intro"]
    assert intros and not any(buddies.deliverable(row, pairing) for row in intros)
    notes = [row for row in due if row.kind == "declined_by_other"]
    assert notes and all(buddies.deliverable(row, pairing) for row in notes)


async def test_leaving_cancels_dms_not_yet_sent(buddies: BuddyService) -> None:
    await paired(buddies, 10, 11)

    await buddies.member_left_server(1, 11)

    assert all(row.user_id != 11 for row in await buddies.due_messages())


async def test_a_pair_made_just_before_a_round_keeps_going(buddies: BuddyService, clock: FakeClock) -> None:
    await buddies.run_round(1)  # the server's first round starts the weekly clock
    clock.advance(days=6)
    pairing_id = await paired(buddies, 10, 11)
    await buddies.respond(pairing_id, 10, True)
    await buddies.respond(pairing_id, 11, True)
    active = await buddies.pairing(pairing_id)
    assert active is not None and active.halfway_at is not None
    assert active.halfway_at - clock() > timedelta(days=3)  # not asked "did you talk?" the next morning

    clock.advance(days=1, minutes=1)
    await buddies.tick()

    still = await buddies.pairing(pairing_id)
    assert still is not None and still.status == "active"


async def test_let_my_buddy_know_is_once_a_day_and_forgotten_after_two(
    buddies: BuddyService, clock: FakeClock
) -> None:
    pairing_id = await paired(buddies, 10, 11)
    await buddies.respond(pairing_id, 10, True)
    await buddies.respond(pairing_id, 11, True)

    assert await buddies.nudge(1, 10)
    assert not await buddies.nudge(1, 10)
    clock.advance(days=1, minutes=1)
    assert await buddies.nudge(1, 10)
    clock.advance(days=2, minutes=1)

    assert await buddies.purge() >= 2  # both records of pressing it are gone (and the DMs, once sent, later)


async def test_someone_alone_in_the_queue_is_told_once_not_every_round(
    buddies: BuddyService, clock: FakeClock
) -> None:
    await join(buddies, 10, ["Stress"])
    for _ in range(3):
        await buddies.run_round(1)
        clock.advance(days=7)

    told = [row for row in await buddies.due_messages() if row.kind == "left_over"]
    assert len(told) == 1


async def test_someone_who_left_while_haven_was_offline_is_taken_out_and_their_dm_not_sent(
    buddies: BuddyService,
) -> None:
    await join(buddies, 10, ["Stress"])
    await join(buddies, 11, ["Stress"])
    intro = next(m for m in await buddies.due_messages() if m.user_id == 10 and m.kind == "intro")

    await buddies.left_while_offline(intro)

    assert await buddies.member(1, 10) is None
    assert await buddies.message(intro.id) is None  # cancelled, never sent
    assert (await buddies.status(1, 11)).pairing is None  # their buddy goes back in the queue
    assert any(m.user_id == 11 and m.kind == "ended_by_other" for m in await buddies.due_messages())
