"""Repository for health checks and scrape-time gauges: cheap reads, no member data."""

from __future__ import annotations

from sqlalchemy import func, select, text

from bot.domain.alerts import CardState
from bot.errors import DatabaseError
from bot.storage.engine import Database
from bot.storage.schema import crisis_alerts


class HealthRepository:
    """Answers "is the database there?" and counts what the metrics show."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def ping(self) -> None:
        """A ``SELECT 1``. Raises when the database is closing or doesn't answer."""
        if self._db.closing:
            raise DatabaseError("The database is closed.")
        async with self._db.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def undelivered_alerts(self) -> int:
        """Alerts whose card hasn't reached the alert channel yet (every server)."""
        async with self._db.read() as conn:
            return (
                await conn.execute(
                    select(func.count())
                    .select_from(crisis_alerts)
                    .where(crisis_alerts.c.card_state != CardState.SENT.value)
                )
            ).scalar_one()
