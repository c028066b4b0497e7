"""Backups and restores: SQLite through its online backup API, PostgreSQL through ``pg_dump``.

An SQLite database in WAL mode can't be copied as a file while Haven runs (the newest writes sit in the ``-wal``
file); the online backup API makes a consistent copy at any time. Backups are single files (journal mode DELETE),
readable only by their owner, since they hold members' data.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from bot.errors import BackupError
from bot.storage import migrate
from bot.storage.engine import Database, sqlite_path

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
PRE_MIGRATION_PREFIX = "pre-migration-"
PRE_RESTORE_PREFIX = "pre-restore-"
KEEP_PRE_MIGRATION = 3
# A table every Haven database has had since its first revision.
HAVEN_MARKER_TABLE = "guild_settings"


def timestamp(now: datetime | None = None) -> str:
    """A sortable UTC timestamp for backup file names."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d-%H%M%S")


def unused_path(path: Path) -> Path:
    """``path``, or the same name with ``-2``, ``-3``… when it is taken."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _private_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"Can't create the folder {folder}: {exc.strerror}.") from exc


def backup_sqlite_file(source: Path, destination: Path) -> None:
    """Copy the SQLite database ``source`` to ``destination`` consistently, even while Haven writes to it.

    The copy is written next to its destination first and renamed when complete, so a failure never leaves a
    half-written backup under the final name.

    Raises:
        BackupError: the source is missing or not a database, or the destination can't be written.
    """
    if not source.is_file():
        raise BackupError(f"There is no database file at {source}.")
    _private_folder(destination.parent)
    partial = destination.with_name(destination.name + ".part")
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(partial)
            try:
                os.chmod(partial, 0o600)
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                (verdict,) = dst.execute("PRAGMA quick_check").fetchone()
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise BackupError(
                f"The copy of {source} failed SQLite's integrity check; the database may be damaged."
            )
        os.replace(partial, destination)
    except sqlite3.Error as exc:
        raise BackupError(f"Can't copy the database {source}: {exc}.") from exc
    except OSError as exc:
        raise BackupError(f"Can't write the backup {destination}: {exc.strerror}.") from exc
    finally:
        partial.unlink(missing_ok=True)


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def haven_revision(path: Path) -> str:
    """The migration revision of the Haven SQLite database in ``path``.

    Raises:
        BackupError: the file is missing, not an SQLite database, damaged, not Haven's, or from a newer Haven.
    """
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    try:
        with path.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise BackupError(f"Can't read {path}: {exc.strerror}.") from exc
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not an SQLite database, so it can't be a Haven backup.")
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            (verdict,) = conn.execute("PRAGMA quick_check").fetchone()
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in names
                else None
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} can't be read as an SQLite database: {exc}.") from exc
    if verdict != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: it is damaged.")
    if row is None or HAVEN_MARKER_TABLE not in names:
        raise BackupError(f"{path} is an SQLite database, but not one of Haven's.")
    revision = str(row[0])
    if revision not in _known_revisions():
        raise BackupError(
            f"{path} was written by a newer Haven (revision {revision}, which this version doesn't know). "
            "Restore it with that version."
        )
    return revision


@dataclass(frozen=True)
class Restored:
    """What a restore did: the revision restored, and where the replaced database was kept."""

    revision: str
    kept_previous: Path | None


def restore_sqlite_file(source: Path, target: Path, keep_dir: Path, now: datetime | None = None) -> Restored:
    """Replace the database ``target`` with the Haven backup ``source``, keeping a copy of ``target`` first.

    Haven must not be running (the caller checks its lock). The source is checked before anything changes.

    Raises:
        BackupError: the source isn't a usable Haven backup, or a file can't be written.
    """
    revision = haven_revision(source)
    if source.resolve() == target.resolve():
        raise BackupError(f"{source} is the database itself; choose a backup file.")
    kept: Path | None = None
    if target.exists():
        kept = unused_path(keep_dir / f"{PRE_RESTORE_PREFIX}{timestamp(now)}.db")
        try:
            backup_sqlite_file(target, kept)
        except BackupError:  # a damaged database can't be read by SQLite: keep its files as they are
            _private_folder(keep_dir)
            for suffix in ("", "-wal"):
                if Path(f"{target}{suffix}").exists():
                    shutil.copy2(f"{target}{suffix}", f"{kept}{suffix}")
    staged = target.with_name(target.name + ".restoring")
    try:
        backup_sqlite_file(source, staged)
        for suffix in (
            "-wal",
            "-shm",
        ):  # a stale log from the old database must never be replayed on the new one
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
    except OSError as exc:
        raise BackupError(f"Can't replace the database {target}: {exc.strerror}.") from exc
    finally:
        staged.unlink(missing_ok=True)
    return Restored(revision, kept)


def prune_backups(folder: Path, prefix: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups named ``prefix…`` in ``folder``; returns what was deleted."""
    found = sorted(folder.glob(f"{prefix}*.db"), key=lambda p: (p.stat().st_mtime, p.name))
    doomed = found[:-keep] if keep > 0 else found
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


