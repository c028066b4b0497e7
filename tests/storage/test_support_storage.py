"""Support storage on both engines: the race-free claim, the relay kept once, feedback counted once, export/delete."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.domain.support import RequestStatus
from bot.services.crisis import CrisisService
from bot.services.support import SupportService
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from bot.storage.member_data import MemberDataRepository
from bot.storage.schema import delivery_items, support_messages
from bot.storage.support import SupportRepository
from bot.wiring import shipped_lexicon
from tests.conftest import FakeClock

GUILD = 1
MEMBER = 100


async def _service(database: Database, clock: FakeClock) -> SupportService:
    service = SupportService(
        SupportRepository(database),
        CrisisService(shipped_lexicon(), CrisisRepository(database), clock),
        clock,
    )
    await service.update_settings(GUILD, listener_role_id=5, channel_id=6)
    return service


async def test_twenty_listeners_claiming_at_once_exactly_one_wins(
    database: Database, clock: FakeClock
) -> None:
    service = await _service(database, clock)
    request = await service.request(GUILD, MEMBER, "Anxiety", "hi", anonymous=True)

    results = await asyncio.gather(*(service.claim(request.id, GUILD, 200 + n) for n in range(20)))

    assert results.count(True) == 1
    claimed = await service.get(request.id)
    assert claimed is not None and claimed.status is RequestStatus.CLAIMED
    assert claimed.listener_id == 200 + results.index(True)


async def test_a_message_is_kept_once_queued_in_the_same_transaction_and_wiped_once_relayed(
    database: Database, clock: FakeClock
) -> None:
    service = await _service(database, clock)
    request = await service.request(GUILD, MEMBER, "Stress", None, anonymous=False)
    await service.claim(request.id, GUILD, 200)
    claimed = await service.get(request.id)
    assert claimed is not None

    first = await service.relay(claimed, True, 555, "hello", 0)
    replay = await service.relay(claimed, True, 555, "hello", 0)  # the same Discord message again

    assert first is not None and replay is None
    async with database.read() as conn:
        query = select(delivery_items).where(delivery_items.c.kind == "support.relay")
        items = list(await conn.execute(query))
    assert [i.ref for i in items] == [first]
    message = await service.message(first)
    assert message is not None and message.text == "hello"
    await service.message_done(message, GUILD, sent=True)
    async with database.read() as conn:
        text = (await conn.execute(select(support_messages.c.text))).scalar_one()
    assert text is None  # the server doesn't keep relayed text


async def test_nothing_is_taken_for_relay_after_the_end_and_feedback_counts_once(
    database: Database, clock: FakeClock
) -> None:
    service = await _service(database, clock)
    request = await service.request(GUILD, MEMBER, "Stress", None, anonymous=False)
    await service.claim(request.id, GUILD, 200)
    assert await service.end(request.id)
    ended = await service.get(request.id)
    assert ended is not None and await service.relay(ended, True, 1, "still there?", 0) is None

    assert await service.give_feedback(request.id, MEMBER, True)
    assert not await service.give_feedback(request.id, MEMBER, False)
    counts = await service.counts(GUILD)
    assert (counts.requests, counts.claimed, counts.helped, counts.not_helped) == (1, 1, 1, 0)


async def test_export_and_delete_cover_requests_messages_flags_and_check_ons(
    database: Database, clock: FakeClock
) -> None:
    service = await _service(database, clock)
    request = await service.request(GUILD, MEMBER, "Stress", "my first words", anonymous=True)
    await service.claim(request.id, GUILD, 200)
    claimed = await service.get(request.id)
    assert claimed is not None
    await service.relay(claimed, True, 9, "kept until relayed", 0)
    await service.flag(GUILD, MEMBER, 300, 7, 8, "worried note")
    await service.check_on(GUILD, MEMBER, 400)
    members = MemberDataRepository(database)

    exported = (await members.export(MEMBER, None))["support"]
    assert exported["requests"][0]["first_message"] == "my first words"
    assert exported["your_relayed_messages"][0]["text"] == "kept until relayed"
    assert exported["flags_you_made"][0]["note"] == "worried note"
    assert len(exported["check_ons_sent_to_you"]) == 1
    assert GUILD in await members.servers_of(MEMBER)

    await members.delete(MEMBER, None)
    after = (await members.export(MEMBER, None))["support"]
    assert all(not rows for rows in after.values())
    async with database.read() as conn:
        assert (await conn.execute(select(support_messages))).first() is None


async def test_the_purge_clears_first_messages_and_relayed_text_after_the_retention_period(
    database: Database, clock: FakeClock
) -> None:
    service = await _service(database, clock)
    await service.update_settings(GUILD, store_text=True, retention_days=30)
    request = await service.request(GUILD, MEMBER, "Stress", "my first words", anonymous=True)
    await service.claim(request.id, GUILD, 200)
    claimed = await service.get(request.id)
    assert claimed is not None
    kept = await service.relay(claimed, True, 9, "kept for a while", 0)
    assert kept is not None
    message = await service.message(kept)
    assert message is not None
    await service.message_done(message, GUILD, sent=True)
    await service.end(request.id)

    clock.advance(days=29)
    await service.purge_relayed_text()
    assert (await service.get(request.id)).first_message == "my first words"  # type: ignore[union-attr]
    assert (await service.message(kept)).text == "kept for a while"  # type: ignore[union-attr]

    clock.advance(days=2)
    await service.purge_relayed_text()
    assert (await service.get(request.id)).first_message is None  # type: ignore[union-attr]
    assert (await service.message(kept)).text is None  # type: ignore[union-attr]
