"""Joining, pausing, leaving, ending and blocking."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bot.domain.buddy_states import MemberStatus, OutboxState, PairingStatus
from bot.domain.pairing import (
    LookingFor,
    clean_intro,
    clean_topics,
    holds_listener_role,
    may_look_for,
    parse_pause,
)
from bot.domain.timezones import resolve_timezone
from bot.errors import InvalidInput
from bot.services.buddies.model import (
    JoinResult,
    NeedListenerRole,
    NoPairing,
    NotInProgramme,
    ServerSettings,
    Status,
    zone_of,
)
from bot.services.buddies.rounds import Rounds
from bot.storage.buddies import MemberRow, OutboxRow


class Membership(Rounds):
    """Joining, pausing, leaving, ending and blocking."""

    async def member(self, guild_id: int, user_id: int) -> MemberRow | None:
        """The member's profile, if they joined."""
        return await self._repo.member(guild_id, user_id)

    async def status(self, guild_id: int, user_id: int) -> Status:
        """The member's profile and current pairing."""
        member = await self._repo.member(guild_id, user_id)
        if member is None:
            raise NotInProgramme()
        pairing = await self._repo.current_pairing(guild_id, user_id)
        return Status(member, pairing)

    async def take_notice(self, guild_id: int, user_id: int) -> str | None:
        """A notice for the member (a DM that couldn't reach them), shown once."""
        return await self._repo.take_notice(guild_id, user_id)

    @staticmethod
    def listener_check(server: ServerSettings, looking_for: LookingFor, role_ids: Iterable[int]) -> bool:
        """Whether the member holds the listener role; refuses "someone to support" without it (when one is set),
        so /buddy join says so before the topic picker. ``join`` applies the same rule again."""
        is_listener = holds_listener_role(server.listener_role_id, role_ids)
        if not may_look_for(looking_for, server.listener_role_id, is_listener):
            raise NeedListenerRole()
        return is_listener

    async def join(
        self,
        guild_id: int,
        user_id: int,
        *,
        topics: list[str],
        timezone: str,
        looking_for: LookingFor,
        intro: str | None,
        is_listener: bool,
    ) -> JoinResult:
        """Join (or update a profile), then pair at once if a compatible partner is waiting."""
        server = await self._ensure_settings(guild_id)
        chosen = clean_topics(server.topics, topics)
        if not chosen:
            raise InvalidInput("buddy.error.no_topics")
        zone = resolve_timezone(timezone, self._clock())
        if not may_look_for(looking_for, server.listener_role_id, is_listener):
            raise NeedListenerRole()
        intro = clean_intro(intro)
        now = self._clock()
        await self._repo.save_member(
            {
                "guild_id": guild_id,
                "user_id": user_id,
                "topics": sorted(chosen),
                "timezone": zone.key,
                "looking_for": looking_for.value,
                "intro": intro,
                "status": MemberStatus.WAITING,
                "paused_until": None,
                "notice": None,
            },
            now,
        )
        partner = await self._pair_now(guild_id, user_id, server)
        return JoinResult(partner)

    async def pause(self, guild_id: int, user_id: int, until_text: str) -> date:
        """No new pairings until the end of that day in the member's timezone (a current pairing goes on)."""
        member = await self._repo.member(guild_id, user_id)
        if member is None:
            raise NotInProgramme()
        zone = zone_of(member.timezone)
        now = self._clock()
        day = parse_pause(until_text, now.astimezone(zone).date())
        resume_at = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        await self._repo.pause_member(guild_id, user_id, resume_at, now)
        return day

    async def resume(self, guild_id: int, user_id: int) -> JoinResult:
        """Back in the queue now."""
        member = await self._repo.member(guild_id, user_id)
        if member is None:
            raise NotInProgramme()
        await self._repo.resume_member(guild_id, user_id, self._clock())
        return JoinResult(await self._pair_now(guild_id, user_id, await self.settings(guild_id)))

    async def leave(self, guild_id: int, user_id: int) -> None:
        """Leave buddy pairing: any pairing ends kindly for the others, and the profile is deleted."""
        if not await self.remove(guild_id, user_id):
            raise NotInProgramme()

    async def member_left_server(self, guild_id: int, user_id: int) -> None:
        """The member left the server: the others are told kindly and go back in the queue; the profile goes."""
        await self.remove(guild_id, user_id)

    async def left_while_offline(self, row: OutboxRow) -> None:
        """A DM's recipient is no longer in the server and Haven saw no member-remove event (it was offline):
        end their pairings kindly as if it had, and that DM is not sent."""
        await self.member_left_server(row.guild_id, row.user_id)
        await self._repo.message_done(row.id, OutboxState.CANCELLED)

    async def remove(self, guild_id: int, user_id: int) -> bool:
        """Take a member out of pairing (they left, or a moderator removed them). False if they weren't in it."""
        if await self._repo.member(guild_id, user_id) is None:
            return False
        await self._end_all(guild_id, user_id, member_values=None)
        await self._repo.delete_member(guild_id, user_id)
        return True

    async def end(self, guild_id: int, user_id: int) -> None:
        """End the member's current pairing privately; they go back in the queue for the next round."""
        if await self._repo.member(guild_id, user_id) is None:
            raise NotInProgramme()
        if not await self._repo.open_pairings_of(guild_id, user_id):
            raise NoPairing()
        server = await self.settings(guild_id)
        await self._end_all(
            guild_id,
            user_id,
            member_values={"status": MemberStatus.WAITING, "sit_out_round": server.round_number},
        )

    async def _end_all(self, guild_id: int, user_id: int, member_values: dict[str, object] | None) -> None:
        for pairing_id in await self._repo.open_pairings_of(guild_id, user_id):
            await self._leave_one(pairing_id, user_id, member_values)

    async def _leave_one(
        self, pairing_id: int, user_id: int, member_values: dict[str, object] | None
    ) -> None:
        now = self._clock()
        before = await self._repo.leave_pairing(pairing_id, user_id, now, member_values)
        if before is None:
            return
        others = [m.user_id for m in before.present if m.user_id != user_id]
        if len(others) >= 2 and before.status == PairingStatus.ACTIVE:
            for other in others:  # a group of three goes on as two, and they're told so
                await self._repo.enqueue(before.guild_id, other, pairing_id, "trio_left", now)
            return
        # The others are told kindly, without a reason, and go back in the queue first.
        await self._repo.close_pairing(
            pairing_id,
            ("pending", "active"),
            "ended",
            now,
            {other: {"status": MemberStatus.WAITING, "priority": True} for other in others},
            [(other, "ended_by_other") for other in others],
        )
        server = await self.settings(before.guild_id)
        for other in others:
            await self._pair_now(before.guild_id, other, server)

    async def block(self, guild_id: int, user_id: int, blocked_id: int) -> bool:
        """Never pair with this person again; ends a current pairing with them. False if already blocked."""
        if blocked_id == user_id:
            raise InvalidInput("buddy.error.self")
        added = await self._repo.add_block(guild_id, user_id, blocked_id, self._clock())
        current = await self._repo.current_pairing(guild_id, user_id)
        if current is not None and current.member(blocked_id) is not None:
            server = await self.settings(guild_id)
            await self._leave_one(
                current.id, user_id, {"status": MemberStatus.WAITING, "sit_out_round": server.round_number}
            )
        return added

    async def unblock(self, guild_id: int, user_id: int, blocked_id: int) -> bool:
        """Allow pairing with this person again. False if they weren't blocked."""
        return await self._repo.remove_block(guild_id, user_id, blocked_id)
