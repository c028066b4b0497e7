"""Encryption at rest in storage: the keyring, the encrypted columns, the key census and re-encryption."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Table, Text, insert, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import DataKeyError
from bot.storage import schema
from bot.storage.crypto import (
    PREFIX,
    Keyring,
    generate_key,
    key_id_of,
    read_key_file,
    write_key_file,
)
from bot.storage.encryption import PLAIN, encrypted_columns, key_census, reencrypt
from bot.storage.engine import Database

WHEN = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_values_round_trip_under_a_versioned_prefix_with_a_fresh_nonce() -> None:
    keyring = Keyring.from_text(generate_key())

    first, second = keyring.encrypt("a hard day 🌧"), keyring.encrypt("a hard day 🌧")

    assert first.startswith(f"{PREFIX}{keyring.current_id}:") and first != second
    assert "hard day" not in first
    assert keyring.decrypt(first) == keyring.decrypt(second) == "a hard day 🌧"
    assert keyring.decrypt("") == "" and keyring.decrypt(keyring.encrypt("")) == ""
    assert key_id_of(first) == keyring.current_id
    assert key_id_of("legacy plain text") is None
    assert keyring.decrypt("legacy plain text") == "legacy plain text"


def test_a_keyring_writes_with_its_first_key_and_reads_with_every_key() -> None:
    old, new = generate_key(), generate_key()
    under_old = Keyring.from_text(old).encrypt("note")

    rotating = Keyring.from_text(f"{new}, {old}")

    assert rotating.decrypt(under_old) == "note"
    assert key_id_of(rotating.encrypt("note")) == Keyring.from_text(new).current_id


def test_a_wrong_key_or_a_changed_value_is_a_clear_error() -> None:
    value = Keyring.from_text(generate_key()).encrypt("note")
    stranger = Keyring.from_text(generate_key())

    with pytest.raises(DataKeyError, match="key Haven doesn't have"):
        stranger.decrypt(value)
    same_key = Keyring.from_text(generate_key())
    tampered = same_key.encrypt("note")
    tampered = tampered[:-6] + ("AAAAAA" if not tampered.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(DataKeyError, match="doesn't open"):
        same_key.decrypt(tampered)


def test_keys_that_are_not_keys_are_refused_without_echoing_them() -> None:
    with pytest.raises(DataKeyError) as refused:
        Keyring.from_text("hunter2-not-a-key")
    assert "hunter2" not in str(refused.value)
    with pytest.raises(DataKeyError):
        Keyring.from_text(" , ")


def test_the_key_file_is_private_never_overwritten_and_reread_for_a_new_key(tmp_path: Path) -> None:
    path = tmp_path / "var" / "data.key"
    old, new = generate_key(), generate_key()
    write_key_file(path, [old])

    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(DataKeyError, match="never writes over"):
        write_key_file(path, [new])
    running = read_key_file(path)
    assert running is not None and running.ids == Keyring.from_text(old).ids

    # rotate-key, in another process: the new key goes first, the old one stays.
    write_key_file(path, [new, old], replace=True)
    under_new = Keyring.from_text(new).encrypt("written after the rotation")

    assert path.stat().st_mode & 0o777 == 0o600
    assert running.decrypt(under_new) == "written after the rotation"
    assert running.current_id == Keyring.from_text(new).current_id  # and it writes with the new key now
    assert read_key_file(tmp_path / "missing.key") is None


def test_every_column_of_member_free_text_is_encrypted() -> None:
    assert {(t.name, c) for t, c in encrypted_columns()} == {
        ("resource_reports", "text"),
        ("crisis_alerts", "excerpt"),
        ("crisis_alerts", "matched"),
        ("checkins", "note"),
        ("buddy_members", "intro"),
        ("buddy_reports", "text"),
        ("support_requests", "first_message"),
        ("support_messages", "text"),
        ("support_flags", "note"),
    }


async def _raw(db: Database, table: Table, column: str) -> list[str | None]:
    async with db.read() as conn:
        raw = type_coerce(table.c[column], Text())
        return list((await conn.execute(select(raw).order_by(raw))).scalars())


async def _add_checkin(db: Database, note: str | None, user_id: int = 1) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            insert(schema.checkins).values(
                guild_id=10, user_id=user_id, mood=3, note=note, tags="", created_at=WHEN
            )
        )


async def _add_buddy(db: Database, user_id: int, intro: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            insert(schema.buddy_members).values(
                guild_id=10,
                user_id=user_id,
                topics="Stress",
                timezone="UTC",
                looking_for="both",
                intro=intro,
                status="waiting",
                joined_at=WHEN,
                updated_at=WHEN,
            )
        )


async def test_text_is_stored_encrypted_and_read_back_on_both_engines(database: Database) -> None:
    keyring = Keyring.from_text(generate_key())
    database.use_keyring(keyring)
    long_note = "ü" * 1000  # the longest note, in two-byte letters: ciphertext is far longer than 1,000

    await _add_checkin(database, "tired but okay")
    await _add_checkin(database, long_note, user_id=2)
    await _add_checkin(database, None, user_id=3)

    raw = await _raw(database, schema.checkins, "note")
    encrypted = [v for v in raw if v is not None]
    assert len(encrypted) == 2 and all(key_id_of(v) == keyring.current_id for v in encrypted)
    assert not any("tired" in (v or "") for v in raw)
    async with database.read() as conn:
        notes = set((await conn.execute(select(schema.checkins.c.note))).scalars())
    assert notes == {"tired but okay", long_note, None}
    assert await key_census(database) == {keyring.current_id: 2}


async def test_reencrypt_moves_every_value_to_the_new_key_in_batches(database: Database) -> None:
    old = generate_key()
    database.use_keyring(Keyring.from_text(old))
    for user_id in range(1, 6):
        await _add_checkin(database, f"note {user_id}", user_id=user_id)
        await _add_buddy(database, user_id, f"intro {user_id}")  # a table with a two-column primary key
    async with database.transaction() as conn:  # one row from before encryption, stored as plain text
        await conn.execute(
            insert(schema.checkins).values(
                guild_id=10, user_id=9, mood=2, note=type_coerce("legacy words", Text()), created_at=WHEN
            )
        )
    assert (await key_census(database))[PLAIN] == 1

    rotating = Keyring.from_text(f"{generate_key()},{old}")
    database.use_keyring(rotating)
    progress = await reencrypt(database, rotating, batch_size=2)

    assert progress.rewritten == 11 and progress.changed_meanwhile == 0
    assert await key_census(database) == {rotating.current_id: 11}
    async with database.read() as conn:
        notes = sorted((await conn.execute(select(schema.checkins.c.note))).scalars())
        intros = sorted((await conn.execute(select(schema.buddy_members.c.intro))).scalars())
    assert notes == sorted([*(f"note {i}" for i in range(1, 6)), "legacy words"])
    assert intros == [f"intro {i}" for i in range(1, 6)]
    assert (await reencrypt(database, rotating)).rewritten == 0  # nothing left to do


async def _two_rows_old_key_and_plain(database: Database) -> str:
    """A note under an old key and one in plain text; returns the old key."""
    old = generate_key()
    database.use_keyring(Keyring.from_text(old))
    await _add_checkin(database, "under the old key")
    async with database.transaction() as conn:
        await conn.execute(
            insert(schema.checkins).values(
                guild_id=10, user_id=2, mood=2, note=type_coerce("plain", Text()), created_at=WHEN
            )
        )
    return old


async def test_encrypting_plain_text_leaves_values_under_older_keys(database: Database) -> None:
    old = await _two_rows_old_key_and_plain(database)
    both = Keyring.from_text(f"{generate_key()},{old}")
    database.use_keyring(both)

    progress = await reencrypt(database, both, only_plain=True)

    assert progress.rewritten == 1
    assert await key_census(database) == {Keyring.from_text(old).current_id: 1, both.current_id: 1}


async def test_a_key_that_does_not_open_a_value_stops_before_writing(database: Database) -> None:
    old = await _two_rows_old_key_and_plain(database)
    strangers = Keyring.from_text(f"{generate_key()},{generate_key()}")

    with pytest.raises(DataKeyError):
        await reencrypt(database, strangers)
    assert await key_census(database) == {Keyring.from_text(old).current_id: 1, PLAIN: 1}


async def test_a_value_changed_during_a_rotation_is_never_written_over(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = generate_key()
    database.use_keyring(Keyring.from_text(old))
    await _add_checkin(database, "first words", user_id=1)
    await _add_checkin(database, "other words", user_id=2)
    rotating = Keyring.from_text(f"{generate_key()},{old}")
    database.use_keyring(rotating)
    real = database.transaction

    @asynccontextmanager
    async def haven_writes_first() -> AsyncIterator[AsyncConnection]:
        async with real() as conn:  # the running bot edits the note between the read and the write-back
            await conn.execute(
                update(schema.checkins).where(schema.checkins.c.user_id == 1).values(note="edited meanwhile")
            )
        async with real() as conn:
            yield conn

    monkeypatch.setattr(database, "transaction", haven_writes_first)
    await reencrypt(database, rotating)

    async with database.read() as conn:
        rows = dict((await conn.execute(select(schema.checkins.c.user_id, schema.checkins.c.note))).all())
    assert rows == {1: "edited meanwhile", 2: "other words"}
    assert await key_census(database) == {rotating.current_id: 2}


def test_no_query_filters_on_an_encrypted_column() -> None:
    """Encrypted values differ every time, so ``==``, ``LIKE`` or ``IN`` on them would silently match nothing."""
    import re

    names = "|".join(sorted({column for _, column in encrypted_columns()}))
    compared = re.compile(
        rf"""(\.c\.|\b[A-Z]{{1,2}}\.|\.c\[["'])({names})["'\]]*\s*(==|!=|<|>|\.(i?like|in_|contains|startswith|endswith)\()"""
    )
    storage = Path(__file__).resolve().parents[2] / "bot" / "storage"
    found = [
        f"{path.name}: {line.strip()}"
        for path in storage.glob("*.py")
        for line in path.read_text().splitlines()
        if compared.search(line)
    ]
    assert found == []
