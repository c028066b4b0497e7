"""Worries, reports and "let my buddy know" (each with its limit)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.alerts import reason_ref
from bot.domain.buddy_states import PairingStatus
from bot.domain.crisis import Kind
from bot.errors import InvalidInput
from bot.services.buddies.consent import Consent
from bot.services.buddies.model import (
    NUDGE_EVERY,
    REPORTS_PER_DAY,
    WORRY_EVERY,
    NoPairing,
)


class Safety(Consent):
    """Worries, reports and "let my buddy know" (each with its limit)."""

    async def worried(self, pairing_id: int, user_id: int) -> int | None:
        """ "I'm worried about my buddy": a card for moderators (never a message to the buddy). None if rate-limited."""
        pairing = await self._repo.pairing(pairing_id)
        if pairing is None or pairing.member(user_id) is None:
            raise NoPairing()
        # The buddies still in the pairing (in a group of three, someone may have stepped away); if the pairing
        # has closed since, the worry is still about the people it was with.
        buddies = [m.user_id for m in pairing.present if m.user_id != user_id] or [
            m.user_id for m in pairing.members if m.user_id != user_id
        ]
        now = self._clock()
        report_id = await self._repo.open_report(
            {
                "guild_id": pairing.guild_id,
                "pairing_id": pairing_id,
                "reporter_id": user_id,
                "subject_id": buddies[0],
                "kind": "worried",
                "created_at": now,
            },
            since=now - WORRY_EVERY,
            limit=1,
        )
        if report_id is None:
            return None
        others = ", ".join(f"<@{b}>" for b in buddies)
        alert_id = await self._crisis.request_moderator(
            pairing.guild_id,
            buddies[0],
            -report_id,
            reason_ref("buddy.reason.worried", reporter=f"<@{user_id}>", buddies=others),
            Kind.CONCERN,
        )
        await self._repo.set_report_alert(report_id, alert_id)
        return alert_id

    async def active_buddies(self, guild_id: int, user_id: int) -> tuple[int, ...]:
        """Who the member is buddies with right now (an active pairing), if anyone."""
        pairing = await self._repo.current_pairing(guild_id, user_id)
        if pairing is None or pairing.status != PairingStatus.ACTIVE:
            return ()
        return tuple(m.user_id for m in pairing.present if m.user_id != user_id)

    async def nudge(self, guild_id: int, user_id: int) -> bool:
        """After a low check-in, the member chose to let their buddy know: a DM saying they're having a hard
        day (no mood, no note), at most once a day. False if already sent today."""
        pairing = await self._repo.current_pairing(guild_id, user_id)
        if pairing is None or pairing.status != PairingStatus.ACTIVE:
            raise NoPairing()
        buddies = [m.user_id for m in pairing.present if m.user_id != user_id]
        if not buddies:
            raise NoPairing()
        now = self._clock()
        return await self._repo.nudge(guild_id, user_id, pairing.id, buddies, now - NUDGE_EVERY, now)

    async def report(self, guild_id: int, user_id: int, subject_id: int, text: str) -> int | None:
        """A private report about someone in pairing, to moderators. None if rate-limited."""
        if subject_id == user_id:
            raise InvalidInput("buddy.error.self")
        now = self._clock()
        current = await self._repo.current_pairing(guild_id, user_id)
        report_id = await self._repo.open_report(
            {
                "guild_id": guild_id,
                "pairing_id": current.id if current else None,
                "reporter_id": user_id,
                "subject_id": subject_id,
                "kind": "report",
                "text": text.strip()[:1000] or None,
                "created_at": now,
            },
            since=now - timedelta(days=1),
            limit=REPORTS_PER_DAY,
        )
        if report_id is None:
            return None
        what = text.strip()[:700] or "-"
        alert_id = await self._crisis.request_moderator(
            guild_id,
            subject_id,
            -report_id,
            reason_ref("buddy.reason.report", reporter=f"<@{user_id}>", what=what),
            Kind.HARASSMENT,
        )
        await self._repo.set_report_alert(report_id, alert_id)
        return alert_id
