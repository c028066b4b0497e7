"""Crisis alerts: settings, the alert record, and the rules for pinging, retrying, merging and counting.

Pure: no discord, no I/O; time comes in as a parameter.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.crisis import Kind, Severity
from bot.domain.resources import Topic

EXCERPT_MAX = 200
LEASE_SECONDS = 10
# The kinds of delivery work item an alert causes (see bot/delivery).
CARD = "crisis.card"
EDIT = "crisis.edit"
REPING = "crisis.reping"
REPLY = "crisis.reply"
OWNER = "crisis.owner"  # the server owner told once that an alert couldn't be posted (no member's words)
REPINGS = 2  # the moderator role once more, then the second role


class Status(StrEnum):
    """Where an alert is in the moderators' workflow."""

    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    FALSE_ALARM = "false_alarm"

    @property
    def active(self) -> bool:
        """Whether moderators still have to act."""
        return self in (Status.OPEN, Status.CLAIMED)


class CardState(StrEnum):
    """Delivery of the alert card to the alert channel (the outbox)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"


class ReplyState(StrEnum):
    """The private reply to the member."""

    PENDING = "pending"
    SENT = "sent"
    CLOSED = "closed"  # their DMs are closed
    NONE = "none"  # not sent (turned off, or not about the writer)


@dataclass(frozen=True)
class CrisisSettings:
    """One server's crisis settings (defaults when none were saved)."""

    guild_id: int
    scanning: bool = True
    auto_reply: bool = True
    tell_member: bool = True
    allow_optout: bool = True
    cooldown_seconds: int = 600
    reping_seconds: int = 300
    escalation_role_id: int | None = None
    retention_days: int = 30
    transparency_channel_id: int | None = None
    transparency_message_id: int | None = None


SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "cooldown_seconds": (0, 24 * 3600),
    "reping_seconds": (60, 24 * 3600),
    "retention_days": (1, 365),
}


@dataclass(frozen=True)
class Alert:
    """A stored alert (one row of the outbox)."""

    id: int
    guild_id: int
    member_id: int
    channel_id: int | None
    message_id: int
    from_dm: bool
    kind: Kind
    severity: Severity
    excerpt: str | None
    matched: str
    status: Status
    hits: int
    card_message_id: int | None
    card_state: CardState
    card_attempts: int
    reply_state: ReplyState
    owner_told: bool
    pings: int
    next_ping_at: datetime | None
    claimed_by: int | None
    claimed_at: datetime | None
    closed_by: int | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


def should_ping(severity: Severity) -> bool:
    """Moderators are pinged for high and imminent alerts only."""
    return severity >= Severity.HIGH


def excerpt(text: str, limit: int = EXCERPT_MAX) -> str:
    """A short, single-line excerpt for the card."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def first_ping_due(severity: Severity, settings: CrisisSettings, now: datetime) -> datetime | None:
    """When to ping again if nobody claims the card (only for alerts that ping)."""
    return now + timedelta(seconds=settings.reping_seconds) if should_ping(severity) else None


def next_ping_due(pings_done: int, settings: CrisisSettings, now: datetime) -> datetime | None:
    """After a re-ping: the next one (the second role) or none."""
    if pings_done >= REPINGS or (pings_done >= 1 and settings.escalation_role_id is None):
        return None
    return now + timedelta(seconds=settings.reping_seconds)


def merges_into(open_alert: Alert | None, severity: Severity) -> bool:
    """Whether a new detection updates the member's open card instead of raising a new one.

    A more severe detection than the open card gets a card (and ping) of its own, so nothing urgent is folded away.
    """
    return open_alert is not None and open_alert.status.active and severity <= open_alert.severity


def in_cooldown(
    last_closed: Alert | None, severity: Severity, settings: CrisisSettings, now: datetime
) -> bool:
    """Whether a new detection shortly after a closed card should update that card quietly.

    Imminent detections never wait out a cooldown.
    """
    if last_closed is None or last_closed.closed_at is None or severity >= Severity.IMMINENT:
        return False
    return now - last_closed.closed_at < timedelta(seconds=settings.cooldown_seconds)


@dataclass(frozen=True)
class Stats:
    """Alert counts for a period."""

    days: int
    by_severity: dict[str, int]
    total: int
    false_alarms: int
    median_claim_seconds: float | None

    @property
    def false_alarm_rate(self) -> float | None:
        """Share of closed alerts marked false alarm."""
        return self.false_alarms / self.total if self.total else None


def stats(alerts: Sequence[Alert], now: datetime, days: int) -> Stats:
    """Counts by severity, false alarms and median time to claim over the last ``days`` days."""
    since = now - timedelta(days=days)
    recent = [a for a in alerts if a.created_at >= since]
    by_severity = {s.label: 0 for s in (Severity.IMMINENT, Severity.HIGH, Severity.MODERATE)}
    for alert in recent:
        by_severity[alert.severity.label] = by_severity.get(alert.severity.label, 0) + 1
    claims = [(a.claimed_at - a.created_at).total_seconds() for a in recent if a.claimed_at is not None]
    return Stats(
        days=days,
        by_severity=by_severity,
        total=len(recent),
        false_alarms=sum(1 for a in recent if a.status is Status.FALSE_ALARM),
        median_claim_seconds=statistics.median(claims) if claims else None,
    )


def help_topic(kind: Kind | None) -> Topic:
    """Which help to show with a reply about an alert: for a worried friend, or for the person in crisis."""
    return Topic.SUPPORT_A_FRIEND if kind is Kind.CONCERN else Topic.SUICIDE_CRISIS


# A reason written for moderators by Haven itself (a member's request) is stored as a catalog key, so the card
# reads it in the server's language: "i18n:" then {"key": ..., "params": {...}}. Anything else is shown as stored.
REASON_PREFIX = "i18n:"


def reason_ref(key: str, **params: str) -> str:
    """A moderator-facing reason, stored as a catalog key and its parameters."""
    return REASON_PREFIX + json.dumps({"key": key, "params": params}, ensure_ascii=False, sort_keys=True)


def parse_reason(matched: str) -> tuple[str, dict[str, str]] | None:
    """The catalog key and parameters of a reason from ``reason_ref``; ``None`` for text shown as stored."""
    if not matched.startswith(REASON_PREFIX):
        return None
    try:
        data: Any = json.loads(matched[len(REASON_PREFIX) :])
        key: Any = data["key"]
        params: Any = data.get("params", {})
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(key, str) or not isinstance(params, dict):
        return None
    named: dict[Any, Any] = params  # pyright: ignore[reportUnknownVariableType]
    return key, {str(name): str(value) for name, value in named.items()}
