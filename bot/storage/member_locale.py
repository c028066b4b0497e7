"""Repository for the language of each member's Discord app (``member_locale``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select

from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import member_locale

# Ids per IN (...) query, well under every engine's limit on bound parameters.
CHUNK = 500


class MemberLocaleRepository:
    """Reads and writes ``member_locale`` rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> str | None:
        """The locale last seen for ``user_id``, or ``None``."""
        async with self._db.read() as conn:
            query = select(member_locale.c.locale).where(member_locale.c.user_id == user_id)
            return (await conn.execute(query)).scalar()

    async def get_many(self, user_ids: Sequence[int]) -> dict[int, str]:
        """The locales known for any of ``user_ids`` (members without one are left out)."""
        found: dict[int, str] = {}
        async with self._db.read() as conn:
            for start in range(0, len(user_ids), CHUNK):
                chunk = list(user_ids[start : start + CHUNK])
                query = select(member_locale.c.user_id, member_locale.c.locale).where(
                    member_locale.c.user_id.in_(chunk)
                )
                found.update({int(row.user_id): str(row.locale) for row in await conn.execute(query)})
        return found

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
