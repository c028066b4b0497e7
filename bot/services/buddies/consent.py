"""Answers to introductions, expiry, the halfway question, ending one pairing."""

from __future__ import annotations

from bot.domain.buddy_states import OPEN, MemberStatus, PairingStatus
from bot.services.buddies.membership import Membership
from bot.storage.buddies import MemberRow, PairingRow


class Consent(Membership):
    """Answers to introductions, expiry, the halfway question, ending one pairing."""

    async def respond(self, pairing_id: int, user_id: int, accept: bool) -> str:
        """Say hello or Not this time. Returns what happened: active, waiting, declined, already, gone."""
        pairing = await self._repo.pairing(pairing_id)
        if pairing is None or pairing.member(user_id) is None:
            return "gone"
        if pairing.status != PairingStatus.PENDING:
            return "already" if pairing.status == PairingStatus.ACTIVE else "gone"
        if not await self._repo.respond(pairing_id, user_id, "accepted" if accept else "declined"):
            return "already"
        now = self._clock()
        if not accept:
            server = await self.settings(pairing.guild_id)
            others = [m.user_id for m in pairing.present if m.user_id != user_id]
            accepted = {m.user_id for m in pairing.members if m.response == "accepted"}
            requeue: dict[int, dict[str, object]] = {
                user_id: {"status": MemberStatus.WAITING, "sit_out_round": server.round_number}
            }
            for other in others:  # those who said yes go back in the queue first
                requeue[other] = {"status": MemberStatus.WAITING, "priority": other in accepted}
            await self._repo.close_pairing(
                pairing_id, ("pending",), "declined", now, requeue, [(o, "declined_by_other") for o in others]
            )
            for other in others:
                await self._pair_now(pairing.guild_id, other, server)
            return "declined"
        after = await self._repo.pairing(pairing_id)
        if after is not None and all(m.response == "accepted" for m in after.present):
            server = await self.settings(after.guild_id)
            await self._repo.activate(pairing_id, now, self._halfway(server, now))
            return "active"
        return "waiting"

    async def expire(self) -> int:
        """Pairings not accepted by everyone within 48 hours: those who said yes go back first."""
        now = self._clock()
        count = 0
        for pairing_id in await self._repo.expired(now):
            pairing = await self._repo.pairing(pairing_id)
            if pairing is None:
                continue
            server = await self.settings(pairing.guild_id)
            requeue: dict[int, dict[str, object]] = {}
            notices: list[tuple[int, str]] = []
            for m in pairing.present:
                if m.response == "accepted":
                    requeue[m.user_id] = {"status": MemberStatus.WAITING, "priority": True}
                    notices.append((m.user_id, "expired_requeued"))
                else:  # no answer: sit this round out, and say so kindly
                    requeue[m.user_id] = {
                        "status": MemberStatus.WAITING,
                        "sit_out_round": server.round_number,
                    }
                    notices.append((m.user_id, "expired_no_answer"))
            if await self._repo.close_pairing(pairing_id, ("pending",), "expired", now, requeue, notices):
                count += 1
                for user_id, values in requeue.items():
                    if values.get("priority"):
                        await self._pair_now(pairing.guild_id, user_id, server)
        return count

    async def halfway_answer(self, pairing_id: int, user_id: int, answer: str) -> bool:
        """Record "did you two get a chance to talk?" (yes / not_yet)."""
        pairing = await self._repo.pairing(pairing_id)
        if pairing is None or pairing.member(user_id) is None:
            return False
        return await self._repo.set_talked(pairing_id, user_id, answer)

    async def end_pairing(self, pairing_id: int, user_id: int) -> bool:
        """End a specific pairing from a button (only the member's own, only while open)."""
        pairing = await self._repo.pairing(pairing_id)
        if pairing is None or pairing.status not in OPEN:
            return False
        member = pairing.member(user_id)
        if member is None or member.left:
            return False
        server = await self.settings(pairing.guild_id)
        await self._leave_one(
            pairing_id, user_id, {"status": MemberStatus.WAITING, "sit_out_round": server.round_number}
        )
        return True

    async def pairing(self, pairing_id: int) -> PairingRow | None:
        """A pairing."""
        return await self._repo.pairing(pairing_id)

    async def profiles(self, guild_id: int, user_ids: list[int]) -> dict[int, MemberRow]:
        """Profiles of the people in a pairing (for introductions)."""
        return {m.user_id: m for m in await self._repo.members_of(guild_id, user_ids)}
