"""Run Alembic migrations on an open ``Database``, atomically, on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.errors import DatabaseTooNew
from bot.storage.engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class MigrationState:
    """Where the database stands against the code's migrations."""

    current: str | None
    head: str
    pending: tuple[str, ...]
    too_new: bool

    @property
    def up_to_date(self) -> bool:
        """Whether nothing is pending and the database isn't ahead of the code."""
        return not self.pending and not self.too_new


def alembic_config(extra_version_locations: Sequence[Path] = ()) -> Config:
    """The Alembic configuration for Haven's migrations (no ini file needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [MIGRATIONS_DIR / "versions", *extra_version_locations]
    cfg.set_main_option("version_locations", " ".join(str(p) for p in locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


@functools.cache
def _shipped_script() -> ScriptDirectory:
    """Haven's own migrations, read once per process (they don't change while it runs)."""
    return ScriptDirectory.from_config(alembic_config())


def _script(cfg: Config | None) -> ScriptDirectory:
    return _shipped_script() if cfg is None else ScriptDirectory.from_config(cfg)


def head_revision(cfg: Config | None = None) -> str:
    """The newest revision this code knows."""
    head = _script(cfg).get_current_head()
    assert head is not None
    return head


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or ``None`` when it has never been migrated."""

    def _current(sync_conn: Any) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with db.read() as conn:
        return await conn.run_sync(_current)


async def migration_state(db: Database, cfg: Config | None = None) -> MigrationState:
    """Compare the database's revision with the code's."""
    script = _script(cfg)
    head = script.get_current_head()
    assert head is not None
    current = await current_revision(db)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        return MigrationState(current, head, (), too_new=True)
    pending = [rev.revision for rev in script.iterate_revisions(head, current)]
    return MigrationState(current, head, tuple(reversed(pending)), too_new=False)


async def ensure_not_newer(db: Database, cfg: Config | None = None) -> MigrationState:
    """Raise ``DatabaseTooNew`` when the database was migrated by a newer Haven."""
    state = await migration_state(db, cfg)
    if state.too_new:
        raise DatabaseTooNew(
            f"The database is at revision {state.current}, which this version of Haven doesn't know "
            f"(its newest is {state.head}). It was upgraded by a newer Haven: run that version, "
            "or restore a backup made before the upgrade."
        )
    return state


async def upgrade(db: Database, target: str = "head", cfg: Config | None = None) -> MigrationState:
    """Upgrade to ``target`` in one transaction; a failure leaves the previous revision intact."""
    state = await ensure_not_newer(db, cfg)
    if target == "head" and state.current is not None and not state.pending:
        return state  # already there: nothing to run
    cfg = cfg or alembic_config()

    def _upgrade(sync_conn: Any) -> None:
        cfg.attributes["connection"] = sync_conn
        try:
            command.upgrade(cfg, target)
        finally:
            cfg.attributes.pop("connection", None)

    async with db.transaction() as conn:
        await conn.run_sync(_upgrade)
    return await migration_state(db, cfg)
