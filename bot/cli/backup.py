"""``python -m bot backup``, ``restore`` and ``copy-database``: keeping Haven's data safe and moving it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK
from bot.cli.lock import InstanceLock, held_elsewhere, lock_path, var_dir
from bot.config import Settings, parse_database_url
from bot.errors import BackupError, ConfigError
from bot.storage.backup import (
    PgCommand,
    backup_sqlite_file,
    pg_dump_command,
    pg_restore_command,
    restore_sqlite_file,
    run_pg_command,
    timestamp,
    unused_path,
)
from bot.storage.copy import copy_database
from bot.storage.crypto import Passthrough
from bot.storage.engine import Database, safe_url, sqlite_path

ALSO_BACK_UP = (
    "Keep it together with a copy of everything else under var/, but back up the data key (DATA_KEY or "
    "var/data.key) apart from it: without the key the members' text in it can't be read."
)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _destination(given: str | None, suffix: str) -> Path | None:
    """Where the backup goes: PATH, a new file in the folder PATH, or ``var/backups/haven-<time>``."""
    name = f"haven-{timestamp()}{suffix}"
    if not given:
        return unused_path(var_dir() / "backups" / name)
    path = Path(given).expanduser()
    if path.is_dir():
        return unused_path(path / name)
    if path.exists():
        _say(f"{path} already exists. Choose a new file name, or a folder to put the backup in.")
        return None
    return path


def _explain_pg(command: PgCommand, what: str) -> None:
    _say(
        f"{command.argv[0]} isn't installed here, so Haven can't {what} itself. Install the PostgreSQL client "
        f"tools of your server's version (package postgresql-client), or run this where they are:\n"
        f"  {command.shell()}\n"
        "(it asks for the password, or reads it from PGPASSWORD or ~/.pgpass)."
    )


async def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Make a consistent copy of the database while Haven may be running."""
    source = sqlite_path(settings.database_url)
    destination = _destination(args.path, ".db" if source is not None else ".dump")
    if destination is None:
        return EXIT_CONFIG
    if source is None:
        command = pg_dump_command(settings.database_url, destination)
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(run_pg_command, command)
        except FileNotFoundError:
            _explain_pg(command, "make the dump")
            return EXIT_FAILED
        except (BackupError, OSError) as exc:
            _say(f"The backup failed: {exc}")
            return EXIT_FAILED
        print(f"Backed up the database with pg_dump to {destination}. {ALSO_BACK_UP}")
        return EXIT_OK
    if not source.is_file():
        _say(f"There is no database at {source} yet, so there is nothing to back up.")
        return EXIT_FAILED
    try:
        await asyncio.to_thread(backup_sqlite_file, source, destination)
    except BackupError as exc:
        _say(f"The backup failed: {exc}")
        return EXIT_FAILED
    print(f"Backed up the database to {destination}. {ALSO_BACK_UP}")
    return EXIT_OK


async def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    """Replace the SQLite database with a backup, when Haven isn't running; the current one is kept first."""
    source = Path(args.path)
    target = sqlite_path(settings.database_url)
    if target is None:
        command = pg_restore_command(settings.database_url, source)
        _say(
            "`restore` handles SQLite databases. For PostgreSQL, stop Haven, then restore a pg_dump file with:\n"
            f"  {command.shell()}\n"
            "(it asks for the password, or reads it from PGPASSWORD or ~/.pgpass)."
        )
        return EXIT_CONFIG
    lock = InstanceLock(lock_path())
    if not lock.acquire():
        _say(
            f"Haven is running from this folder ({lock_path()} is held), so the database can't be replaced. "
            "Stop it first (for example `systemctl stop haven` or `docker compose stop haven`), then restore."
        )
        return EXIT_FAILED
    try:
        restored = await asyncio.to_thread(restore_sqlite_file, source, target, var_dir() / "backups")
    except BackupError as exc:
        _say(f"Nothing was changed: {exc}")
        return EXIT_CONFIG
    finally:
        lock.release()
    kept = f" The database it replaced is kept at {restored.kept_previous}." if restored.kept_previous else ""
    print(
        f"Restored {source} (revision {restored.revision}) to {target}.{kept} "
        "Start Haven as usual; it brings an older backup up to date."
    )
    return EXIT_OK


async def cmd_copy_database(settings: Settings, args: argparse.Namespace) -> int:
    """Copy every table from FROM_URL to the empty database TO_URL."""
    try:
        source_url = parse_database_url(args.from_url, Path.cwd())
        target_url = parse_database_url(args.to_url, Path.cwd())
    except ConfigError as exc:
        _say("\n".join(exc.problems))
        return EXIT_CONFIG
    source_file = sqlite_path(source_url)
    if source_file is not None and not source_file.is_file():
        _say(f"There is no database at {source_file}.")
        return EXIT_CONFIG
    if held_elsewhere(lock_path()):
        _say(
            f"Haven is running from this folder ({lock_path()} is held). Stop it first: anything it wrote "
            "after the copy would not be in the new database."
        )
        return EXIT_FAILED
    timeout = settings.database_connect_timeout
    source = await Database.open(source_url, connect_timeout=timeout)
    source.use_keyring(Passthrough())  # encrypted text is copied as it is stored: the same key opens it
    try:
        target = await Database.open(target_url, connect_timeout=timeout)
        target.use_keyring(Passthrough())
        try:
            counts = await copy_database(source, target, source_url=source_url)
        finally:
            await target.close()
    except BackupError as exc:
        _say(f"Nothing was copied: {exc}")
        return EXIT_FAILED
    finally:
        await source.close()
    print(
        f"Copied {sum(counts.values())} rows in {len(counts)} tables from {safe_url(source_url)} to "
        f"{safe_url(target_url)}. Set DATABASE_URL to the new database and start Haven (with the same data key)."
    )
    return EXIT_OK
