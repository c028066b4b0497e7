"""Crisis service on a real database with a fake clock: outbox, merging, cooldown, retention, stats."""

from __future__ import annotations

import pytest

from bot.domain.alerts import CardState, Status
from bot.services.crisis import CrisisService, MessageToScan, ScanOutcome, load_lexicon
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from tests.conftest import FakeClock

LEXICON = load_lexicon()


@pytest.fixture
def crisis(database: Database, clock: FakeClock) -> CrisisService:
    return CrisisService(LEXICON, CrisisRepository(database), clock)


def message(text: str, message_id: int, member: int = 7, guild: int = 1) -> MessageToScan:
    return MessageToScan(guild, member, 50, message_id, text)


async def test_an_alert_is_in_the_outbox_before_anything_is_sent(crisis: CrisisService) -> None:
    result = await crisis.scan(message("i want to kill myself", 1), alerts_configured=True)

    assert result.outcome is ScanOutcome.NEW
    [due] = await crisis.due_deliveries()
    assert due.id == result.alert_id and due.card_state is CardState.PENDING


async def test_the_same_message_never_makes_two_alerts(crisis: CrisisService) -> None:
    first = await crisis.scan(message("i want to kill myself", 1), alerts_configured=True)
    again = await crisis.scan(message("i want to kill myself", 1), alerts_configured=True)

    assert again.outcome is ScanOutcome.UPDATED and again.alert_id == first.alert_id
    assert len(await crisis.active_alerts(1)) == 1


async def test_a_more_severe_message_gets_its_own_card(crisis: CrisisService) -> None:
    await crisis.scan(message("everyone would be better off without me", 1), alerts_configured=True)
    worse = await crisis.scan(message("i want to die tonight", 2), alerts_configured=True)

    assert worse.outcome is ScanOutcome.NEW
    assert len(await crisis.active_alerts(1)) == 2


async def test_cooldown_folds_new_messages_into_a_closed_card_but_never_imminent_ones(
    crisis: CrisisService, clock: FakeClock
) -> None:
    first = await crisis.scan(message("i want to kill myself", 1), alerts_configured=True)
    assert first.alert_id is not None
    await crisis.resolve(first.alert_id, 1, 99)

    quiet = await crisis.scan(message("i want to die", 2), alerts_configured=True)
    urgent = await crisis.scan(message("i want to die tonight", 3), alerts_configured=True)
    clock.advance(minutes=11)
    later = await crisis.scan(message("i want to die", 4), alerts_configured=True)

    assert quiet.outcome is ScanOutcome.UPDATED
    assert urgent.outcome is ScanOutcome.NEW
    assert later.outcome in (ScanOutcome.NEW, ScanOutcome.UPDATED)


async def test_lease_lets_only_one_worker_send_a_card(crisis: CrisisService) -> None:
    result = await crisis.scan(message("i want to kill myself", 1), alerts_configured=True)
    assert result.alert_id is not None

    assert await crisis.lease(result.alert_id)
    assert not await crisis.lease(result.alert_id)


async def test_excerpts_are_deleted_after_retention_and_counts_remain(
    crisis: CrisisService, clock: FakeClock
) -> None:
    result = await crisis.scan(message("i want to kill myself", 1), alerts_configured=True)
    assert result.alert_id is not None
    await crisis.update_settings(1, retention_days=7)

    clock.advance(days=6)
    assert await crisis.purge_old_excerpts() == 0
    clock.advance(days=2)
    assert await crisis.purge_old_excerpts() == 1

    alert = await crisis.alert(result.alert_id)
    assert alert is not None and alert.excerpt is None and alert.matched == ""
    week, month = await crisis.stats(1)
    assert month.total == 1 and week.total == 0


async def test_stats_count_false_alarms_and_time_to_claim(crisis: CrisisService, clock: FakeClock) -> None:
    a = await crisis.scan(message("i want to kill myself", 1, member=1), alerts_configured=True)
    b = await crisis.scan(message("i want to kill myself", 2, member=2), alerts_configured=True)
    assert a.alert_id is not None and b.alert_id is not None
    clock.advance(minutes=4)
    await crisis.claim(a.alert_id, 1, 99)
    await crisis.false_alarm(b.alert_id, 1, 99)

    week, _ = await crisis.stats(1)

    assert week.total == 2 and week.false_alarms == 1
    assert week.median_claim_seconds == 240
    assert (await crisis.alert(b.alert_id)).status is Status.FALSE_ALARM  # type: ignore[union-attr]


async def test_settings_are_checked_against_their_limits(crisis: CrisisService) -> None:
    from bot.errors import InvalidInput

    with pytest.raises(InvalidInput):
        await crisis.update_settings(1, reping_seconds=5)


async def test_opt_out_and_ignores_skip_scanning(crisis: CrisisService) -> None:
    await crisis.set_optout(7, True)
    assert (
        await crisis.scan(message("i want to kill myself", 1), alerts_configured=True)
    ).outcome is ScanOutcome.SKIPPED
    await crisis.set_optout(7, False)
    await crisis.toggle_ignored(1, 50, "channel")
    assert (
        await crisis.scan(message("i want to kill myself", 2), alerts_configured=True)
    ).outcome is ScanOutcome.SKIPPED
