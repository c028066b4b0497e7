"""Check-in service on both databases: one record per prompt, one prompt per due time, servers kept apart."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.delivery import DeliveryEngine
from bot.domain.checkins import PROMPT
from bot.domain.delivery import DeliveryItem, Outcome
from bot.services.checkins import CheckinService, ShareGone, Snooze
from bot.storage.checkins import CheckinRepository
from bot.storage.delivery import DeliveryRepository
from bot.storage.engine import Database
from tests.conftest import FakeClock


@pytest.fixture
def checkins(database: Database, clock: FakeClock) -> CheckinService:
    return CheckinService(CheckinRepository(database), clock)


def failing_sender(
    database: Database, clock: FakeClock, checkins: CheckinService
) -> tuple[DeliveryEngine, list[int]]:
    """A delivery engine whose prompt handler finds Discord down every time; lists the prompts it tried."""
    engine = DeliveryEngine(DeliveryRepository(database), clock, instance_id="test")
    tried: list[int] = []

    async def handle(item: DeliveryItem) -> Outcome:
        prompt = await checkins.prompt_to_send(item.ref)
        if prompt is None:
            return Outcome.DONE
        tried.append(prompt.id)
        return Outcome.RETRY  # a 5xx, 429 or outage

    engine.register(PROMPT, handle)
    return engine, tried


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
    checkins: CheckinService, clock: FakeClock, database: Database
) -> None:
    engine, tried = failing_sender(database, clock, checkins)
    await checkins.set_schedule(1, 7, "13:00", "UTC", "every day")
    clock.advance(hours=1, minutes=1)
    [prompt] = await checkins.claim_due()

    await engine.tick()  # the first try fails
    await engine.tick()
    assert tried == [prompt.id]  # not before the retry time
    clock.advance(minutes=3)
    await engine.tick()
    assert tried == [prompt.id, prompt.id]  # tried again

    clock.advance(hours=2)  # Discord stayed down past the grace window: the prompt is dropped, not sent late
    await engine.tick()
    assert tried == [prompt.id, prompt.id]
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


async def test_two_presses_of_one_checkin_now_at_once_make_one_check_in(checkins: CheckinService) -> None:
    request_id = 1_234_567_890_123_456_789  # the /checkin now interaction that showed the buttons

    results = await asyncio.gather(*(checkins.record(1, 7, mood, request_id=request_id) for mood in (4, 5)))

    assert sum(result is not None for result in results) == 1
    assert await checkins.record(1, 7, 3, request_id=request_id + 1) is not None  # a new /checkin now
    assert len(await checkins.export_rows(1, 7)) == 2


async def test_a_check_in_is_shared_once_even_when_pressed_twice_at_once(checkins: CheckinService) -> None:
    saved = await checkins.record(1, 7, 5)
    assert saved is not None

    results = await asyncio.gather(
        *(checkins.share(saved.checkin_id, 1, 7) for _ in range(2)), return_exceptions=True
    )

    assert sorted(type(r).__name__ for r in results) == ["AlreadyShared", "int"]
    with pytest.raises(ShareGone):
        await checkins.share(saved.checkin_id, 1, 8)  # not theirs: as if it weren't there
    await checkins.share_failed(saved.checkin_id)  # the post didn't go out: it may be shared again
    assert await checkins.share(saved.checkin_id, 1, 7) == 5


async def test_an_empty_note_clears_the_note(checkins: CheckinService) -> None:
    saved = await checkins.record(1, 7, 3)
    assert saved is not None
    assert await checkins.add_note(saved.checkin_id, 7, "slept badly") is True

    assert await checkins.add_note(saved.checkin_id, 7, "  \n ") is False

    [(_, _, _, note)] = await checkins.export_rows(1, 7)
    assert note == ""


@pytest.mark.parametrize("action", ["stop", "pause"])
async def test_a_retry_is_dropped_once_the_member_stopped_or_paused(
    checkins: CheckinService, clock: FakeClock, database: Database, action: str
) -> None:
    engine, tried = failing_sender(database, clock, checkins)
    await checkins.set_schedule(1, 7, "13:00", "UTC", "every day")
    clock.advance(hours=1, minutes=1)
    [prompt] = await checkins.claim_due()
    await engine.tick()  # the first try fails

    if action == "stop":
        await checkins.stop(1, 7)
    else:
        await checkins.pause(1, 7, date(2026, 11, 23))
    clock.advance(minutes=3)

    await engine.tick()
    assert tried == [prompt.id]  # not tried again
    assert (await checkins.prompt(prompt.id)).state == "missed"  # type: ignore[union-attr]


async def test_snooze_tells_the_truth(checkins: CheckinService, clock: FakeClock) -> None:
    await checkins.set_schedule(1, 7, "13:00", "UTC", "every day")
    clock.advance(hours=1, minutes=1)
    [prompt] = await checkins.claim_due()
    await checkins.prompt_sent(prompt, 99)

    await checkins.pause(1, 7, date(2026, 11, 23))
    assert await checkins.snooze(prompt) is Snooze.NOT_RUNNING
    await checkins.resume(1, 7)
    assert await checkins.snooze(prompt) is Snooze.SNOOZED
    assert await checkins.snooze(prompt) is Snooze.ALREADY
