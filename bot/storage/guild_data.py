"""A server's data as a whole: which servers have any, and deleting all of it after Haven is removed.

Every table with a ``guild_id`` column is covered by walking the schema, so a new feature's table is included
without a change here; rows without one (check-in prompts, alert reveals) go with their parent row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, delete, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import guild_removals, metadata

REMOVAL = guild_removals.c


def server_tables() -> list[Table]:
    """Tables with a ``guild_id`` column (the removals list itself aside)."""
    return [t for t in metadata.sorted_tables if "guild_id" in t.c and t is not guild_removals]


def _children(parent: Table) -> list[tuple[Table, str]]:
    """Tables without a server column whose rows belong to a row of ``parent`` (by foreign key)."""
    found: list[tuple[Table, str]] = []
    for table in metadata.sorted_tables:
        if "guild_id" in table.c:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is parent and fk.parent.table is table:
                found.append((table, fk.parent.name))
    return found


async def _purge(conn: AsyncConnection, guild_id: int) -> int:
    count = 0
    for table in reversed(server_tables()):  # dependents first
        for child, column in _children(table):
            parents = select(table.c.id).where(table.c.guild_id == guild_id).scalar_subquery()
            await conn.execute(delete(child).where(child.c[column].in_(parents)))
        result = await conn.execute(delete(table).where(table.c.guild_id == guild_id))
        count += result.rowcount or 0
    await conn.execute(delete(guild_removals).where(REMOVAL.guild_id == guild_id))
    return count


class GuildDataRepository:
    """Servers with data, the removal list, and deleting one server's data."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def servers_with_data(self) -> set[int]:
        """Every server id that any table holds a row for."""
        query = union(*(select(t.c.guild_id).where(t.c.guild_id.is_not(None)) for t in server_tables()))
        async with self._db.read() as conn:
            return {int(row[0]) for row in await conn.execute(query)}

    async def schedule_removal(self, guild_id: int, now: datetime, purge_after: datetime) -> None:
        """Note that Haven left a server; an earlier note (and its date) stays as it is."""
        async with self._db.transaction() as conn:
            known = (await conn.execute(select(REMOVAL.guild_id).where(REMOVAL.guild_id == guild_id))).first()
            if known is None:
                values = {"guild_id": guild_id, "removed_at": now, "purge_after": purge_after}
                await upsert(conn, guild_removals, values, keys=("guild_id",))

    async def cancel_removal(self, guild_id: int) -> bool:
        """Haven is back in the server: nothing will be deleted. True if a removal was waiting."""
        async with self._db.transaction() as conn:
            result = await conn.execute(delete(guild_removals).where(REMOVAL.guild_id == guild_id))
            return bool(result.rowcount)

    async def removal(self, guild_id: int) -> datetime | None:
        """When the server's data will be deleted, if Haven was removed from it."""
        async with self._db.read() as conn:
            return (
                await conn.execute(select(REMOVAL.purge_after).where(REMOVAL.guild_id == guild_id))
            ).scalar()

    async def pending_removals(self) -> list[int]:
        """Every server waiting out its grace period."""
        async with self._db.read() as conn:
            return [int(row[0]) for row in await conn.execute(select(REMOVAL.guild_id))]

    async def due_removals(self, now: datetime) -> list[int]:
        """Servers whose grace period is over."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(REMOVAL.guild_id).where(REMOVAL.purge_after <= now).order_by(REMOVAL.purge_after)
            )
            return [int(row[0]) for row in rows]

    async def purge(self, guild_id: int) -> int:
        """Delete every row of one server (all or nothing). Returns how many rows went."""
        async with self._db.transaction() as conn:
            return await _purge(conn, guild_id)
