"""Buddy pairing: joining, rounds, consent, endings, blocks, worries and reports. No discord here.

The cog sends what ``due_messages`` hands it; every DM is written to the outbox first, in the same transaction as the
change that causes it, so a crash or a Discord outage delays a DM but never loses it.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.crisis import Kind
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
    clean_intro,
    clean_topics,
    halfway,
    parse_pause,
    parse_topics,
    utc_offset_minutes,
)
from bot.domain.timezones import resolve_timezone
from bot.errors import DomainError, InvalidInput
from bot.services.crisis import CrisisService
from bot.services.workers import INLINE_BELOW, Workers
from bot.storage.buddies import BuddyRepository, MemberRow, OutboxRow, PairingRow

WORRY_EVERY = timedelta(hours=12)  # one "I'm worried" per member per 12 hours reaches the moderators
REPORTS_PER_DAY = 3
NUDGE_EVERY = timedelta(hours=24)  # "let my buddy know" after a low check-in, once a day
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
KEEP_MESSAGES = timedelta(days=14)  # the DM outbox, once sent
KEEP_PAIRINGS = timedelta(days=180)  # closed pairings, and only once older than the no-repeat history


class NotInProgramme(DomainError):
    """The member hasn't joined buddy pairing in this server."""

    key = "buddy.error.not_joined"


class NoPairing(DomainError):
    """The member has no current pairing."""

    key = "buddy.error.no_pairing"


class NeedListenerRole(DomainError):
    """Only members with the listener role may offer to support someone."""

    key = "buddy.error.listener"


class TooMany(DomainError):
    """Rate limit on worries and reports."""

    key = "buddy.error.too_many"


@dataclass(frozen=True)
class ServerSettings:
    """One server's buddy settings, with defaults filled in."""

    topics: tuple[str, ...]
    cadence: Cadence
    channel_id: int | None
    listener_role_id: int | None
    odd_rule: OddRule
    history_rounds: int
    round_number: int
    round_started_at: datetime | None
    next_round_at: datetime | None


@dataclass(frozen=True)
class JoinResult:
    """What happened when a member joined."""

    paired_with: tuple[int, ...]  # empty: waiting for the next round


@dataclass(frozen=True)
class Status:
    """What ``/buddy status`` shows."""

    member: MemberRow
    pairing: PairingRow | None


@dataclass(frozen=True)
class RoundResult:
    """A round that ran."""

    round_number: int
    pairings: int
    left_over: tuple[int, ...]


