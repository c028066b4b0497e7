"""One portable upsert for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection


async def upsert(conn: AsyncConnection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert ``values`` into ``table``, or update the row with the same ``keys``."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(**values)
    updates = {name: stmt.excluded[name] for name in values if name not in keys}
    await conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates))
