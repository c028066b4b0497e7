"""Copy every table from one Haven database to another (for moving from SQLite to PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, inspect, literal, select, text
from sqlalchemy import table as table_clause
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import BackupError
from bot.storage import migrate
from bot.storage.engine import Database, safe_url
from bot.storage.schema import metadata

BATCH_ROWS = 500


async def _tables_with_rows(db: Database) -> list[str]:
    async with db.read() as conn:
        names: list[str] = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        found: list[str] = []
        for name in sorted(names):
            if name == "alembic_version":
                continue
            row = await conn.execute(select(literal(1)).select_from(table_clause(name)).limit(1))
            if row.first() is not None:
                found.append(name)
        return found


async def check_source(source: Database, source_url: str) -> None:
    """Refuse a source that is empty, or not at this Haven's newest revision.

    Raises:
        BackupError: with what to do about it.
    """
    state = await migrate.migration_state(source)
    if state.too_new:
        raise BackupError(
            f"The source database is at revision {state.current}, which this Haven doesn't know: "
            "copy it with the newer Haven that migrated it."
        )
    if state.current is None:
        raise BackupError("The source database is empty (Haven never ran on it): there is nothing to copy.")
    if state.pending:
        raise BackupError(
            f"The source database is at revision {state.current}, older than this Haven's {state.head}. "
            f"Bring it up to date first: DATABASE_URL='{safe_url(source_url)}' python -m bot migrate"
        )


async def check_target_empty(target: Database) -> None:
    """Refuse a target that holds any data, so that nothing is ever overwritten or mixed.

    Raises:
        BackupError: naming how many tables hold rows.
    """
    filled = await _tables_with_rows(target)
    if filled:
        raise BackupError(
            f"The target database already holds data ({len(filled)} table(s) have rows). Haven copies only "
            "into an empty database, so nothing is overwritten: create a new, empty database and try again."
        )


async def copy_database(source: Database, target: Database, *, source_url: str) -> dict[str, int]:
    """Copy every row of every table from ``source`` to the empty ``target``, in foreign-key order.

    The target is migrated to the newest revision first. The copy is one transaction on the target: a failure
    leaves it without any copied rows. PostgreSQL sequences are moved past the copied IDs.

    Returns:
        The number of rows copied per table.

    Raises:
        BackupError: the source isn't up to date or empty, or the target isn't empty.
    """
    await check_source(source, source_url)
    await check_target_empty(target)
    await migrate.upgrade(target)
    counts: dict[str, int] = {}
    async with source.read() as src, target.transaction() as dst:
        for table in metadata.sorted_tables:
            counts[table.name] = await _copy_table(src, dst, table)
        if target.dialect == "postgresql":
            await _reset_sequences(dst)
    return counts


async def _copy_table(src: AsyncConnection, dst: AsyncConnection, table: Table) -> int:
    copied = 0
    result = await src.stream(select(table).order_by(*table.primary_key.columns))
    async for part in result.mappings().partitions(BATCH_ROWS):
        rows: list[dict[str, Any]] = [dict(row) for row in part]
        try:
            await dst.execute(insert(table), rows)
        except DBAPIError as exc:  # the driver's message may quote the row: name only the table and the kind
            kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
            raise BackupError(
                f"The target refused a row of the table {table.name} ({kind}); nothing was copied. "
                "The source holds a row the target's rules refuse (for example one that refers to a missing row)."
            ) from exc
        copied += len(rows)
    return copied


async def _reset_sequences(dst: AsyncConnection) -> None:
    """After explicit IDs were inserted, the next generated ID must come after the largest one."""
    quote = dst.dialect.identifier_preparer.quote
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        table_name, column_name = quote(table.name), quote(column.name)  # from the schema, quoted
        await dst.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({column_name}), 1), "  # noqa: S608
                f"MAX({column_name}) IS NOT NULL) FROM {table_name}"
            ),
            {"table": table.name, "column": column.name},
        )
