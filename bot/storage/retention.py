"""Retention: each server's periods, clearing check-in notes and deleting buddy reports past them, and members who
left a server (their check-ins there go after a grace period unless they rejoin)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.member_data import delete_checkins
from bot.storage.schema import buddy_reports, checkins, crisis_alerts, guild_settings, member_departures

G = guild_settings.c
C = checkins.c
R = buddy_reports.c
D = member_departures.c
COLUMNS = {"notes": "note_retention_days", "reports": "report_retention_days"}
REPORT_KINDS = (
    "worried",
    "report",
)  # "let my buddy know" records have their own two days (storage/buddies.py)


class RetentionRepository:
    """Per-server periods for notes and reports, the purge per kind, and departures."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def periods(self, guild_id: int) -> dict[str, int] | None:
        """The server's note and report periods in days, or None when it has no settings row (defaults apply)."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(G.note_retention_days, G.report_retention_days).where(G.guild_id == guild_id)
                )
            ).first()
        if row is None:
            return None
        return {"notes": row.note_retention_days, "reports": row.report_retention_days}

    async def set_period(self, guild_id: int, kind: str, days: int, now: datetime) -> None:
        """Save one period (``notes`` or ``reports``); the server's other settings stay."""
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                guild_settings,
                {"guild_id": guild_id, COLUMNS[kind]: days, "updated_at": now},
                keys=("guild_id",),
            )

    # --- check-in notes: the note is cleared, the mood and tags stay

    async def servers_with_notes(self, before: datetime) -> list[int]:
        """Servers holding notes written before ``before``."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(C.guild_id).where(C.created_at < before, C.note.is_not(None)).distinct()
            )
            return [int(r[0]) for r in rows]

    async def clear_notes(self, guild_id: int, before: datetime) -> int:
        """Clear the notes of one server's check-ins made before ``before``. Returns how many."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(checkins)
                .where(C.guild_id == guild_id, C.created_at < before, C.note.is_not(None))
                .values(note=None)
            )
            return result.rowcount or 0

    # --- buddy worries and reports: the row goes

    async def servers_with_reports(self, before: datetime) -> list[int]:
        """Servers holding worries or reports made before ``before``."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(R.guild_id).where(R.created_at < before, R.kind.in_(REPORT_KINDS)).distinct()
            )
            return [int(r[0]) for r in rows]

    async def delete_reports(self, guild_id: int, before: datetime) -> int:
        """Delete one server's worries and reports made before ``before``, and clear the words a report put in its
        alert's "what matched" (the alert's card is edited without them). Returns how many reports went."""
        old = (R.guild_id == guild_id, R.created_at < before, R.kind.in_(REPORT_KINDS))
        async with self._db.transaction() as conn:
            alerts = select(R.alert_id).where(*old, R.kind == "report", R.alert_id.is_not(None))
            await conn.execute(
                update(crisis_alerts)
                .where(crisis_alerts.c.guild_id == guild_id, crisis_alerts.c.id.in_(alerts.scalar_subquery()))
                .values(matched="", card_dirty=True)
            )
            result = await conn.execute(delete(buddy_reports).where(*old))
            return result.rowcount or 0

    # --- members who left

    async def member_left(self, guild_id: int, user_id: int, now: datetime, purge_after: datetime) -> None:
        """Note that a member left; an earlier note (and its date) stays as it is."""
        async with self._db.transaction() as conn:
            known = (
                await conn.execute(select(D.user_id).where(D.guild_id == guild_id, D.user_id == user_id))
            ).first()
            if known is None:
                values = {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "left_at": now,
                    "purge_after": purge_after,
                }
                await upsert(conn, member_departures, values, keys=("guild_id", "user_id"))

    async def member_back(self, guild_id: int, user_id: int) -> bool:
        """The member rejoined: nothing will be deleted. True if a deletion was waiting."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                delete(member_departures).where(D.guild_id == guild_id, D.user_id == user_id)
            )
            return bool(result.rowcount)

    async def departure(self, guild_id: int, user_id: int) -> datetime | None:
        """When the member's check-ins in the server will be deleted, if they left it."""
        async with self._db.read() as conn:
            query = select(D.purge_after).where(D.guild_id == guild_id, D.user_id == user_id)
            return (await conn.execute(query)).scalar()

    async def due_departures(self, now: datetime, limit: int = 500) -> list[tuple[int, int]]:
        """``(guild_id, user_id)`` of members whose grace period is over."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(D.guild_id, D.user_id).where(D.purge_after <= now).order_by(D.purge_after).limit(limit)
            )
            return [(int(r.guild_id), int(r.user_id)) for r in rows]

    async def purge_departed(self, guild_id: int, user_id: int) -> int:
        """Delete the member's check-ins, notes, schedule and follow-up choice in one server, and the departure
        note (all or nothing). Returns how many check-ins went."""
        async with self._db.transaction() as conn:
            count = await delete_checkins(conn, user_id, [guild_id])
            await conn.execute(delete(member_departures).where(D.guild_id == guild_id, D.user_id == user_id))
            return count

    async def scrub(self) -> None:
        """Make what was deleted or cleared unreadable in the database files too (the WAL checkpoint)."""
        await self._db.scrub_deleted()
