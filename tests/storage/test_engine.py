"""The database wrapper: engine settings, retries, closing, and timestamps on both engines."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.errors import DatabaseError
from bot.storage.bot_state import BotStateRepository
from bot.storage.engine import Database
from bot.storage.schema import bot_state


async def test_sqlite_uses_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", connect_timeout=1)
    try:
        async with db.read() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    finally:
        await db.close()


async def test_times_come_back_aware_in_utc(database: Database) -> None:
    repo = BotStateRepository(database)
    berlin_time = datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2)))

    await repo.set("k", "v", berlin_time)

    async with database.read() as conn:
        stored = (await conn.execute(select(bot_state.c.updated_at))).scalar_one()
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await BotStateRepository(database).set("k", "v", datetime(2026, 1, 1))  # noqa: DTZ001 - naive on purpose


async def test_snowflakes_fit_bigint(database: Database) -> None:
    from bot.storage.guild_settings import GuildSettingsRepository

    big = 2**63 - 1
    repo = GuildSettingsRepository(database)
    await repo.set_alerts(big, big - 1, big - 2, datetime.now(UTC))

    saved = await repo.get(big)

    assert (saved.alert_channel_id, saved.moderator_role_id) == (big - 1, big - 2)


async def test_close_waits_for_writes_in_flight(database: Database) -> None:
    repo = BotStateRepository(database)
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow_write() -> None:
        async with database.transaction() as conn:
            await conn.execute(
                bot_state.insert().values(key="slow", value="done", updated_at=datetime.now(UTC))
            )
            started.set()
            await release.wait()

    writer = asyncio.create_task(slow_write())
    await started.wait()
    closer = asyncio.create_task(database.close(timeout=5))
    await asyncio.sleep(0.05)
    assert not closer.done(), "close must wait for the open write"
    with pytest.raises(DatabaseError, match="closing"):
        await repo.set("late", "x", datetime.now(UTC))
    release.set()
    await asyncio.gather(writer, closer)


async def test_close_commits_the_write_that_was_in_flight(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    db = await Database.open(url, connect_timeout=1)
    from bot.storage import migrate

    await migrate.upgrade(db)
    release = asyncio.Event()

    async def slow_write() -> None:
        async with db.transaction() as conn:
            await conn.execute(
                bot_state.insert().values(key="kept", value="yes", updated_at=datetime.now(UTC))
            )
            await release.wait()

    writer = asyncio.create_task(slow_write())
    await asyncio.sleep(0.05)
    closer = asyncio.create_task(db.close(timeout=5))
    release.set()
    await asyncio.gather(writer, closer)

    reopened = await Database.open(url, connect_timeout=1)
    try:
        assert await BotStateRepository(reopened).get("kept") == "yes"
    finally:
        await reopened.close()


async def test_unreachable_database_is_retried_then_reported_plainly() -> None:
    slept: list[float] = []
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with pytest.raises(DatabaseError) as caught:
        await Database.open(
            "postgresql+asyncpg://haven:s3cret@127.0.0.1:1/haven",
            connect_timeout=3,
            sleep=fake_sleep,
            clock=lambda: now[0],
        )

    message = str(caught.value)
    assert "Can't reach the database" in message
    assert "s3cret" not in message
    assert len(slept) >= 3
    assert slept == sorted(slept), "backoff grows"
    assert sum(slept) <= 3


async def test_unwritable_database_folder_is_reported_plainly(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        locked = Path("/proc/1")  # root may write anywhere else; the kernel's /proc stays read-only
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
    try:
        with pytest.raises(DatabaseError, match="Can't write the database file"):
            await Database.open(f"sqlite+aiosqlite:///{locked / 'haven.db'}", connect_timeout=1)
    finally:
        if locked.is_relative_to(tmp_path):
            locked.chmod(0o700)


async def test_database_path_under_a_file_is_reported_plainly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")

    with pytest.raises(DatabaseError, match="Can't create the folder"):
        await Database.open(f"sqlite+aiosqlite:///{blocker / 'haven.db'}", connect_timeout=1)
