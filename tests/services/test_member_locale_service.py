"""Remembering a member's Discord language, on a real database (both engines)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.services.member_locale import MemberLocaleService
from bot.storage.engine import Database
from bot.storage.member_locale import MemberLocaleRepository
from tests.conftest import FakeClock


class CountingRepository(MemberLocaleRepository):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.writes = 0
        self.reads = 0

    async def get(self, user_id: int) -> str | None:
        self.reads += 1
        return await super().get(user_id)

    async def set(self, user_id: int, locale: str, now: datetime) -> None:
        self.writes += 1
        await super().set(user_id, locale, now)


@pytest.fixture
def repository(database: Database) -> CountingRepository:
    return CountingRepository(database)


async def test_a_locale_is_written_only_when_it_changes(
    repository: CountingRepository, clock: FakeClock
) -> None:
    service = MemberLocaleService(repository, clock)

    for _ in range(3):
        await service.remember(7, "es-ES")
    await service.remember(7, "de")

    assert repository.writes == 2
    assert await MemberLocaleService(repository, clock).locale_for(7) == "de"  # a restart reads it back


async def test_unknown_members_are_read_once_then_cached(
    repository: CountingRepository, clock: FakeClock
) -> None:
    service = MemberLocaleService(repository, clock)

    assert await service.locale_for(8) is None
    assert await service.locale_for(8) is None

    assert repository.reads == 1


@pytest.mark.parametrize("junk", ["", "x" * 17])
async def test_junk_is_not_stored(repository: CountingRepository, clock: FakeClock, junk: Any) -> None:
    await MemberLocaleService(repository, clock).remember(9, junk)

    assert repository.writes == 0


async def test_a_locale_can_be_deleted(repository: CountingRepository, clock: FakeClock) -> None:
    await repository.set(10, "de", clock())

    assert await repository.delete(10) is True
    assert await repository.delete(10) is False
    assert await repository.get(10) is None


async def test_a_batch_is_read_in_one_query_and_then_served_from_memory(
    repository: CountingRepository, clock: FakeClock
) -> None:
    for user_id in range(1, 1201, 2):  # every odd member has a language; more than one IN chunk
        await repository.set(user_id, "es-419" if user_id % 4 == 1 else "de", clock())
    service = MemberLocaleService(repository, clock)

    await service.prefetch(list(range(1, 1201)))
    looked_up = [await service.locale_for(user_id) for user_id in (1, 2, 3, 1199, 1200)]

    assert looked_up == ["es-419", None, "de", "de", None]
    assert repository.reads == 0  # no one-by-one reads after the batch
