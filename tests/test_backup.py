"""Backups, restores, the pre-migration backup and copying a database between engines (bot/storage/backup.py)."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import BigInteger, Boolean, Integer, String, Table, Text, insert, select

from bot.errors import BackupError, DatabaseTooNew
from bot.storage import migrate
from bot.storage.backup import (
    backup_before_migration,
    backup_sqlite_file,
    haven_revision,
    pg_dump_command,
    prune_backups,
    restore_sqlite_file,
    run_pg_command,
)
from bot.storage.copy import copy_database
from bot.storage.engine import Database
from bot.storage.schema import bot_state, guild_settings, local_resources, metadata
from bot.storage.types import EncryptedText, UTCDateTime
from bot.wiring import migrate_with_backup

WHEN = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PRIVATE_NOTE = "a member's private words"
IDS = (5, 9)  # with a gap, so copied IDs and the next generated one are both checked


def _value(table: Table, column: Any, index: int, parents: dict[str, list[int]]) -> Any:
    if column.foreign_keys:
        (fk,) = column.foreign_keys
        return parents[fk.column.table.name][0]
    if column.primary_key and table.autoincrement_column is column:
        return IDS[index]
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return WHEN + timedelta(minutes=index)
    if isinstance(kind, Boolean):
        return index % 2 == 0
    if isinstance(kind, Integer | BigInteger):
        return 100_000_000_000_000_000 + index if isinstance(kind, BigInteger) else 10 + index
    if isinstance(kind, String | Text | EncryptedText):
        length = getattr(kind, "length", None) or 100
        return f"{PRIVATE_NOTE} {index}"[:length]
    raise AssertionError(f"no test value for {table.name}.{column.name} ({kind!r})")


async def fill_every_table(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Two rows in every table, in foreign-key order; returns what was written."""
    parents: dict[str, list[int]] = {}
    written: dict[str, list[dict[str, Any]]] = {}
    async with db.transaction() as conn:
        for table in metadata.sorted_tables:
            rows = [{c.name: _value(table, c, i, parents) for c in table.columns} for i in range(2)]
            await conn.execute(insert(table), rows)
            written[table.name] = rows
            if table.autoincrement_column is not None:
                parents[table.name] = list(IDS)
    return written


async def read_every_table(db: Database) -> dict[str, list[dict[str, Any]]]:
    async with db.read() as conn:
        return {
            table.name: [
                dict(row)
                for row in (await conn.execute(select(table).order_by(*table.primary_key.columns))).mappings()
            ]
            for table in metadata.sorted_tables
        }


