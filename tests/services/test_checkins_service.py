"""Check-in service on both databases: one record per prompt, one prompt per due time, servers kept apart."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.checkins import CheckinService
from bot.storage.checkins import CheckinRepository
from bot.storage.engine import Database
from tests.conftest import FakeClock


@pytest.fixture
def checkins(database: Database, clock: FakeClock) -> CheckinService:
    return CheckinService(CheckinRepository(database), clock)


async def due_prompt(checkins: CheckinService, clock: FakeClock) -> int:
    await checkins.set_schedule(1, 7, "13:00", "UTC", "every day")
    clock.advance(hours=1, minutes=1)  # the clock starts at 12:00 UTC
    [prompt] = await checkins.claim_due()
    return prompt.id


async def test_two_presses_at_once_make_one_check_in(checkins: CheckinService, clock: FakeClock) -> None:
    prompt_id = await due_prompt(checkins, clock)

    results = await asyncio.gather(*(checkins.record(1, 7, mood, prompt_id=prompt_id) for mood in (4, 5, 2)))

    assert sum(result is not None for result in results) == 1
    assert len(await checkins.export_rows(1, 7)) == 1


async def test_two_workers_claim_a_due_prompt_once(database: Database, clock: FakeClock) -> None:
    first = CheckinService(CheckinRepository(database), clock)
    second = CheckinService(CheckinRepository(database), clock)
    await first.set_schedule(1, 7, "13:00", "UTC", "every day")
    clock.advance(hours=1, minutes=1)  # the clock starts at 12:00 UTC

    claimed = await asyncio.gather(first.claim_due(), second.claim_due())

    assert sum(len(batch) for batch in claimed) == 1


async def test_one_servers_check_ins_never_show_in_another(checkins: CheckinService) -> None:
    await checkins.record(1, 7, 2)

    assert await checkins.export_rows(2, 7) == []
    summary, _ = await checkins.summary(2, 7, 30)
    assert summary.count == 0


async def test_nobody_can_annotate_another_members_check_in(checkins: CheckinService) -> None:
    saved = await checkins.record(1, 7, 3)
    assert saved is not None

    await checkins.add_note(saved.checkin_id, 8, "not mine")

    [(_, _, _, note)] = await checkins.export_rows(1, 7)
    assert note == ""


async def test_a_failed_send_is_retried_until_the_grace_window_ends(
    checkins: CheckinService, clock: FakeClock
) -> None:
    await checkins.set_schedule(1, 7, "13:00", "UTC", "every day")
    clock.advance(hours=1, minutes=1)
    [prompt] = await checkins.claim_due()

    await checkins.send_failed(prompt)
    assert await checkins.claim_due() == []  # not before the retry time
    clock.advance(minutes=3)
    [again] = await checkins.claim_due()
    assert again.id == prompt.id

    await checkins.send_failed(again)
    clock.advance(hours=2)  # Discord stayed down past the grace window: the prompt is dropped, not sent late
    assert await checkins.claim_due() == []
    assert (await checkins.prompt(prompt.id)).state == "missed"  # type: ignore[union-attr]


async def test_old_prompts_are_forgotten_but_check_ins_stay(
    checkins: CheckinService, clock: FakeClock
) -> None:
    prompt_id = await due_prompt(checkins, clock)
    await checkins.record(1, 7, 4, prompt_id=prompt_id)

    clock.advance(days=15)
    await checkins.claim_due()

    assert await checkins.prompt(prompt_id) is None
    assert len(await checkins.export_rows(1, 7)) == 1
