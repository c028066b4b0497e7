"""Support use cases: set-up, listeners, requests and the relay, peer flags and moderators' check-ons."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.domain.crisis import Kind
from bot.domain.support import (
    BAD_FAITH_WINDOW,
    CHECKON_EVERY,
    FIRST_MESSAGE_LIMIT,
    NOTE_LIMIT,
    RELAY_STORE_LIMIT,
    RelayMessage,
    RequestStatus,
    SupportCounts,
    SupportRequest,
    SupportSettings,
    alias_for,
    flag_limit,
    in_hours,
    median,
    parse_topics,
    reping_due,
)
from bot.errors import DomainError, InvalidInput
from bot.services.crisis import CrisisService
from bot.storage.support import SupportRepository

log = logging.getLogger(__name__)


# Reports share the alert table's request keys: negative like buddy reports, far beyond any buddy report id.
REPORT_KEY_BASE = 10**12


class SupportNotSetUp(DomainError):
    """Support requests aren't set up in this server yet."""

    key = "support.error.not_set_up"


class SupportService:
    """Requests for a listener, the bridge between member and listener, and peer flags."""

    def __init__(self, repo: SupportRepository, crisis: CrisisService, clock: Clock) -> None:
        self._repo = repo
        self._crisis = crisis
        self._clock = clock
        self._salt = secrets.randbelow(9000)

    # --- set-up

    async def settings(self, guild_id: int) -> SupportSettings:
        return await self._repo.settings(guild_id)

    async def update_settings(
        self, guild_id: int, *, topics: str | None = None, **changes: Any
    ) -> SupportSettings:
        """Change some settings; ``None`` leaves a setting as it is."""
        current = await self._repo.settings(guild_id)
        values = {k: v for k, v in changes.items() if v is not None}
        if topics is not None:
            parsed = parse_topics(topics)
            if not parsed:
                raise InvalidInput("support.error.topics")
            values["topics"] = parsed
        updated = replace(current, **values)
        await self._repo.save_settings(updated, self._clock())
        return updated

    # --- listeners

    async def set_available(
        self,
        guild_id: int,
        user_id: int,
        available: bool,
        *,
        hours: tuple[int | None, int | None] = (None, None),
        timezone: str | None = None,
    ) -> None:
        """Available (optionally only between two hours of the listener's own day) or away."""
        values: dict[str, Any] = {"available": available}
        if available:
            if timezone is not None:
                try:
                    ZoneInfo(timezone.strip())
                except (ZoneInfoNotFoundError, ValueError) as error:
                    raise InvalidInput("support.error.timezone") from error
            start, end = hours
            both = start is not None and end is not None
            values |= {
                "hours_from": start if both else None,
                "hours_to": end if both else None,
                "timezone": timezone.strip() if both and timezone else None,
            }
        await self._repo.set_listener(guild_id, user_id, values, self._clock())

    async def available_listeners(self, guild_id: int) -> list[int]:
        """Listeners available now: said so, and inside their hours (the cog keeps those who hold the role)."""
        now = self._clock()
        found: list[int] = []
        for row in await self._repo.listeners(guild_id):
            if not row.available:
                continue
            local = now.astimezone(ZoneInfo(row.timezone)) if row.timezone else now
            if in_hours(local.hour, row.hours_from, row.hours_to):
                found.append(row.user_id)
        return found

    async def waiting(self, guild_id: int) -> list[SupportRequest]:
        return await self._repo.waiting(guild_id)

    # --- requests

    async def request(
        self,
        guild_id: int,
        member_id: int,
        topic: str,
        first_message: str | None,
        anonymous: bool,
        origin_channel_id: int | None = None,
    ) -> SupportRequest:
        """Open a request (and queue its card). Raises a kind DomainError when it can't be taken."""
        settings = await self._repo.settings(guild_id)
        if not settings.configured:
            raise SupportNotSetUp()
        chosen = next((t for t in settings.topics if t.casefold() == topic.strip().casefold()), None)
        if chosen is None:
            raise InvalidInput("support.error.topic")
        if await self._repo.open_for_member(member_id) is not None:
            raise DomainError("support.error.already_open")
        now = self._clock()
        if (
            await self._repo.requests_since(guild_id, member_id, now - timedelta(days=1))
            >= settings.requests_per_day
        ):
            raise DomainError("support.error.too_many", limit=settings.requests_per_day)
        text = (first_message or "").strip()[:FIRST_MESSAGE_LIMIT] or None
        request_id = await self._repo.insert_request(
            {
                "guild_id": guild_id,
                "member_id": member_id,
                "anonymous": anonymous,
                "topic": chosen,
                "first_message": text,
                "status": RequestStatus.WAITING.value,
                "created_at": now,
                "origin_channel_id": origin_channel_id,
            },
            self._alias,
        )
        request = await self._repo.request(request_id)
        assert request is not None
        return request

    def _alias(self, request_id: int) -> int:
        return alias_for(request_id, self._salt)

    async def get(self, request_id: int) -> SupportRequest | None:
        return await self._repo.request(request_id)

    async def open_for_member(self, member_id: int) -> SupportRequest | None:
        return await self._repo.open_for_member(member_id)

    async def by_thread(self, thread_id: int) -> SupportRequest | None:
        return await self._repo.by_thread(thread_id)

    async def card_sent(self, request: SupportRequest, message_id: int) -> None:
        settings = await self._repo.settings(request.guild_id)
        due = reping_due(request.created_at, settings.reping_seconds, request.pings)
        await self._repo.card_sent(request.id, message_id, due, self._clock())

    async def record_ping(self, request: SupportRequest) -> bool:
        settings = await self._repo.settings(request.guild_id)
        due = reping_due(request.created_at, settings.reping_seconds, request.pings + 1)
        return await self._repo.record_ping(request.id, request.pings, due, self._clock())

    async def claim(self, request_id: int, guild_id: int, listener_id: int) -> bool:
        """ "I'll talk": exactly one listener wins, however many press at once."""
        request = await self._repo.request(request_id)
        if request is None or request.guild_id != guild_id:
            return False
        if request.member_id == listener_id:
            raise DomainError("support.error.own_request")
        if request.member_id in await self._repo.blocked_pairs(guild_id, listener_id):
            raise DomainError("support.error.blocked")
        return await self._repo.claim(request_id, guild_id, listener_id, self._clock())

    async def set_thread(self, request_id: int, thread_id: int) -> None:
        await self._repo.set_fields(request_id, thread_id=thread_id)

    async def release(self, request: SupportRequest) -> bool:
        """Back to the queue with a fresh card: the member asked for someone else, or the listener can't go on.

        The waiting time starts again from now (the counts measure each wait)."""
        if request.listener_id is None:
            return False
        return await self._repo.release(request.id, request.listener_id, self._clock())

    async def claimed_by(self, guild_id: int, listener_id: int) -> list[SupportRequest]:
        return await self._repo.claimed_by(guild_id, listener_id)

    async def report(self, request: SupportRequest, reporter_id: int, reason: str) -> int:
        """One side reports the other to the moderators (a card; once per side per request)."""
        reporter_is_member = reporter_id == request.member_id
        subject = request.listener_id if reporter_is_member else request.member_id
        if subject is None:
            raise DomainError("support.error.nothing_open")
        who = "the member" if reporter_is_member else "the listener"
        text = f"Support request #{request.id}: {who} <@{reporter_id}> reported the other side. {reason.strip()[:700]}"
        key = -(REPORT_KEY_BASE + request.id * 2 + (0 if reporter_is_member else 1))
        return await self._crisis.request_moderator(request.guild_id, subject, key, text, Kind.HARASSMENT)

    async def anonymous_during(
        self, guild_id: int, member_id: int, start: datetime, end: datetime
    ) -> SupportRequest | None:
        """The member's anonymous conversation here overlapping ``start``..``end`` (an alert about the relay)."""
        return await self._repo.anonymous_during(guild_id, member_id, start, end)

    async def set_fallback_thread(self, request_id: int, thread_id: int) -> bool:
        return await self._repo.set_fallback_thread(request_id, thread_id)

    async def reveal_identity(self, request_id: int, moderator_id: int) -> bool:
        """A moderator reveals an anonymous member from an alert: recorded once, and the listener is told."""
        return await self._repo.reveal_identity(request_id, moderator_id, self._clock())

    async def end(self, request_id: int, status: RequestStatus = RequestStatus.ENDED) -> bool:
        return await self._repo.end(request_id, status, self._clock())

    async def give_feedback(self, request_id: int, member_id: int, helped: bool) -> bool:
        return await self._repo.give_feedback(request_id, member_id, helped)

    async def counts(self, guild_id: int, days: int = 30) -> SupportCounts:
        """Requests, waiting time and time to claim over ``days``: counts only, never content."""
        now = self._clock()
        rows, (helped, not_helped) = await self._repo.counts(guild_id, now - timedelta(days=days))
        claims = [(r.claimed_at - r.created_at).total_seconds() for r in rows if r.claimed_at is not None]
        waits = claims + [(now - r.created_at).total_seconds() for r in rows if r.status == "waiting"]
        return SupportCounts(
            requests=len(rows),
            claimed=len(claims),
            median_wait_seconds=median(waits),
            median_claim_seconds=median(claims),
            helped=helped,
            not_helped=not_helped,
            waiting_now=sum(1 for r in rows if r.status == "waiting"),
        )

    # --- the relay

    async def relay(
        self, request: SupportRequest, from_member: bool, source_id: int, text: str, images: int
    ) -> int | None:
        """Keep a message for relaying and queue it; None when nothing is to be relayed (ended, or a replay)."""
        if request.status is not RequestStatus.CLAIMED or (not text.strip() and not images):
            return None
        return await self._repo.add_message(
            request.id, from_member, source_id, text[:RELAY_STORE_LIMIT], images, self._clock()
        )

    async def message(self, message_id: int) -> RelayMessage | None:
        return await self._repo.message(message_id)

    async def part_sent(self, message_id: int, parts: int) -> None:
        await self._repo.part_sent(message_id, parts)

    async def message_done(self, message: RelayMessage, guild_id: int, *, sent: bool) -> None:
        """The message went across (or was dropped): its text goes now unless the server keeps relayed text."""
        settings = await self._repo.settings(guild_id)
        await self._repo.finish_message(
            message.id, "sent" if sent else "dropped", sent and settings.store_text, self._clock()
        )

    async def purge_relayed_text(self) -> int:
        """Wipe relayed text past each server's retention period (run from the delivery loop)."""
        wiped = 0
        for guild_id in await self._repo.guilds_with_text():
            settings = await self._repo.settings(guild_id)
            keep = timedelta(days=settings.retention_days) if settings.store_text else timedelta(0)
            wiped += await self._repo.purge_text(guild_id, self._clock() - keep)
            retention = timedelta(days=settings.retention_days)
            wiped += await self._repo.purge_first_messages(guild_id, self._clock() - retention)
        return wiped

    # --- peer flags and check-ons

    async def flag(
        self, guild_id: int, reporter_id: int, subject_id: int, channel_id: int, message_id: int, note: str
    ) -> int | None:
        """A member is worried about someone's message: a concern card for moderators. None if rate-limited."""
        if reporter_id == subject_id:
            raise DomainError("support.flag.self")
        now = self._clock()
        bad = await self._repo.flags_since(guild_id, reporter_id, now - BAD_FAITH_WINDOW, bad_faith=True)
        limit, period = flag_limit(bad)
        if await self._repo.flags_since(guild_id, reporter_id, now - period, bad_faith=False) >= limit:
            return None
        clean = note.strip()[:NOTE_LIMIT] or None
        flag_id = await self._repo.insert_flag(
            {
                "guild_id": guild_id,
                "reporter_id": reporter_id,
                "subject_id": subject_id,
                "channel_id": channel_id,
                "message_id": message_id,
                "note": clean,
                "created_at": now,
            }
        )
        reason = f"Flag #{flag_id}: a member is worried about this message."
        if clean:
            reason += f" Their note: {clean}"
        alert_id = await self._crisis.request_moderator(
            guild_id, subject_id, message_id, reason, Kind.CONCERN, channel_id=channel_id
        )
        await self._repo.set_flag_alert(flag_id, alert_id)
        log.info("Peer flag #%d raised alert #%d in server %s", flag_id, alert_id, guild_id)
        return alert_id

    async def mark_bad_faith(self, flag_id: int, guild_id: int, moderator_id: int) -> bool:
        return await self._repo.mark_bad_faith(flag_id, guild_id, moderator_id)

    async def check_on(self, guild_id: int, member_id: int, moderator_id: int) -> int | None:
        """Record a check-on and queue its DM. None if someone checked on this member in the last day."""
        now = self._clock()
        if await self._repo.checkons_since(guild_id, member_id, now - CHECKON_EVERY):
            return None
        return await self._repo.insert_checkon(guild_id, member_id, moderator_id, now)

    async def checkon(self, checkon_id: int) -> Any:
        return await self._repo.checkon(checkon_id)

    async def checkon_done(self, checkon_id: int, delivered: bool) -> None:
        await self._repo.finish_checkon(checkon_id, "sent" if delivered else "closed", self._clock())

    async def block(self, guild_id: int, user_id: int, blocked_id: int) -> None:
        await self._repo.block(guild_id, user_id, blocked_id, self._clock())
