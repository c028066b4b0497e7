"""Repository for the resources feature: remembered countries, server-local resources, correction reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from bot.domain.resources import LocalDraft, LocalResource, Topic
from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import local_resources, member_country, resource_reports


class ResourcesRepository:
    """Reads and writes the resources tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- a member's remembered country

    async def saved_country(self, user_id: int) -> str | None:
        """The country code ``user_id`` asked Haven to remember, or ``None``."""
        async with self._db.read() as conn:
            return (
                await conn.execute(
                    select(member_country.c.country_code).where(member_country.c.user_id == user_id)
                )
            ).scalar()

    async def save_country(self, user_id: int, code: str, now: datetime) -> None:
        """Remember ``code`` for ``user_id``."""
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                member_country,
                {"user_id": user_id, "country_code": code, "updated_at": now},
                keys=("user_id",),
            )

    async def forget_country(self, user_id: int) -> bool:
        """Forget ``user_id``'s country. Returns whether one was saved."""
        async with self._db.transaction() as conn:
            result = await conn.execute(delete(member_country).where(member_country.c.user_id == user_id))
            return result.rowcount > 0

    # --- server-local resources

    async def local_resources(self, guild_id: int) -> list[LocalResource]:
        """Every local resource of ``guild_id``, oldest first."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(local_resources)
                .where(local_resources.c.guild_id == guild_id)
                .order_by(local_resources.c.id)
            )
            return [_local(row) for row in rows.mappings()]

    async def count_local(self, guild_id: int) -> int:
        """How many local resources ``guild_id`` has."""
        async with self._db.read() as conn:
            return (
                await conn.execute(
                    select(func.count())
                    .select_from(local_resources)
                    .where(local_resources.c.guild_id == guild_id)
                )
            ).scalar_one()

    async def add_local(
        self, guild_id: int, draft: LocalDraft, created_by: int, now: datetime
    ) -> LocalResource:
        """Store a new local resource for ``guild_id``."""
        values = _draft_values(draft)
        async with self._db.transaction() as conn:
            result = await conn.execute(
                insert(local_resources)
                .values(guild_id=guild_id, created_by=created_by, created_at=now, updated_at=now, **values)
                .returning(local_resources.c.id)
            )
            new_id = result.scalar_one()
        return LocalResource(id=new_id, guild_id=guild_id, **_draft_fields(draft))

    async def update_local(self, guild_id: int, entry_id: int, draft: LocalDraft, now: datetime) -> bool:
        """Replace an entry's fields; only within ``guild_id``. Returns whether it existed."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(local_resources)
                .where(local_resources.c.id == entry_id, local_resources.c.guild_id == guild_id)
                .values(updated_at=now, **_draft_values(draft))
            )
            return result.rowcount > 0

    async def remove_local(self, guild_id: int, entry_id: int) -> bool:
        """Delete an entry; only within ``guild_id``. Returns whether it existed."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                delete(local_resources).where(
                    local_resources.c.id == entry_id, local_resources.c.guild_id == guild_id
                )
            )
            return result.rowcount > 0

    # --- correction reports

    async def add_report(
        self,
        guild_id: int | None,
        country_code: str | None,
        topic: Topic,
        line_ids: Sequence[str],
        text: str,
        now: datetime,
    ) -> int:
        """Store a correction report; returns its number."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                insert(resource_reports)
                .values(
                    guild_id=guild_id,
                    country_code=country_code,
                    topic=topic.value,
                    line_ids=",".join(line_ids),
                    text=text,
                    created_at=now,
                )
                .returning(resource_reports.c.id)
            )
            return result.scalar_one()

    async def reports(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest correction reports, for operators (``python -m bot reports``)."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(resource_reports).order_by(resource_reports.c.id.desc()).limit(limit)
            )
            return [dict(row) for row in rows.mappings()]


def _draft_fields(draft: LocalDraft) -> dict[str, Any]:
    return {
        "name": draft.name,
        "description": draft.description,
        "phone": draft.phone,
        "url": draft.url,
        "topic": draft.topic,
    }


def _draft_values(draft: LocalDraft) -> dict[str, Any]:
    values = _draft_fields(draft)
    values["topic"] = draft.topic.value if draft.topic else None
    return values


def _local(row: Any) -> LocalResource:
    return LocalResource(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        description=row["description"],
        phone=row["phone"],
        url=row["url"],
        topic=Topic(row["topic"]) if row["topic"] else None,
    )
