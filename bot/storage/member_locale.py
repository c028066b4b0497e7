"""Repository for the language of each member's Discord app (``member_locale``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import member_locale


class MemberLocaleRepository:
    """Reads and writes ``member_locale`` rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> str | None:
        """The locale last seen for ``user_id``, or ``None``."""
        async with self._db.read() as conn:
            query = select(member_locale.c.locale).where(member_locale.c.user_id == user_id)
            return (await conn.execute(query)).scalar()

    async def set(self, user_id: int, locale: str, now: datetime) -> None:
        """Store ``locale`` for ``user_id``."""
        async with self._db.transaction() as conn:
            row = {"user_id": user_id, "locale": locale, "updated_at": now}
            await upsert(conn, member_locale, row, keys=("user_id",))

    async def delete(self, user_id: int) -> bool:
        """Forget the locale of ``user_id``; whether there was one."""
        async with self._db.transaction() as conn:
            result = await conn.execute(delete(member_locale).where(member_locale.c.user_id == user_id))
            return result.rowcount > 0