async def backup_before_migration(
    db: Database, *, keep: int = KEEP_PRE_MIGRATION, now: datetime | None = None
) -> Path | None:
    """Back up an existing SQLite database that has migrations pending; keep the newest ``keep`` such backups.

    Returns the backup's path, or ``None`` when there was nothing to do (PostgreSQL, a new database, up to date).
    The backups go to ``backups/`` next to the database file (``var/backups/`` by default).
    """
    path = sqlite_path(str(db.engine.url))
    if db.dialect != "sqlite" or path is None:
        return None
    state = await migrate.migration_state(db)
    if not state.pending or state.current is None or state.too_new:
        return None
    destination = unused_path(
        path.parent / "backups" / f"{PRE_MIGRATION_PREFIX}{timestamp(now)}-{state.current}.db"
    )
    await asyncio.to_thread(backup_sqlite_file, path, destination)
    await asyncio.to_thread(prune_backups, destination.parent, PRE_MIGRATION_PREFIX, keep)
    log.info(
        "Backed up the database to %s before migrating it from revision %s to %s (the last %d such backups are kept)",
        destination,
        state.current,
        state.head,
        keep,
    )
    return destination


@dataclass(frozen=True)
class PgCommand:
    """A PostgreSQL client command: its arguments (no password in them) and the environment it needs."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict[str, str])

    def shell(self) -> str:
        """The command as an operator types it (the password, if any, comes from PGPASSWORD or ~/.pgpass)."""
        return shlex.join(self.argv)


def _libpq_url(url: str) -> tuple[str, str | None]:
    parsed = make_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    password = parsed.password
    return plain.render_as_string(hide_password=False), None if password is None else str(password)


def pg_dump_command(url: str, destination: Path) -> PgCommand:
    """``pg_dump`` in its custom format (restorable with ``pg_restore``) for the database at ``url``."""
    dsn, password = _libpq_url(url)
    argv = ["pg_dump", "--format=custom", "--no-owner", f"--file={destination}", f"--dbname={dsn}"]
    return PgCommand(argv, {"PGPASSWORD": password} if password else {})


def pg_restore_command(url: str, source: Path) -> PgCommand:
    """``pg_restore`` of a custom-format dump into the database at ``url``, replacing what is there."""
    dsn, password = _libpq_url(url)
    argv = ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={dsn}", str(source)]
    return PgCommand(argv, {"PGPASSWORD": password} if password else {})


def run_pg_command(command: PgCommand, *, which: Callable[[str], str | None] = shutil.which) -> None:
    """Run a PostgreSQL client command.

    Raises:
        FileNotFoundError: the program isn't installed here.
        BackupError: it ran and failed (its first line of errors is in the message).
    """
    program = which(command.argv[0])
    if program is None:
        raise FileNotFoundError(command.argv[0])
    result = subprocess.run(  # noqa: S603 - a fixed tool (pg_dump/psql) with argv, no shell
        [program, *command.argv[1:]],
        env={**os.environ, **command.env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[0]
        raise BackupError(f"{command.argv[0]} failed: {first}")
