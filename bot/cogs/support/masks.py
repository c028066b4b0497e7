"""An anonymous member stays anonymous on a crisis card about their support conversation, until a moderator
presses Reveal identity (recorded; the listener is told in the thread)."""

from __future__ import annotations

from bot.delivery import DeliveryEngine
from bot.domain.alerts import Alert
from bot.domain.support import REVEALED, SupportRequest
from bot.services.support import SupportService


class SupportMasks:
    """The crisis cards' AlertMasks (bot/cogs/crisis/collaborators.py) for support conversations."""

    def __init__(self, support: SupportService, engine: DeliveryEngine) -> None:
        self.support = support
        self.engine = engine

    async def _conversation(self, alert: Alert) -> SupportRequest | None:
        """The anonymous conversation an alert is about: the member's relayed words, while it was going on."""
        request = await self.support.anonymous_during(
            alert.guild_id, alert.member_id, alert.created_at, alert.updated_at
        )
        if request is None:
            return None
        relayed_here = alert.from_dm or (
            alert.channel_id is not None and alert.channel_id == request.fallback_thread_id
        )
        return request if relayed_here else None

    async def alias(self, alert: Alert) -> str | None:
        request = await self._conversation(alert)
        if request is None or request.identity_revealed_by is not None:
            return None
        return request.alias_name

    async def reveal(self, alert: Alert, moderator_id: int) -> bool:
        request = await self._conversation(alert)
        if request is None or not await self.support.reveal_identity(request.id, moderator_id):
            return False
        await self.engine.run_now(REVEALED, request.id)
        return True
