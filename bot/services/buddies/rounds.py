"""Server settings, rounds and the matching that makes pairings (the random seeds are stable per round)."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime

from bot.clock import Clock
from bot.domain.pairing import (
    ACCEPT_WITHIN,
    DEFAULT_TOPICS,
    HISTORY_ROUNDS,
    Cadence,
    Candidate,
    LookingFor,
    OddRule,
    Rules,
    best_partner,
    halfway,
    parse_topics,
    utc_offset_minutes,
)
from bot.services.buddies.model import (
    KEEP_MESSAGES,
    KEEP_PAIRINGS,
    NUDGE_EVERY,
    RoundResult,
    ServerSettings,
)
from bot.services.crisis import CrisisService
from bot.services.workers import INLINE_BELOW, Workers
from bot.storage.buddies import BuddyRepository, MemberRow


class Rounds:
    """Server settings, rounds and the matching that makes pairings (the random seeds are stable per round)."""

    def __init__(
        self, repo: BuddyRepository, crisis: CrisisService, clock: Clock, workers: Workers | None = None
    ) -> None:
        self._repo = repo
        self._crisis = crisis
        self._clock = clock
        self.workers = workers or Workers()  # matching runs there, off the event loop
        self._purged_at: datetime | None = None

    async def settings(self, guild_id: int) -> ServerSettings:
        """The server's settings (defaults when none were saved)."""
        row = await self._repo.settings(guild_id)
        if row is None:
            return ServerSettings(
                DEFAULT_TOPICS, Cadence.WEEKLY, None, None, OddRule.TRIO, HISTORY_ROUNDS, 0, None, None
            )
        return ServerSettings(
            row.topics or DEFAULT_TOPICS,
            Cadence(row.cadence),
            row.channel_id,
            row.listener_role_id,
            OddRule(row.odd_rule),
            row.history_rounds,
            row.round_number,
            row.round_started_at,
            row.next_round_at,
        )

    async def update_settings(
        self,
        guild_id: int,
        *,
        topics_text: str | None = None,
        cadence: Cadence | None = None,
        channel_id: int | None = None,
        clear_channel: bool = False,
        listener_role_id: int | None = None,
        clear_listener_role: bool = False,
        odd_rule: OddRule | None = None,
    ) -> ServerSettings:
        """Change some settings; returns them all."""
        now = self._clock()
        current = await self.settings(guild_id)
        values: dict[str, object] = {}
        if topics_text is not None:
            values["topics"] = parse_topics(topics_text)
        if cadence is not None:
            values["cadence"] = cadence.value
            start = current.round_started_at or now
            values["next_round_at"] = max(cadence.next_round(start), now)
        if channel_id is not None or clear_channel:
            values["channel_id"] = None if clear_channel else channel_id
        if listener_role_id is not None or clear_listener_role:
            values["listener_role_id"] = None if clear_listener_role else listener_role_id
        if odd_rule is not None:
            values["odd_rule"] = odd_rule.value
        if await self._repo.settings(guild_id) is None and "next_round_at" not in values:
            values["next_round_at"] = current.cadence.next_round(now)
        await self._repo.save_settings(guild_id, values, now)
        return await self.settings(guild_id)

    async def _ensure_settings(self, guild_id: int) -> ServerSettings:
        if await self._repo.settings(guild_id) is None:
            now = self._clock()
            await self._repo.save_settings(guild_id, {"next_round_at": Cadence.WEEKLY.next_round(now)}, now)
        return await self.settings(guild_id)

    async def _pair_now(self, guild_id: int, user_id: int, server: ServerSettings) -> tuple[int, ...]:
        """On demand: pair a member who is waiting with the best compatible member waiting, if any."""
        waiting = await self._repo.waiting(guild_id, server.round_number)
        me = next((m for m in waiting if m.user_id == user_id), None)
        if me is None:
            return ()
        now = self._clock()
        rules = await self._rules(guild_id, server, {m.user_id for m in waiting})
        # Between rounds, only someone who shares a topic; anyone else waits for the round's fuller choice.
        others = [
            self._candidate(m, now)
            for m in waiting
            if m.user_id != user_id and set(m.topics) & set(me.topics)
        ]
        found = best_partner(self._candidate(me, now), others, rules)
        if found is None:
            return ()
        seed = random.Random(f"{guild_id}:{server.round_number}:{user_id}").randrange(1 << 30)
        created = await self._create(guild_id, server, (user_id, found[0].user_id), seed)
        return (found[0].user_id,) if created else ()

    async def _create(
        self, guild_id: int, server: ServerSettings, users: tuple[int, ...], seed: int
    ) -> int | None:
        now = self._clock()
        return await self._repo.create_pairing(
            guild_id, server.round_number, users, seed, now, now + ACCEPT_WITHIN, self._halfway(server, now)
        )

    def _halfway(self, server: ServerSettings, start: datetime) -> datetime:
        """Halfway between ``start`` and the round that will close the pairing. A pair made in the second half
        of a round isn't closed by the next round (see ``_completes_before``) but by the one after."""
        span = server.cadence.next_round(start) - start
        ends = server.next_round_at or start + span
        if ends - start < span / 2:
            ends += span
        return halfway(start, ends)

    @staticmethod
    def _completes_before(server: ServerSettings, now: datetime) -> datetime:
        """A new round closes active pairings made before this (so nobody gets only a day or two)."""
        return now - (server.cadence.next_round(now) - now) / 2

    def _candidate(self, member: MemberRow, now: datetime) -> Candidate:
        return Candidate(
            member.user_id,
            frozenset(member.topics),
            utc_offset_minutes(member.timezone, now),
            LookingFor(member.looking_for),
            member.priority,
        )

    async def _rules(self, guild_id: int, server: ServerSettings, among: set[int]) -> Rules:
        blocks = frozenset(
            frozenset(pair) for pair in await self._repo.blocks(guild_id) if among.issuperset(pair)
        )
        since = server.round_number - server.history_rounds + 1
        recent = frozenset(frozenset(pair) for pair in await self._repo.recent_pairs(guild_id, since))
        return Rules(recent=recent, blocks=blocks, odd=server.odd_rule)

    async def run_round(self, guild_id: int, seed: int | None = None) -> RoundResult | None:
        """Start the next round now: close the last round's pairings, pair everyone waiting. None if raced."""
        server = await self._ensure_settings(guild_id)
        now = self._clock()
        if not await self._repo.begin_round(
            guild_id,
            server.round_number,
            now,
            server.cadence.next_round(now),
            self._completes_before(server, now),
        ):
            return None
        server = await self.settings(guild_id)
        waiting = await self._repo.waiting(guild_id, server.round_number)
        rules = await self._rules(guild_id, server, {m.user_id for m in waiting})
        seed = (
            seed
            if seed is not None
            else random.Random(f"{guild_id}:{server.round_number}").randrange(1 << 30)
        )

        # Off the event loop: the candidates of a large round (a timezone look-up each) in a thread, the matching in a
        # worker process.
        def build() -> list[Candidate]:
            return [self._candidate(m, now) for m in waiting]

        candidates = await asyncio.to_thread(build) if len(waiting) >= INLINE_BELOW else build()
        result = await self.workers.match(candidates, rules, seed)
        created = 0
        for n, group in enumerate(result.groups):
            if await self._create(guild_id, server, group, seed + n):
                created += 1
        already_first = {m.user_id for m in waiting if m.priority}
        # "An odd number" is only true for one person left over from an odd count; otherwise (a block, no one who
        # fits) the member is told there wasn't a match, and never why.
        odd = len(result.left_over) == 1 and len(waiting) % 2 == 1
        for user_id in result.left_over:  # told kindly (once, not every round), and first next time
            await self._repo.set_member(guild_id, user_id, now, priority=True)
            if user_id not in already_first:
                await self._repo.enqueue(guild_id, user_id, None, "left_over" if odd else "unmatched", now)
        return RoundResult(server.round_number, created, result.left_over)

    async def purge(self) -> int:
        """Sent DMs go after 14 days, the record of a "let my buddy know" after two days, closed pairings once
        they are out of the no-repeat history and the stats window."""
        now = self._clock()
        return await self._repo.purge(now, now - KEEP_MESSAGES, now - KEEP_PAIRINGS, now - 2 * NUDGE_EVERY)
