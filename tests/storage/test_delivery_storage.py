"""Delivery work items on both engines: leases are exclusive, expire, renew, and are given back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.delivery import ItemState
from bot.storage.delivery import DeliveryRepository
from bot.storage.engine import Database
from tests.conftest import FakeClock


async def test_concurrent_claims_never_lease_the_same_item_twice(
    database: Database, clock: FakeClock
) -> None:
    repo = DeliveryRepository(database)
    for ref in range(30):
        await repo.add("test.kind", ref, clock(), clock())

    batches = await asyncio.gather(*(repo.claim_due(f"worker{i}", clock(), 10) for i in range(4)))

    ids = [item.id for batch in batches for item in batch]
    assert len(ids) == len(set(ids)) == 30


async def test_a_lease_is_exclusive_until_it_runs_out_and_renewing_keeps_it(
    database: Database, clock: FakeClock
) -> None:
    repo = DeliveryRepository(database)
    await repo.add("test.kind", 1, clock(), clock())
    item_id = await repo.pending_id("test.kind", 1)
    assert item_id is not None

    assert await repo.claim(item_id, "a", clock()) is not None
    assert await repo.claim(item_id, "b", clock()) is None
    clock.advance(seconds=8)
    assert await repo.renew(item_id, "a", clock())
    clock.advance(seconds=8)
    assert await repo.claim(item_id, "b", clock()) is None  # renewed: still a's
    clock.advance(seconds=3)
    taken = await repo.claim(item_id, "b", clock())
    assert taken is not None and taken.attempts == 2 and taken.recovering
    assert not await repo.renew(item_id, "a", clock())


async def test_release_gives_every_lease_back_due_at_once(database: Database, clock: FakeClock) -> None:
    repo = DeliveryRepository(database)
    await repo.add("test.kind", 1, clock(), clock())
    await repo.add("test.kind", 2, clock() + timedelta(hours=1), clock())
    [item] = await repo.claim_due("a", clock(), 10)

    assert await repo.release_all("a", clock()) == 1

    [again] = await repo.claim_due("b", clock(), 10)
    assert again.id == item.id and again.state is ItemState.LEASED and again.lease_owner == "b"


async def test_a_pending_item_of_the_same_kind_is_reused(database: Database, clock: FakeClock) -> None:
    repo = DeliveryRepository(database)
    await repo.add("test.kind", 1, clock() + timedelta(minutes=5), clock())
    await repo.add("test.kind", 1, clock(), clock())

    [item] = await repo.items("test.kind")
    assert item.due_at == clock()
