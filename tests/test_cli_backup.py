"""``python -m bot backup``, ``restore``, ``copy-database`` and the running-instance lock, as an operator runs them.

Few subprocesses (each costs a Python start-up): the behaviour itself is tested in tests/test_backup.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.cli import COMMANDS, parse_args
from bot.cli.lock import LOCK_FILE, InstanceLock, held_elsewhere
from bot.config import Settings
from bot.storage import migrate
from bot.storage.engine import Database
from bot.storage.schema import guild_settings
from tests.test_cli import TOKEN, assert_no_traceback, run_cli

WHEN = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


async def make_database(path: Path, guild_ids: list[int]) -> None:
    db = await Database.open(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(db)
        if guild_ids:
            async with db.transaction() as conn:
                await conn.execute(
                    insert(guild_settings), [{"guild_id": g, "updated_at": WHEN} for g in guild_ids]
                )
    finally:
        await db.close()


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def settings_here(cwd: Path) -> Settings:
    return Settings.from_env({}, base_dir=cwd, require_token=False)


async def in_process(cwd: Path, *argv: str) -> int:
    """A backup command called in this process (cheap), with ``cwd`` as the folder Haven runs in."""
    args = parse_args(argv)
    return await COMMANDS[args.command](settings_here(cwd), args)


async def test_backup_then_restore_and_the_refusals_on_the_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_database(tmp_path / "var" / "haven.db", [1])

    made = run_cli(tmp_path, "backup")
    assert made.returncode == 0, made.stderr
    (backup,) = _files(tmp_path / "var" / "backups")
    assert backup.name.startswith("haven-") and str(backup.name) in made.stdout
    assert "var/" in made.stdout  # reminds to keep the rest of var/ too

    monkeypatch.chdir(tmp_path)
    assert await in_process(tmp_path, "backup", str(backup)) == 2
    assert "already exists" in capsys.readouterr().err
    _write(tmp_path / "notes.txt", "not a database")
    for bad in ("notes.txt", "missing.db"):
        assert await in_process(tmp_path, "restore", bad) == 2
        assert "Nothing was changed" in capsys.readouterr().err
    with InstanceLock(tmp_path / "var" / LOCK_FILE) as lock:
        assert lock.acquire()
        assert await in_process(tmp_path, "restore", str(backup)) == 1
    assert "Haven is running" in capsys.readouterr().err

    restored = run_cli(tmp_path, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    kept = [p for p in _files(tmp_path / "var" / "backups") if p.name.startswith("pre-restore-")]
    assert len(kept) == 1 and str(kept[0]) in restored.stdout


async def test_copy_database_refusals_and_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_database(tmp_path / "source.db", [1, 2])
    await make_database(tmp_path / "target.db", [3])
    monkeypatch.chdir(tmp_path)

    assert await in_process(tmp_path, "copy-database", "sqlite:///source.db", "sqlite:///target.db") == 1
    assert "already holds data" in capsys.readouterr().err
    assert await in_process(tmp_path, "copy-database", "mysql://x/y", "sqlite:///new.db") == 2
    assert "sqlite:// or postgresql://" in capsys.readouterr().err
    assert await in_process(tmp_path, "copy-database", "sqlite:///nothing.db", "sqlite:///new.db") == 2
    assert "There is no database" in capsys.readouterr().err

    unreachable = run_cli(
        tmp_path,
        "copy-database",
        "sqlite:///source.db",
        "postgresql://haven:s3cret@127.0.0.1:1/haven",
        env={"DATABASE_CONNECT_TIMEOUT": "0"},
    )
    assert unreachable.returncode == 1
    assert_no_traceback(unreachable)
    assert "Can't reach the database" in unreachable.stderr and "s3cret" not in unreachable.stderr

    copied = run_cli(tmp_path, "copy-database", "sqlite:///source.db", "sqlite:///new.db")
    assert copied.returncode == 0, copied.stderr
    assert "Copied 2 rows" in copied.stdout


def _write(path: Path, content: str) -> None:
    path.write_text(content)


def test_run_refuses_to_start_twice_from_one_folder(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={TOKEN}\n")
    with InstanceLock(tmp_path / "var" / LOCK_FILE) as lock:
        assert lock.acquire()
        assert held_elsewhere(tmp_path / "var" / LOCK_FILE)
        second = run_cli(tmp_path, "run")
    assert not held_elsewhere(tmp_path / "var" / LOCK_FILE)  # released when its holder lets go

    assert second.returncode == 1
    assert_no_traceback(second)
    assert "already running" in second.stderr
    assert TOKEN not in second.stdout + second.stderr
