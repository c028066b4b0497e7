"""Buddy pairing: joining, rounds, consent, endings, blocks, worries and reports. No discord here.

Every DM is written to the outbox first, with the delivery item that sends it, in the same transaction as the change
that causes it, so a crash or a Discord outage delays a DM but never loses it; the cog's handler sends it.

One service in parts, each building on the one before: ``rounds`` (settings, matching), ``membership``, ``consent``,
``safety`` (worries, reports, nudges) and ``messages`` (the queued DMs); limits, answers and errors are in ``model``.
"""

from __future__ import annotations

from datetime import timedelta

from bot.services.buddies.messages import Messages
from bot.services.buddies.model import (
    KEEP_MESSAGES,
    KEEP_PAIRINGS,
    MAX_ATTEMPTS,
    NUDGE_EVERY,
    REPORTS_PER_DAY,
    WORRY_EVERY,
    JoinResult,
    NeedListenerRole,
    NoPairing,
    NotInProgramme,
    RoundResult,
    ServerSettings,
    Status,
    TooMany,
    zone_of,
)
from bot.storage.buddies import MemberRow, OutboxRow, PairingRow  # the rows the buddy cog renders

__all__ = [
    "KEEP_MESSAGES",
    "KEEP_PAIRINGS",
    "MAX_ATTEMPTS",
    "NUDGE_EVERY",
    "REPORTS_PER_DAY",
    "WORRY_EVERY",
    "BuddyService",
    "JoinResult",
    "MemberRow",
    "NeedListenerRole",
    "NoPairing",
    "NotInProgramme",
    "OutboxRow",
    "PairingRow",
    "RoundResult",
    "ServerSettings",
    "Status",
    "TooMany",
    "zone_of",
]


class BuddyService(Messages):
    """Buddy pairing use cases."""

    async def tick(self) -> int:
        """Due work: rounds that are due, pauses that ended, expired introductions, halfway questions,
        and (hourly) forgetting what is no longer needed. Returns how many pairings the rounds made."""
        now = self._clock()
        await self._repo.resume_paused(now)
        pairs = 0
        for guild_id in await self._repo.due_rounds(now):
            result = await self.run_round(guild_id)
            pairs += result.pairings if result is not None else 0
        await self.expire()
        await self._repo.halfway_due(now)
        if self._purged_at is None or now - self._purged_at >= timedelta(hours=1):
            self._purged_at = now
            await self.purge()
        return pairs
