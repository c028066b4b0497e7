"""Deleted means unreadable: after /checkin delete and /buddy leave, the raw SQLite files hold no trace of the text."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
import simcord

from bot.storage.engine import Database, sqlite_path

# SQLite only: the tests read the database file's raw bytes (PostgreSQL: see docs/PRIVACY.md).
pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def raw_bytes(db_url: str) -> bytes:
    """The database file and its WAL, byte for byte."""
    path = sqlite_path(db_url)
    assert path is not None
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def stored(db_url: str, sql: str) -> bytes:
    """A value as it lies in the file (encrypted at rest, so not the text the member wrote)."""
    path = sqlite_path(db_url)
    assert path is not None
    with sqlite3.connect(path) as conn:
        (value,) = conn.execute(sql).fetchone()
    assert isinstance(value, str) and value
    return value.encode()


async def test_a_deleted_note_and_intro_cannot_be_read_from_the_files(
    env: simcord.Env, database: Database
) -> None:
    db_url = database.engine.url.render_as_string(hide_password=False)
    note = f"note-marker-{uuid.uuid4().hex}"
    intro = f"intro-marker-{uuid.uuid4().hex}"
    guild = env.create_guild("Support Circle")
    general = guild.create_text_channel("general")
    robin = guild.add_member(env.create_user("robin"))

    shown = await robin.slash(general, "checkin now")
    assert shown.response is not None
    saved = await robin.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await robin.click(saved.response.message, label="Add a note")
    await robin.submit_modal(form, {"note": note})
    joined = await robin.slash(general, "buddy join", looking_for="both", timezone="UTC", intro=intro)
    assert joined.response is not None
    await robin.select(joined.response.message, ["Anxiety"])
    stored_note = stored(db_url, "SELECT note FROM checkins WHERE note IS NOT NULL")
    stored_intro = stored(db_url, "SELECT intro FROM buddy_members WHERE intro IS NOT NULL")
    before = raw_bytes(db_url)
    assert stored_note in before and stored_intro in before  # the test reads the right files

    asked = await robin.slash(general, "checkin delete")
    assert asked.response is not None
    done = await robin.click(asked.response.message, label="Delete everything")
    assert done.response is not None and "1 check-in" in done.response.content
    left = await robin.slash(general, "buddy leave")
    assert left.response is not None and left.response.ephemeral

    after = raw_bytes(db_url)
    assert note.encode() not in after and stored_note not in after
    assert intro.encode() not in after and stored_intro not in after


async def test_a_replaced_note_cannot_be_read_from_the_files(env: simcord.Env, database: Database) -> None:
    db_url = database.engine.url.render_as_string(hide_password=False)
    first = f"first-note-{uuid.uuid4().hex}"
    guild = env.create_guild("Support Circle")
    general = guild.create_text_channel("general")
    robin = guild.add_member(env.create_user("robin"))
    shown = await robin.slash(general, "checkin now")
    assert shown.response is not None
    saved = await robin.click(shown.response.message, label="Low")
    assert saved.response is not None
    form = await robin.click(saved.response.message, label="Add a note")
    await robin.submit_modal(form, {"note": first})
    stored_first = stored(db_url, "SELECT note FROM checkins WHERE note IS NOT NULL")
    assert stored_first in raw_bytes(db_url)

    form = await robin.click(saved.response.message, label="Add a note")
    await robin.submit_modal(form, {"note": "   "})  # cleared

    after = raw_bytes(db_url)
    assert first.encode() not in after and stored_first not in after


async def test_secure_delete_is_on_for_every_sqlite_connection(database: Database) -> None:
    async with database.read() as conn:
        assert (await conn.exec_driver_sql("PRAGMA secure_delete")).scalar_one() == 1
