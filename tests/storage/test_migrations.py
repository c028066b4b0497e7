"""Migrations on both engines: from empty, atomic on failure, and no running on a newer database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy import inspect, text

from bot.errors import DatabaseTooNew
from bot.storage import migrate
from bot.storage.engine import Database


async def _tables(db: Database) -> set[str]:
    async with db.read() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_migrations_apply_from_empty(db_url: str) -> None:
    db = await Database.open(db_url, connect_timeout=5)
    try:
        before = await migrate.migration_state(db)
        assert before.current is None
        assert before.pending[0] == "0001"

        after = await migrate.upgrade(db)

        assert after.current == migrate.head_revision()
        assert after.up_to_date
        assert {"guild_settings", "bot_state", "alembic_version"} <= await _tables(db)
    finally:
        await db.close()


async def test_upgrading_twice_changes_nothing(database: Database) -> None:
    state = await migrate.upgrade(database)

    assert state.up_to_date


BROKEN_MIGRATION = '''
"""A migration that fails halfway (test only)."""
import sqlalchemy as sa
from alembic import op

revision = "9999_broken"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("guild_settings", sa.Column("half_column", sa.Integer(), nullable=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade() -> None:
    pass
'''


@pytest.fixture
def broken_cfg(tmp_path: Path) -> Config:
    """Haven's migrations plus one that fails halfway."""
    extra = tmp_path / "versions"
    extra.mkdir()
    (extra / "9999_broken.py").write_text(BROKEN_MIGRATION.replace("{head}", migrate.head_revision()))
    return migrate.alembic_config(extra_version_locations=[extra])


async def test_failing_migration_leaves_previous_revision_intact(db_url: str, broken_cfg: Config) -> None:
    db = await Database.open(db_url, connect_timeout=5)
    try:
        await migrate.upgrade(db)  # the real migrations

        with pytest.raises(Exception, match="no_such_table"):
            await migrate.upgrade(db, cfg=broken_cfg)

        assert await migrate.current_revision(db) == migrate.head_revision()
        assert "half_done" not in await _tables(db)
        async with db.read() as conn:
            columns = await conn.run_sync(
                lambda s: [c["name"] for c in inspect(s).get_columns("guild_settings")]
            )
        assert "half_column" not in columns
    finally:
        await db.close()


async def test_failing_first_migration_leaves_an_empty_database(db_url: str, broken_cfg: Config) -> None:
    db = await Database.open(db_url, connect_timeout=5)
    try:
        with pytest.raises(Exception, match="no_such_table"):
            await migrate.upgrade(db, cfg=broken_cfg)  # 0001 and the broken one in one transaction

        assert await migrate.current_revision(db) is None
        assert not ({"guild_settings", "half_done"} & await _tables(db))
    finally:
        await db.close()


async def test_database_newer_than_the_code_is_refused(database: Database) -> None:
    async with database.transaction() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))

    state = await migrate.migration_state(database)
    assert state.too_new
    with pytest.raises(DatabaseTooNew, match="newer Haven"):
        await migrate.ensure_not_newer(database)
    with pytest.raises(DatabaseTooNew):
        await migrate.upgrade(database)


def test_migrations_match_the_schema_module() -> None:
    """Every table in bot/storage/schema/ is created by some migration (autogenerate finds no diff)."""
    import asyncio

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from bot.storage.schema import metadata

    async def diff(tmp: Path) -> list[object]:
        db = await Database.open(f"sqlite+aiosqlite:///{tmp}", connect_timeout=5)
        try:
            await migrate.upgrade(db)
            async with db.read() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                )
        finally:
            await db.close()

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        assert asyncio.run(diff(Path(tmp) / "schema.db")) == []