async def open_sqlite(path: Path, revision: str = "head") -> Database:
    db = await Database.open(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(db, revision)
    return db


# --- SQLite backups ---------------------------------------------------------------------------------------------


async def test_backup_while_the_database_is_open_holds_every_committed_write(tmp_path: Path) -> None:
    db = await open_sqlite(tmp_path / "haven.db")
    try:
        written = await fill_every_table(db)
        assert (tmp_path / "haven.db-wal").exists()  # the newest writes are still in the WAL file
        backup_sqlite_file(tmp_path / "haven.db", tmp_path / "backups" / "copy.db")
    finally:
        await db.close()

    copy = tmp_path / "backups" / "copy.db"
    assert haven_revision(copy) == migrate.head_revision()
    assert not _wal(copy).exists()  # one self-contained file
    assert copy.stat().st_mode & 0o077 == 0  # members' data: readable by its owner only
    restored = await Database.open(f"sqlite+aiosqlite:///{copy}")
    try:
        assert await read_every_table(restored) == {
            name: [{k: v for k, v in row.items()} for row in rows] for name, rows in written.items()
        }
    finally:
        await restored.close()


def test_backup_of_a_missing_or_foreign_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database file"):
        backup_sqlite_file(tmp_path / "missing.db", tmp_path / "out.db")
    (tmp_path / "notes.txt").write_text("not a database at all, just text" * 10)
    with pytest.raises(BackupError, match="Can't copy"):
        backup_sqlite_file(tmp_path / "notes.txt", tmp_path / "out.db")
    assert not (tmp_path / "out.db").exists() and not (tmp_path / "out.db.part").exists()


async def test_a_backup_is_recognised_only_when_it_is_a_known_haven_database(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no file"):
        haven_revision(tmp_path / "missing.db")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(BackupError, match="not an SQLite database"):
        haven_revision(tmp_path / "notes.txt")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    other.commit()
    other.close()
    with pytest.raises(BackupError, match="not one of Haven's"):
        haven_revision(tmp_path / "other.db")

    db = await open_sqlite(tmp_path / "newer.db")
    try:
        async with db.transaction() as conn:
            await conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    finally:
        await db.close()
    with pytest.raises(BackupError, match="newer Haven"):
        haven_revision(tmp_path / "newer.db")


async def test_restore_replaces_the_database_and_keeps_the_one_it_replaced(tmp_path: Path) -> None:
    live = tmp_path / "var" / "haven.db"
    db = await open_sqlite(live)
    try:
        async with db.transaction() as conn:
            await conn.execute(insert(guild_settings), [{"guild_id": 1, "updated_at": WHEN}])
        backup_sqlite_file(live, tmp_path / "before.db")
        async with db.transaction() as conn:
            await conn.execute(insert(guild_settings), [{"guild_id": 2, "updated_at": WHEN}])
    finally:
        await db.close()
    _wal(live).write_bytes(b"stale log of the old database")

    restored = restore_sqlite_file(tmp_path / "before.db", live, tmp_path / "var" / "backups", now=WHEN)

    assert restored.revision == migrate.head_revision()
    assert not _wal(live).exists()
    kept = tmp_path / "var" / "backups" / "pre-restore-20261122-120000.db"
    assert restored.kept_previous == kept
    assert _guild_ids(live) == [1]
    assert _guild_ids(kept) == [1, 2]


async def test_restore_refuses_a_bad_file_and_changes_nothing(tmp_path: Path) -> None:
    live = tmp_path / "haven.db"
    await (await open_sqlite(live)).close()
    before = live.read_bytes()
    (tmp_path / "bad.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)

    with pytest.raises(BackupError):
        restore_sqlite_file(tmp_path / "bad.db", live, tmp_path / "backups")
    with pytest.raises(BackupError, match="the database itself"):
        restore_sqlite_file(live, live, tmp_path / "backups")

    assert live.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _guild_ids(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT guild_id FROM guild_settings ORDER BY guild_id")]
    finally:
        conn.close()


# --- the backup before migrations ---------------------------------------------------------------------------------


async def test_an_existing_sqlite_database_is_backed_up_before_migrating_and_three_are_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = tmp_path / "var" / "haven.db"
    head = migrate.head_revision()
    previous = migrate.alembic_config()
    from alembic.script import ScriptDirectory

    older = ScriptDirectory.from_config(previous).get_revision(head).down_revision
    assert isinstance(older, str)
    db = await open_sqlite(live, older)
    try:
        async with db.transaction() as conn:
            await conn.execute(
                insert(bot_state), [{"key": "note", "value": PRIVATE_NOTE, "updated_at": WHEN}]
            )
        made = []
        for minute in range(5):
            made.append(await backup_before_migration(db, now=WHEN + timedelta(minutes=minute)))
        with caplog.at_level(logging.INFO):
            state = await migrate_with_backup(db)
        assert state.up_to_date
        assert await backup_before_migration(db) is None  # nothing pending
    finally:
        await db.close()

    kept = sorted(p.name for p in (tmp_path / "var" / "backups").iterdir())
    assert len(kept) == 3 and all(name.startswith("pre-migration-") for name in kept)
    assert all(path is not None and path.name.endswith(f"-{older}.db") for path in made)
    assert haven_revision(tmp_path / "var" / "backups" / kept[-1]) == older
    lines = [r.getMessage() for r in caplog.records if "before migrating" in r.getMessage()]
    assert len(lines) == 1 and f"from revision {older} to {head}" in lines[0]
    assert all(PRIVATE_NOTE not in r.getMessage() for r in caplog.records)


async def test_no_backup_for_a_new_database(tmp_path: Path) -> None:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'haven.db'}")
    try:
        assert await backup_before_migration(db) is None
        await migrate_with_backup(db)
    finally:
        await db.close()
    assert not (tmp_path / "backups").exists()


async def test_a_database_newer_than_the_code_is_refused_before_any_backup(tmp_path: Path) -> None:
    db = await open_sqlite(tmp_path / "haven.db")
    try:
        async with db.transaction() as conn:
            await conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
        with pytest.raises(DatabaseTooNew):
            await migrate_with_backup(db)
    finally:
        await db.close()
    assert not (tmp_path / "backups").exists()


def test_pruning_keeps_the_newest(tmp_path: Path) -> None:
    for minute in range(4):
        path = tmp_path / f"pre-migration-2026112{minute}.db"
        path.write_text("x")
    (tmp_path / "haven-other.db").write_text("x")

    deleted = prune_backups(tmp_path, "pre-migration-", 3)

    assert [p.name for p in deleted] == ["pre-migration-20261120.db"]
    assert (tmp_path / "haven-other.db").exists()


# --- PostgreSQL dumps ---------------------------------------------------------------------------------------------


def test_pg_dump_command_keeps_the_password_off_the_command_line(tmp_path: Path) -> None:
    command = pg_dump_command("postgresql+asyncpg://haven:s3cret@db:5432/haven", tmp_path / "x.dump")

    assert "s3cret" not in command.shell()
    assert command.env == {"PGPASSWORD": "s3cret"}
    assert command.argv[0] == "pg_dump" and "--dbname=postgresql://haven@db:5432/haven" in command.argv
    with pytest.raises(FileNotFoundError):
        run_pg_command(command, which=lambda _name: None)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_pg_dump_runs_when_installed(db_url: str, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed on this machine")
    db = await Database.open(db_url, connect_timeout=5)
    try:
        await migrate.upgrade(db)
    finally:
        await db.close()
    target = tmp_path / "haven.dump"
    try:
        run_pg_command(pg_dump_command(db_url, target))
    except BackupError as exc:  # pg_dump older than the server refuses; that is the machine, not Haven
        if "version mismatch" in str(exc):
            pytest.skip(str(exc))
        raise
    assert target.read_bytes().startswith(b"PGDMP")


# --- copying a database -------------------------------------------------------------------------------------------


async def test_copy_database_copies_every_row_and_ids_continue(tmp_path: Path, db_url: str) -> None:
    source_url = f"sqlite+aiosqlite:///{tmp_path / 'source.db'}"
    source = await open_sqlite(tmp_path / "source.db")
    target = await Database.open(db_url, connect_timeout=5)
    try:
        await fill_every_table(source)
        counts = await copy_database(source, target, source_url=source_url)

        assert counts == {table.name: 2 for table in metadata.sorted_tables}
        assert await read_every_table(target) == await read_every_table(source)
        assert (await migrate.migration_state(target)).up_to_date
        async with target.transaction() as conn:
            new_id = (
                await conn.execute(
                    insert(local_resources).returning(local_resources.c.id),
                    {
                        c.name: _value(local_resources, c, 0, {})
                        for c in local_resources.columns
                        if c.name != "id"
                    },
                )
            ).scalar_one()
        assert new_id == max(IDS) + 1
    finally:
        await source.close()
        await target.close()


async def test_copy_database_refuses_a_target_with_data(
    tmp_path: Path, database: Database, db_url: str
) -> None:
    source = await open_sqlite(tmp_path / "source.db")
    try:
        await fill_every_table(source)
        async with database.transaction() as conn:
            await conn.execute(insert(guild_settings), [{"guild_id": 7, "updated_at": WHEN}])
        with pytest.raises(BackupError, match="already holds data"):
            await copy_database(source, database, source_url="sqlite:///source.db")
        async with database.read() as conn:
            assert (await conn.execute(select(guild_settings.c.guild_id))).scalars().all() == [7]
    finally:
        await source.close()


async def test_copy_database_refuses_an_empty_or_outdated_source(tmp_path: Path) -> None:
    empty = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    old = await open_sqlite(tmp_path / "old.db", "0001")
    target = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'target.db'}")
    try:
        with pytest.raises(BackupError, match="nothing to copy"):
            await copy_database(empty, target, source_url="sqlite:///empty.db")
        with pytest.raises(BackupError, match="python -m bot migrate"):
            await copy_database(old, target, source_url="sqlite:///old.db")
        assert (await migrate.migration_state(target)).current is None  # the target was not touched
    finally:
        for db in (empty, old, target):
            await db.close()


async def test_a_failed_copy_leaves_no_rows_in_the_target(tmp_path: Path, db_url: str) -> None:
    source = await open_sqlite(tmp_path / "source.db")
    await fill_every_table(source)
    await source.close()
    orphan = sqlite3.connect(
        tmp_path / "source.db"
    )  # foreign keys off: the target's own check must refuse it
    orphan.execute("UPDATE crisis_reveals SET alert_id = 999")
    orphan.commit()
    orphan.close()
    source = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'source.db'}")
    target = await Database.open(db_url, connect_timeout=5)
    try:
        with pytest.raises(BackupError, match="refused a row of the table crisis_reveals") as refused:
            await copy_database(source, target, source_url="sqlite:///source.db")
        assert PRIVATE_NOTE not in str(refused.value)
        async with target.read() as conn:
            rows = await conn.execute(select(guild_settings.c.guild_id))
            assert rows.all() == []
    finally:
        await source.close()
        await target.close()
