"""The alert outbox's states and the moderators' workflow on an alert (claim, resolve, false alarm, stats)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.alerts import (
    LEASE_SECONDS,
    Alert,
    CardState,
    ReplyState,
    Stats,
    Status,
    first_ping_due,
    next_ping_due,
    stats,
)
from bot.storage.crisis import CrisisRepository

log = logging.getLogger(__name__)


class AlertWorkflow:
    """Alert delivery states and the moderators' workflow; part of ``CrisisService``."""

    _repo: CrisisRepository
    _clock: Clock

    # --- the outbox

    async def due_deliveries(self) -> list[Alert]:
        """Alerts with a card to send or edit, or a member reply to send (the alert rows' own view)."""
        return await self._repo.due_deliveries(self._clock())

    async def lease(self, alert_id: int) -> bool:
        """Mark an alert's card as being sent, if nobody else is sending it (a short lease on the alert row)."""
        return await self._repo.lease(alert_id, self._clock(), LEASE_SECONDS)

    async def card_sending(self, alert_id: int) -> None:
        """The delivery engine leased the card and is sending it now."""
        now = self._clock()
        await self._repo.set_fields(
            alert_id,
            now,
            card_state=CardState.SENDING.value,
            lease_until=now + timedelta(seconds=LEASE_SECONDS),
        )

    async def card_sent(self, alert: Alert, card_message_id: int) -> None:
        """Record the card, and when to ping again if nobody claims it."""
        now = self._clock()
        settings = await self._repo.settings(alert.guild_id)
        await self._repo.mark_sent(
            alert.id, card_message_id, first_ping_due(alert.severity, settings, now), now
        )

    async def card_failed(self, alert: Alert, retry_at: datetime, *, tell_owner: bool = False) -> None:
        """Record a failed attempt (the delivery engine retries it at ``retry_at``). ``tell_owner``: the card
        can't be posted at all, so the server owner's DM is queued with it (once per alert)."""
        await self._repo.mark_failed(alert.id, retry_at, self._clock(), tell_owner=tell_owner)

    async def take_card_edit(self, alert_id: int) -> bool:
        """Clear the alert's pending-edit flag (the card was just edited)."""
        return await self._repo.take_dirty(alert_id, self._clock())

    async def reply_done(self, alert_id: int, state: ReplyState) -> None:
        """Record how the private reply to the member went (and queue the card edit that shows it)."""
        await self._repo.mark_reply(alert_id, state, self._clock())

    async def requeue_unsent_cards(self) -> int:
        """Make sure every alert whose card isn't sent is queued for delivery (run at start and every minute)."""
        added = await self._repo.requeue_unsent_cards(self._clock())
        if added:
            log.warning("Queued %d alert card(s) that had no delivery work item", added)
        return added

    async def owner_told(self, alert_id: int) -> None:
        """Remember that the server owner was told the alert channel is broken."""
        await self._repo.set_fields(alert_id, self._clock(), owner_told=True)

    async def record_ping(self, alert: Alert) -> bool:
        """Count one re-ping (exactly once) and schedule the next, if any."""
        now = self._clock()
        settings = await self._repo.settings(alert.guild_id)
        return await self._repo.record_ping(
            alert.id, alert.pings, next_ping_due(alert.pings + 1, settings, now), now
        )

    async def alert(self, alert_id: int) -> Alert | None:
        """One alert."""
        return await self._repo.alert(alert_id)

    # --- moderators' workflow

    async def claim(self, alert_id: int, guild_id: int, moderator_id: int) -> bool:
        """ "I'm on it": only an open alert can be claimed, and only once."""
        return await self._repo.transition(
            alert_id, guild_id, (Status.OPEN,), Status.CLAIMED, moderator_id, self._clock()
        )

    async def resolve(self, alert_id: int, guild_id: int, moderator_id: int) -> bool:
        """Close an open or claimed alert as resolved."""
        return await self._repo.transition(
            alert_id, guild_id, (Status.OPEN, Status.CLAIMED), Status.RESOLVED, moderator_id, self._clock()
        )

    async def false_alarm(self, alert_id: int, guild_id: int, moderator_id: int) -> bool:
        """Close an open or claimed alert as a false alarm (counted in stats)."""
        return await self._repo.transition(
            alert_id, guild_id, (Status.OPEN, Status.CLAIMED), Status.FALSE_ALARM, moderator_id, self._clock()
        )

    async def reveal(self, alert_id: int, moderator_id: int) -> int:
        """Record a reveal of a DM excerpt; returns the number of reveals so far."""
        return await self._repo.add_reveal(alert_id, moderator_id, self._clock())

    async def active_alerts(self, guild_id: int) -> list[Alert]:
        """A server's open and claimed alerts."""
        return await self._repo.active_alerts(guild_id)

    async def recent_alert_count(
        self, guild_id: int, member_id: int, days: int = 7, exclude: int | None = None
    ) -> int:
        """How many alerts a member had in a server in the last ``days`` days (shown on the card)."""
        since = self._clock() - timedelta(days=days)
        return sum(
            1
            for a in await self._repo.alerts_since(guild_id, since)
            if a.member_id == member_id and a.id != exclude
        )

    async def stats(self, guild_id: int) -> tuple[Stats, Stats]:
        """Stats over 7 and 30 days."""
        now = self._clock()
        alerts = await self._repo.alerts_since(guild_id, now - timedelta(days=30))
        return stats(alerts, now, 7), stats(alerts, now, 30)
