"""The data key as an operator meets it: the key file at first start, a wrong or missing key, keygen, rotate-key."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Text, insert, select, type_coerce

from bot.config import Settings
from bot.errors import DataKeyError
from bot.storage import schema
from bot.storage.crypto import Keyring, generate_key, key_id_of
from bot.storage.encryption import PLAIN, key_census
from bot.storage.engine import Database
from bot.wiring import open_database
from tests.test_cli import assert_no_traceback, run_cli

WHEN = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NOTE = "quiet-harbour-17"


def settings_for(folder: Path, **env: str) -> Settings:
    return Settings.from_env(
        {"DATABASE_URL": "sqlite:///var/haven.db", "LOG_FILE": "", **env},
        base_dir=folder,
        require_token=False,
    )


async def start(folder: Path, **env: str) -> Database:
    """What `run` does before it connects to Discord: open, migrate, load the key, encrypt plain text."""
    return await open_database(settings_for(folder, **env), migrate_now=True)


async def add_note(db: Database, note: str, *, raw: bool = False) -> None:
    value = type_coerce(note, Text()) if raw else note
    async with db.transaction() as conn:
        await conn.execute(
            insert(schema.checkins).values(guild_id=1, user_id=2, mood=3, note=value, created_at=WHEN)
        )


async def raw_notes(db: Database) -> list[str]:
    async with db.read() as conn:
        return list((await conn.execute(select(type_coerce(schema.checkins.c.note, Text())))).scalars())


async def notes(db: Database) -> list[str]:
    async with db.read() as conn:
        return list((await conn.execute(select(schema.checkins.c.note))).scalars())


async def test_the_first_start_writes_a_private_key_file_and_says_to_back_it_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    key_file = tmp_path / "var" / "data.key"

    db = await start(tmp_path)
    await add_note(db, NOTE)
    await db.close()
    key_text = key_file.read_text()
    db = await start(tmp_path)
    assert await notes(db) == [NOTE]
    await db.close()

    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text() == key_text  # later starts read it, never write it again
    warnings = [r.getMessage() for r in caplog.records if "Back it up" in r.getMessage()]
    assert len(warnings) == 1 and "apart from the database" in warnings[0]
    assert all(key_text.strip() not in r.getMessage() for r in caplog.records)
    assert not (tmp_path / "var" / "haven.db").read_bytes().count(NOTE.encode())


async def test_plain_text_from_before_encryption_is_encrypted_at_start(tmp_path: Path) -> None:
    db = await start(tmp_path)
    await add_note(db, NOTE, raw=True)
    assert await raw_notes(db) == [NOTE]
    await db.close()

    db = await start(tmp_path)
    try:
        [stored] = await raw_notes(db)
        assert key_id_of(stored) is not None and NOTE not in stored
        assert await notes(db) == [NOTE]
    finally:
        await db.close()


async def test_a_wrong_or_missing_key_stops_the_start_and_changes_nothing(tmp_path: Path) -> None:
    key = generate_key()
    db = await start(tmp_path, DATA_KEY=key)
    await add_note(db, NOTE)
    await add_note(db, "from before encryption", raw=True)
    before = await raw_notes(db)
    await db.close()

    with pytest.raises(DataKeyError, match="doesn't match the database") as wrong:
        await start(tmp_path, DATA_KEY=generate_key())
    assert Keyring.from_text(key).current_id in str(wrong.value) and "Nothing was changed" in str(wrong.value)
    with pytest.raises(DataKeyError, match="no key file") as missing:
        await start(tmp_path)
    assert "Nothing was changed" in str(missing.value)

    assert not (tmp_path / "var" / "data.key").exists()  # no new key was made for a database that has one
    db = await Database.open(settings_for(tmp_path).database_url)
    try:
        assert await raw_notes(db) == before  # not even the plain row was touched
    finally:
        await db.close()


def test_check_reports_a_wrong_key_without_printing_any_key(tmp_path: Path) -> None:
    first = run_cli(tmp_path, "reports")  # makes the database and its key file
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "data.key"
    good = run_cli(tmp_path, "check")
    assert "[ok]  The data key" in good.stdout and "Back up" in good.stdout, good.stdout
    _put_a_note_in(tmp_path)
    wrong = generate_key()

    check = run_cli(tmp_path, "check", env={"DATA_KEY": wrong, "LOG_LEVEL": "DEBUG"})

    assert check.returncode == 1
    assert_no_traceback(check)
    assert "[FIX] The data key doesn't match the database" in check.stdout
    log = (tmp_path / "var" / "haven.log").read_text()
    for secret in (wrong, *key_file.read_text().split()):
        assert secret not in check.stdout + check.stderr + log


def _put_a_note_in(folder: Path) -> None:
    import asyncio

    async def write() -> None:
        db = await start(folder)
        try:
            await add_note(db, NOTE)
        finally:
            await db.close()

    asyncio.run(write())


def test_keygen_prints_a_new_key_each_time(tmp_path: Path) -> None:
    first, second = run_cli(tmp_path, "keygen"), run_cli(tmp_path, "keygen")

    assert first.returncode == 0 and second.returncode == 0
    assert first.stdout.strip() != second.stdout.strip()
    assert len(Keyring.from_text(first.stdout.strip()).ids) == 1
    assert "back it up" in first.stderr
    assert not (tmp_path / "var").exists()  # it needs no settings and touches nothing


def census(folder: Path, **env: str) -> dict[str, int]:
    import asyncio

    async def count() -> dict[str, int]:
        db = await start(folder, **env)
        try:
            assert await notes(db) == [NOTE]
            return dict(await key_census(db))
        finally:
            await db.close()

    return asyncio.run(count())


def test_rotate_key_with_the_key_file_puts_the_new_key_first_and_reencrypts(tmp_path: Path) -> None:
    _put_a_note_in(tmp_path)
    key_file = tmp_path / "var" / "data.key"
    old = key_file.read_text().split()

    rotated = run_cli(tmp_path, "rotate-key", "--batch-size", "1")

    assert rotated.returncode == 0, rotated.stderr
    keys = key_file.read_text().split()
    assert len(keys) == 2 and keys[1:] == old and key_file.stat().st_mode & 0o777 == 0o600
    new_id = Keyring.from_text(keys[0]).current_id
    assert f"Re-encrypted 1 value(s) under key id {new_id}" in rotated.stdout
    assert census(tmp_path) == {new_id: 1}
    assert keys[0] not in rotated.stdout + rotated.stderr


def test_rotate_key_with_data_key_new_and_old(tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    (tmp_path / ".env").write_text(f"DATA_KEY={old}\n")
    _put_a_note_in_with(tmp_path, old)

    alone = run_cli(tmp_path, "rotate-key")
    assert alone.returncode == 2 and "nothing to rotate to" in alone.stderr
    assert census(tmp_path, DATA_KEY=old) == {Keyring.from_text(old).current_id: 1}

    rotated = run_cli(tmp_path, "rotate-key", env={"DATA_KEY": f"{new},{old}"})
    assert rotated.returncode == 0, rotated.stderr
    assert census(tmp_path, DATA_KEY=new) == {Keyring.from_text(new).current_id: 1}

    newest = generate_key()
    given = run_cli(tmp_path, "rotate-key", env={"DATA_KEY": new, "NEW_DATA_KEY": newest})
    assert given.returncode == 0, given.stderr
    assert census(tmp_path, DATA_KEY=newest) == {Keyring.from_text(newest).current_id: 1}
    for key in (old, new, newest):
        assert key not in alone.stdout + alone.stderr + rotated.stdout + rotated.stderr + given.stdout


def _put_a_note_in_with(folder: Path, key: str) -> None:
    import asyncio

    async def write() -> None:
        db = await start(folder, DATA_KEY=key)
        try:
            await add_note(db, NOTE)
            assert PLAIN not in await key_census(db)
        finally:
            await db.close()

    asyncio.run(write())
