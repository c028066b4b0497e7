"""The queued DMs the delivery engine sends: whether each still makes sense, and how it went."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.buddy_states import DmKind, OutboxState, Response
from bot.services.buddies.model import (
    MAX_ATTEMPTS,
)
from bot.services.buddies.safety import Safety
from bot.storage.buddies import OutboxRow, PairingRow


class Messages(Safety):
    """The queued DMs the delivery engine sends: whether each still makes sense, and how it went."""

    async def due_messages(self, limit: int = 200) -> list[OutboxRow]:
        """DMs not sent yet (the delivery engine sends each one; for tests and diagnosis)."""
        return await self._repo.due_messages(limit)

    async def message(self, message_id: int) -> OutboxRow | None:
        """The queued DM the delivery engine is to send, or None once it is sent or no longer to be sent."""
        return await self._repo.message(message_id)

    @staticmethod
    def deliverable(row: OutboxRow, pairing: PairingRow | None) -> bool:
        """Whether a queued DM still makes sense: an introduction only while the pairing waits for this member's
        answer, "You're buddies!" and the halfway question only while it is active, and never to someone who has
        left it. Notes that a pairing ended are always sent."""
        needs = {
            "intro": ("pending",),
            "active": ("active",),
            "halfway": ("active",),
            "nudge": ("active",),
        }.get(row.kind)
        if needs is None:
            return True
        if pairing is None or pairing.status not in needs:
            return False
        me = pairing.member(row.user_id)
        if me is None or me.left:
            return False
        return row.kind != DmKind.INTRO or me.response == Response.PENDING

    async def message_cancelled(self, message_id: int) -> None:
        """A queued DM that no longer makes sense (the pairing moved on)."""
        await self._repo.message_done(message_id, OutboxState.CANCELLED)

    async def message_sent(self, message_id: int) -> None:
        """A DM was delivered (to the DM or the private thread)."""
        await self._repo.message_done(message_id, OutboxState.SENT)

    async def message_failed(self, row: OutboxRow, attempts: int) -> bool:
        """Discord failed on attempt number ``attempts``. Returns whether to try again (with the delivery engine's
        backoff); after the last attempt the member is told at their next command instead."""
        if attempts >= MAX_ATTEMPTS:
            await self.message_undeliverable(row)
            return False
        return True

    async def message_undeliverable(self, row: OutboxRow) -> None:
        """Neither DM nor private thread: remember to tell the member privately next time."""
        await self._repo.message_done(row.id, OutboxState.UNDELIVERABLE)
        await self._repo.set_member(row.guild_id, row.user_id, self._clock(), notice=row.kind)

    async def set_thread(self, pairing_id: int, thread_id: int) -> None:
        """Remember a pairing's private thread."""
        await self._repo.set_thread(pairing_id, thread_id)

    async def stats(self, guild_id: int) -> dict[str, int]:
        """Aggregated counts for moderators (last 30 days where it says so)."""
        return await self._repo.stats(guild_id, self._clock() - timedelta(days=30))
