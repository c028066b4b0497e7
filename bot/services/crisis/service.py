"""Crisis escalation use cases: scanning a message, the alert outbox, moderators' workflow, settings and stats."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.alerts import (
    SETTING_LIMITS,
    CardState,
    CrisisSettings,
    ReplyState,
    Status,
    excerpt,
    in_cooldown,
    merges_into,
    reason_ref,
)
from bot.domain.cooldown import Cooldown
from bot.domain.crisis import (
    PHRASES_MAX,
    CustomPhrase,
    Detection,
    Detector,
    Kind,
    Lexicon,
    Severity,
    validate_phrase,
)
from bot.errors import InvalidInput
from bot.services.crisis.outcomes import (
    CACHE_SECONDS,
    DETECTOR_CACHE,
    DIRECT_REPLY_COOLDOWN,
    THREAD_TEXT,
    MessageToScan,
    ScanOutcome,
    ScanResult,
)
from bot.services.crisis.workflow import AlertWorkflow
from bot.storage.crisis import CrisisRepository

log = logging.getLogger(__name__)


class CrisisService(AlertWorkflow):
    """Detects crisis language, keeps the alert outbox, and runs the moderators' side of an alert."""

    def __init__(self, lexicon: Lexicon, repo: CrisisRepository, clock: Clock) -> None:
        self.lexicon = lexicon
        self._repo = repo
        self._clock = clock
        self._detectors: OrderedDict[int, Detector] = OrderedDict()
        self._phrase_changes: dict[int, int] = {}  # guild -> changes so far, so a stale build isn't cached
        self.base_detector = Detector(lexicon)
        # Per-message lookups are cached briefly; changes made here take effect at once, changes made by another
        # process (several bots on one PostgreSQL database) within CACHE_SECONDS.
        self._cache: dict[tuple[str, int], tuple[datetime, Any]] = {}
        self._direct_replies = Cooldown(DIRECT_REPLY_COOLDOWN)

    async def _cached(self, kind: str, key: int, load: Any) -> Any:
        now = self._clock()
        hit = self._cache.get((kind, key))
        if hit is not None and hit[0] > now:
            return hit[1]
        value = await load()
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[(kind, key)] = (now + timedelta(seconds=CACHE_SECONDS), value)
        return value

    def _forget(self, kind: str, key: int) -> None:
        self._cache.pop((kind, key), None)

    # --- detection

    async def detector_for(self, guild_id: int | None) -> Detector:
        """The detector with a server's own phrases and allow-list (cached; rebuilt when they change).

        A server's detector is built in a worker thread (up to a thousand phrases take tens of milliseconds).
        """
        if guild_id is None:
            return self.base_detector
        cached = self._detectors.get(guild_id)
        if cached is not None:
            self._detectors.move_to_end(guild_id)
            return cached
        changes = self._phrase_changes.get(guild_id, 0)
        custom = [CustomPhrase(p, s) for p, s in await self._repo.phrases(guild_id, allow=False)]
        allow = [p for p, _ in await self._repo.phrases(guild_id, allow=True)]
        if custom or allow:
            detector = await asyncio.to_thread(Detector, self.lexicon, custom, allow)
        else:
            detector = self.base_detector
        if self._phrase_changes.get(guild_id, 0) == changes:  # not changed while it was being built
            self._detectors[guild_id] = detector
            if len(self._detectors) > DETECTOR_CACHE:
                self._detectors.popitem(last=False)
        return detector

    def _phrases_changed(self, guild_id: int) -> None:
        self._phrase_changes[guild_id] = self._phrase_changes.get(guild_id, 0) + 1
        self._detectors.pop(guild_id, None)

    async def detect(self, guild_id: int | None, text: str) -> Detection:
        """What the detector finds in ``text`` in a server; long texts are analysed in a worker thread."""
        detector = await self.detector_for(guild_id)
        if len(text) > THREAD_TEXT:
            return await asyncio.to_thread(detector.detect, text)
        return detector.detect(text)

    async def test(self, guild_id: int | None, text: str) -> Detection:
        """What the detector would do with ``text`` in a server (for /crisis test)."""
        return await self.detect(guild_id, text)

    # --- scanning

    async def may_scan(
        self, guild_id: int, member_id: int, channel_id: int | None, role_ids: Sequence[int]
    ) -> bool:
        """Whether a message may be scanned: scanning on, not ignored, member not opted out (if allowed)."""
        settings: CrisisSettings = await self._cached(
            "settings", guild_id, lambda: self._repo.settings(guild_id)
        )
        if not settings.scanning:
            return False
        ignored: dict[int, str] = await self._cached(
            "ignored", guild_id, lambda: self._repo.ignored(guild_id)
        )
        if channel_id in ignored or any(r in ignored for r in role_ids):
            return False
        if not settings.allow_optout:
            return True
        return not await self._cached("optout", member_id, lambda: self._repo.opted_out(member_id))

    async def scan(self, message: MessageToScan, *, alerts_configured: bool) -> ScanResult:
        """Scan one message; on a detection, write the alert to the outbox before anything is sent."""
        if not alerts_configured or not await self.may_scan(
            message.guild_id, message.member_id, message.channel_id, message.role_ids
        ):
            return ScanResult(ScanOutcome.SKIPPED)  # opted-out members' messages are never looked at
        detection = await self.detect(message.guild_id, message.text)
        if not detection.alert or detection.severity is None or detection.kind is None:
            return ScanResult(ScanOutcome.NOTHING, detection)
        return await self._record(message, detection)

    async def _record(self, message: MessageToScan, detection: Detection) -> ScanResult:
        assert detection.severity is not None
        assert detection.kind is not None
        now = self._clock()
        settings = await self._repo.settings(message.guild_id)
        matched = "; ".join(detection.explain())[:1000]
        short = excerpt(message.text)
        existing = await self._repo.by_message(message.guild_id, message.message_id)
        if existing is not None:  # an edit of a message we already alerted on
            await self._repo.add_hit(existing.id, short, matched, detection.severity, now, message.from_dm)
            return ScanResult(ScanOutcome.UPDATED, detection, existing.id)
        open_alert = await self._repo.active_for_member(message.guild_id, message.member_id)
        if merges_into(open_alert, detection.severity):
            assert open_alert is not None
            await self._repo.add_hit(open_alert.id, short, matched, detection.severity, now, message.from_dm)
            return ScanResult(ScanOutcome.UPDATED, detection, open_alert.id)
        last_closed = await self._repo.last_closed_for_member(message.guild_id, message.member_id)
        if in_cooldown(last_closed, detection.severity, settings, now):
            assert last_closed is not None
            await self._repo.add_hit(last_closed.id, short, matched, detection.severity, now, message.from_dm)
            return ScanResult(ScanOutcome.UPDATED, detection, last_closed.id)
        reply = (
            ReplyState.PENDING
            if settings.auto_reply and detection.kind in (Kind.SELF, Kind.CONCERN)
            else ReplyState.NONE
        )
        alert_id, created = await self._repo.insert_alert(
            {
                "guild_id": message.guild_id,
                "member_id": message.member_id,
                "channel_id": message.channel_id,
                "message_id": message.message_id,
                "from_dm": message.from_dm,
                "kind": detection.kind.value,
                "severity": detection.severity.label,
                "excerpt": short,
                "matched": matched,
                "status": Status.OPEN.value,
                "card_state": CardState.PENDING.value,
                "reply_state": reply.value,
                "created_at": now,
                "updated_at": now,
            }
        )
        log.warning(
            "Crisis alert #%d raised in server %s (%s, %s)",
            alert_id,
            message.guild_id,
            detection.severity.label,
            detection.kind.value,
        )
        return ScanResult(ScanOutcome.NEW if created else ScanOutcome.UPDATED, detection, alert_id)

    async def request_check_in(self, guild_id: int, member_id: int, request_id: int) -> int:
        """The member asked (after a low check-in) for a moderator to reach out: a card, no ping, no excerpt text."""
        return await self.request_moderator(
            guild_id,
            member_id,
            request_id,
            reason_ref("crisis.request.check_in"),
            Kind.SELF,
        )

    async def request_moderator(
        self,
        guild_id: int,
        member_id: int,
        request_key: int,
        reason: str,
        kind: Kind,
        *,
        channel_id: int | None = None,
    ) -> int:
        """A card for moderators that a member asked for (no detection, no ping, no message text).

        ``request_key`` stands where a message id would be: positive for check-in requests, negative for buddy
        reports, so the two never collide. The card follows the same claim workflow as crisis alerts. With
        ``channel_id``, ``request_key`` is a message in that channel (a peer's flag) and the card links to it;
        every flag of one message shares one card.
        """
        now = self._clock()
        alert_id, _ = await self._repo.insert_alert(
            {
                "guild_id": guild_id,
                "member_id": member_id,
                "channel_id": channel_id,
                "message_id": request_key,
                "from_dm": channel_id is None,
                "kind": kind.value,
                "severity": Severity.MODERATE.label,
                "excerpt": None,
                "matched": reason,
                "status": Status.OPEN.value,
                "card_state": CardState.PENDING.value,
                "reply_state": ReplyState.NONE.value,
                "created_at": now,
                "updated_at": now,
            }
        )
        return alert_id

    # --- settings

    async def settings(self, guild_id: int) -> CrisisSettings:
        """A server's crisis settings (cached like the scanning lookups; a change made here takes effect at once)."""
        settings: CrisisSettings = await self._cached(
            "settings", guild_id, lambda: self._repo.settings(guild_id)
        )
        return settings

    async def update_settings(self, guild_id: int, **changes: Any) -> CrisisSettings:
        """Change some settings; numbers are checked against their limits."""
        for name, value in changes.items():
            if name in SETTING_LIMITS and value is not None:
                low, high = SETTING_LIMITS[name]
                if not low <= int(value) <= high:
                    raise InvalidInput("crisis.settings.error.range", name=name, low=low, high=high)
        current = await self._repo.settings(guild_id)
        updated = replace(current, **{k: v for k, v in changes.items() if v is not None})
        await self._repo.save_settings(updated, self._clock())
        self._forget("settings", guild_id)
        return updated

    async def clear_escalation_role(self, guild_id: int) -> CrisisSettings:
        """Stop escalating to a second role."""
        current = await self._repo.settings(guild_id)
        updated = replace(current, escalation_role_id=None)
        await self._repo.save_settings(updated, self._clock())
        self._forget("settings", guild_id)
        return updated

    async def add_phrase(
        self, guild_id: int, text: str, severity: Severity, by: int, *, allow: bool = False
    ) -> str:
        """Add a server phrase (or an allow-list phrase); validated, at most 1,000 each."""
        phrase = validate_phrase(text, self.lexicon.normaliser)
        if await self._repo.count_phrases(guild_id, allow=allow) >= PHRASES_MAX:
            raise InvalidInput("crisis.phrase.error.too_many", max=PHRASES_MAX)
        if not await self._repo.add_phrase(guild_id, phrase, severity, allow=allow, by=by, now=self._clock()):
            raise InvalidInput("crisis.phrase.error.exists", phrase=phrase)
        self._phrases_changed(guild_id)
        return phrase

    async def remove_phrase(self, guild_id: int, text: str, *, allow: bool = False) -> None:
        """Remove a server phrase or allow-list phrase."""
        if not await self._repo.remove_phrase(guild_id, " ".join(text.split()), allow=allow):
            raise InvalidInput("crisis.phrase.error.missing", phrase=text[:100])
        self._phrases_changed(guild_id)

    async def phrases(self, guild_id: int, *, allow: bool = False) -> list[tuple[str, Severity]]:
        """A server's phrases or allow-list."""
        return await self._repo.phrases(guild_id, allow=allow)

    async def toggle_ignored(self, guild_id: int, target_id: int, target_type: str) -> bool:
        """Ignore (or stop ignoring) a channel or role. Returns whether it is ignored now."""
        self._forget("ignored", guild_id)
        return await self._repo.toggle_ignored(guild_id, target_id, target_type)

    async def ignored(self, guild_id: int) -> dict[int, str]:
        """A server's ignored channels and roles."""
        return await self._repo.ignored(guild_id)

    async def set_optout(self, user_id: int, opted_out: bool) -> None:
        """A member turns scanning of their own messages off or on."""
        await self._repo.set_optout(user_id, opted_out, self._clock())
        self._forget("optout", user_id)

    async def opted_out(self, user_id: int) -> bool:
        """Whether a member turned scanning off."""
        return await self._repo.opted_out(user_id)

    async def direct_reply(self, member_id: int, text: str) -> Detection | None:
        """Someone wrote to Haven in crisis and no server of theirs can tell moderators: the detection to answer
        kindly with, or ``None`` (nothing in crisis, scanning turned off, or answered within the cooldown)."""
        if await self.opted_out(member_id):
            return None
        detection = await self.test(None, text)
        if not detection.is_crisis or not self._direct_replies.allow(member_id, self._clock()):
            return None
        return detection

    async def purge_old_excerpts(self) -> int:
        """Delete excerpts past each server's retention period; counts remain. Returns how many."""
        now = self._clock()
        purged = 0
        for guild_id in await self._repo.guilds_with_excerpts(now - timedelta(days=1)):
            settings = await self._repo.settings(guild_id)
            purged += await self._repo.purge_excerpts(guild_id, now - timedelta(days=settings.retention_days))
        if purged:
            log.info("Deleted %d alert excerpts past their retention period", purged)
        return purged
