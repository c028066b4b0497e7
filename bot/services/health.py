"""Health and scrape-time figures for the HTTP endpoint: no discord, no member data."""

from __future__ import annotations

import asyncio
import logging

from bot.storage.health import HealthRepository

log = logging.getLogger(__name__)
DATABASE_TIMEOUT = 2.0  # seconds a health check waits for SELECT 1


class HealthService:
    """Whether the database answers, and the outbox figures the metrics show."""

    def __init__(self, repo: HealthRepository, timeout: float = DATABASE_TIMEOUT) -> None:
        self._repo = repo
        self._timeout = timeout

    async def database_ok(self) -> bool:
        """Whether a ``SELECT 1`` comes back within the timeout."""
        try:
            await asyncio.wait_for(self._repo.ping(), self._timeout)
        except Exception as exc:  # any failure means "not healthy", never a traceback on the endpoint
            log.warning("Health check: the database did not answer (%s)", type(exc).__name__)
            return False
        return True

    async def undelivered_alerts(self) -> int | None:
        """How many alert cards are still waiting to be delivered; None when the database can't say."""
        try:
            return await asyncio.wait_for(self._repo.undelivered_alerts(), self._timeout)
        except Exception as exc:
            log.warning("Metrics: couldn't count undelivered alerts (%s)", type(exc).__name__)
            return None
