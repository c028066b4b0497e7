"""Retention storage on both engines: periods per server, notes cleared and reports deleted by server and age,
and departures (an earlier date stays, rejoining cancels, the purge takes one member in one server)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from bot.storage.engine import Database
from bot.storage.retention import RetentionRepository
from bot.storage.schema import buddy_reports, checkin_schedules, checkins
from tests.conftest import FakeClock

HERE, THERE = 1001, 2002
ROBIN, SAM = 11, 22


async def add(db: Database, table: Any, **values: Any) -> None:
    async with db.transaction() as conn:
        await conn.execute(insert(table).values(**values))


async def all_rows(db: Database, table: Any) -> list[dict[str, Any]]:
    async with db.read() as conn:
        return [dict(r) for r in (await conn.execute(select(table).order_by(table.c.id))).mappings()]


async def test_periods_default_to_none_and_each_kind_is_saved_alone(
    database: Database, clock: FakeClock
) -> None:
    repo = RetentionRepository(database)
    assert await repo.periods(HERE) is None

    await repo.set_period(HERE, "notes", 60, clock())
    assert await repo.periods(HERE) == {"notes": 60, "reports": 90}
    await repo.set_period(HERE, "reports", 45, clock())
    assert await repo.periods(HERE) == {"notes": 60, "reports": 45}
    assert await repo.periods(THERE) is None


async def test_notes_are_cleared_and_reports_deleted_by_server_and_age(
    database: Database, clock: FakeClock
) -> None:
    repo = RetentionRepository(database)
    old, new = clock() - timedelta(days=100), clock()
    for guild in (HERE, THERE):
        for when in (old, new):
            await add(
                database, checkins, guild_id=guild, user_id=ROBIN, mood=2, note="words", created_at=when
            )
            for kind in ("report", "worried", "nudge"):
                values = {"guild_id": guild, "reporter_id": ROBIN, "subject_id": SAM, "kind": kind}
                await add(database, buddy_reports, **values, text="words", created_at=when)

    cutoff = clock() - timedelta(days=50)
    assert sorted(await repo.servers_with_notes(cutoff)) == [HERE, THERE]
    assert sorted(await repo.servers_with_reports(cutoff)) == [HERE, THERE]
    assert await repo.clear_notes(HERE, cutoff) == 1
    assert await repo.delete_reports(HERE, cutoff) == 2  # the "let my buddy know" record has its own two days
    await repo.scrub()

    notes = [(r["guild_id"], r["note"], r["mood"]) for r in await all_rows(database, checkins)]
    assert notes == [(HERE, None, 2), (HERE, "words", 2), (THERE, "words", 2), (THERE, "words", 2)]
    reports = [(r["guild_id"], r["kind"]) for r in await all_rows(database, buddy_reports)]
    assert sorted(reports) == sorted(
        [(HERE, "nudge"), (HERE, "report"), (HERE, "worried"), (HERE, "nudge")]
        + [(THERE, kind) for kind in ("report", "worried", "nudge") * 2]
    )
    assert await repo.servers_with_notes(cutoff) == [THERE]


async def test_departures_keep_the_first_date_are_cancelled_and_purge_one_member_in_one_server(
    database: Database, clock: FakeClock
) -> None:
    repo = RetentionRepository(database)
    for guild in (HERE, THERE):
        for user in (ROBIN, SAM):
            await add(database, checkins, guild_id=guild, user_id=user, mood=4, created_at=clock())
            schedule = {"guild_id": guild, "user_id": user, "local_time": "13:00", "timezone": "UTC"}
            times = {"created_at": clock(), "updated_at": clock()}
            await add(database, checkin_schedules, **schedule, days_mask=127, status="active", **times)

    first = clock() + timedelta(days=7)
    await repo.member_left(HERE, ROBIN, clock(), first)
    await repo.member_left(HERE, ROBIN, clock(), first + timedelta(days=3))  # a second event: the date stays
    assert await repo.departure(HERE, ROBIN) == first
    await repo.member_left(THERE, SAM, clock(), first)
    assert await repo.member_back(THERE, SAM)
    assert not await repo.member_back(THERE, SAM)

    assert await repo.due_departures(first - timedelta(seconds=1)) == []
    assert await repo.due_departures(first) == [(HERE, ROBIN)]
    assert await repo.purge_departed(HERE, ROBIN) == 1
    await repo.scrub()

    left = {(r["guild_id"], r["user_id"]) for r in await all_rows(database, checkins)}
    assert left == {(HERE, SAM), (THERE, ROBIN), (THERE, SAM)}
    schedules = {(r["guild_id"], r["user_id"]) for r in await all_rows(database, checkin_schedules)}
    assert schedules == left
    assert await repo.departure(HERE, ROBIN) is None
