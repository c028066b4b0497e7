"""Repository for small facts the bot keeps about itself (key and value)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import bot_state


class BotStateRepository:
    """Reads and writes ``bot_state`` rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """The value stored under ``key``, or ``None``."""
        async with self._db.read() as conn:
            return (await conn.execute(select(bot_state.c.value).where(bot_state.c.key == key))).scalar()

    async def set(self, key: str, value: str, now: datetime) -> None:
        """Store ``value`` under ``key``."""
        async with self._db.transaction() as conn:
            await upsert(conn, bot_state, {"key": key, "value": value, "updated_at": now}, keys=("key",))