class BuddyService:
    """Buddy pairing use cases."""

    def __init__(
        self, repo: BuddyRepository, crisis: CrisisService, clock: Clock, workers: Workers | None = None
    ) -> None:
        self._repo = repo
        self._crisis = crisis
        self._clock = clock
        self.workers = workers or Workers()  # matching runs there, off the event loop
        self._purged_at: datetime | None = None

    # --- settings

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

    # --- members

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
        if looking_for is LookingFor.SUPPORT and server.listener_role_id is not None and not is_listener:
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
                "status": "waiting",
                "paused_until": None,
                "notice": None,
            },
            now,
        )
        partner = await self._pair_now(guild_id, user_id, server)
        return JoinResult(partner)

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

    async def remove(self, guild_id: int, user_id: int) -> bool:
        """Take a member out of pairing (they left, or a moderator removed them). False if they weren't in it."""
        if await self._repo.member(guild_id, user_id) is None:
            return False
        await self._end_all(guild_id, user_id, member_values=None)
        await self._repo.delete_member(guild_id, user_id)
        return True

    # --- ending, blocking

    async def end(self, guild_id: int, user_id: int) -> None:
        """End the member's current pairing privately; they go back in the queue for the next round."""
        if await self._repo.member(guild_id, user_id) is None:
            raise NotInProgramme()
        if not await self._repo.open_pairings_of(guild_id, user_id):
            raise NoPairing()
        server = await self.settings(guild_id)
        await self._end_all(
            guild_id, user_id, member_values={"status": "waiting", "sit_out_round": server.round_number}
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
        if len(others) >= 2 and before.status == "active":
            for other in others:  # a group of three goes on as two, and they're told so
                await self._repo.enqueue(before.guild_id, other, pairing_id, "trio_left", now)
            return
        # The others are told kindly, without a reason, and go back in the queue first.
        await self._repo.close_pairing(
            pairing_id,
            ("pending", "active"),
            "ended",
            now,
            {other: {"status": "waiting", "priority": True} for other in others},
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
                current.id, user_id, {"status": "waiting", "sit_out_round": server.round_number}
            )
        return added

    async def unblock(self, guild_id: int, user_id: int, blocked_id: int) -> bool:
        """Allow pairing with this person again. False if they weren't blocked."""
        return await self._repo.remove_block(guild_id, user_id, blocked_id)

    # --- consent

    async def respond(self, pairing_id: int, user_id: int, accept: bool) -> str:
        """Say hello or Not this time. Returns what happened: active, waiting, declined, already, gone."""
        pairing = await self._repo.pairing(pairing_id)
        if pairing is None or pairing.member(user_id) is None:
            return "gone"
        if pairing.status != "pending":
            return "already" if pairing.status == "active" else "gone"
        if not await self._repo.respond(pairing_id, user_id, "accepted" if accept else "declined"):
            return "already"
        now = self._clock()
        if not accept:
            server = await self.settings(pairing.guild_id)
            others = [m.user_id for m in pairing.present if m.user_id != user_id]
            accepted = {m.user_id for m in pairing.members if m.response == "accepted"}
            requeue: dict[int, dict[str, object]] = {
                user_id: {"status": "waiting", "sit_out_round": server.round_number}
            }
            for other in others:  # those who said yes go back in the queue first
                requeue[other] = {"status": "waiting", "priority": other in accepted}
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
                    requeue[m.user_id] = {"status": "waiting", "priority": True}
                    notices.append((m.user_id, "expired_requeued"))
                else:  # no answer: sit this round out, and say so kindly
                    requeue[m.user_id] = {"status": "waiting", "sit_out_round": server.round_number}
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
        if pairing is None or pairing.status not in ("pending", "active"):
            return False
        member = pairing.member(user_id)
        if member is None or member.left:
            return False
        server = await self.settings(pairing.guild_id)
        await self._leave_one(
            pairing_id, user_id, {"status": "waiting", "sit_out_round": server.round_number}
        )
        return True

    async def pairing(self, pairing_id: int) -> PairingRow | None:
        """A pairing."""
        return await self._repo.pairing(pairing_id)

    async def profiles(self, guild_id: int, user_ids: list[int]) -> dict[int, MemberRow]:
        """Profiles of the people in a pairing (for introductions)."""
        return {m.user_id: m for m in await self._repo.members_of(guild_id, user_ids)}

    # --- worries and reports

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
            f"<@{user_id}> is worried about their buddy {others}. Haven has not messaged the buddy.",
            Kind.CONCERN,
        )
        await self._repo.set_report_alert(report_id, alert_id)
        return alert_id

    async def active_buddies(self, guild_id: int, user_id: int) -> tuple[int, ...]:
        """Who the member is buddies with right now (an active pairing), if anyone."""
        pairing = await self._repo.current_pairing(guild_id, user_id)
        if pairing is None or pairing.status != "active":
            return ()
        return tuple(m.user_id for m in pairing.present if m.user_id != user_id)

    async def nudge(self, guild_id: int, user_id: int) -> bool:
        """After a low check-in, the member chose to let their buddy know: a DM saying they're having a hard
        day (no mood, no note), at most once a day. False if already sent today."""
        pairing = await self._repo.current_pairing(guild_id, user_id)
        if pairing is None or pairing.status != "active":
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
            f"Buddy report from <@{user_id}>: {what}",
            Kind.HARASSMENT,
        )
        await self._repo.set_report_alert(report_id, alert_id)
        return alert_id

    # --- rounds and due work

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

    async def purge(self) -> int:
        """Sent DMs go after 14 days, the record of a "let my buddy know" after two days, closed pairings once
        they are out of the no-repeat history and the stats window."""
        now = self._clock()
        return await self._repo.purge(now, now - KEEP_MESSAGES, now - KEEP_PAIRINGS, now - 2 * NUDGE_EVERY)

    # --- the outbox

    async def due_messages(self, limit: int = 200) -> list[OutboxRow]:
        """DMs due now (pending, or left half-sent by a sender that stopped). ``take`` one before sending it."""
        return await self._repo.due_messages(self._clock(), limit)

    async def take(self, row: OutboxRow) -> bool:
        """Lease one DM to this caller for a couple of minutes, just before sending it, so two workers never
        send the same one. False if another worker has it."""
        now = self._clock()
        return await self._repo.lease(row.id, row.attempts, now, now + LEASE)

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
        return row.kind != "intro" or me.response == "pending"

    async def message_cancelled(self, message_id: int) -> None:
        """A queued DM that no longer makes sense (the pairing moved on)."""
        await self._repo.message_done(message_id, "cancelled")

    async def message_sent(self, message_id: int) -> None:
        """A DM was delivered (to the DM or the private thread)."""
        await self._repo.message_done(message_id, "sent")

    async def message_failed(self, row: OutboxRow) -> None:
        """Discord failed: try again with backoff, then give up and tell the member at their next command."""
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self.message_undeliverable(row)
            return
        delay = timedelta(seconds=min(900, 15 * 2**row.attempts))
        await self._repo.retry_message(row.id, self._clock() + delay)

    async def message_undeliverable(self, row: OutboxRow) -> None:
        """Neither DM nor private thread: remember to tell the member privately next time."""
        await self._repo.message_done(row.id, "undeliverable")
        await self._repo.set_member(row.guild_id, row.user_id, self._clock(), notice=row.kind)

    async def set_thread(self, pairing_id: int, thread_id: int) -> None:
        """Remember a pairing's private thread."""
        await self._repo.set_thread(pairing_id, thread_id)

    async def stats(self, guild_id: int) -> dict[str, int]:
        """Aggregated counts for moderators (last 30 days where it says so)."""
        return await self._repo.stats(guild_id, self._clock() - timedelta(days=30))


def zone_of(name: str) -> ZoneInfo:
    """A stored zone name as a ZoneInfo (UTC if unknown)."""
    try:
        return ZoneInfo(name)
    except Exception:
        return ZoneInfo("UTC")
