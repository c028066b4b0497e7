"""What the parts of the buddy service share: limits, the answers it gives, and its errors. No discord here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.pairing import (
    Cadence,
    OddRule,
)
from bot.errors import DomainError
from bot.storage.buddies import MemberRow, PairingRow

WORRY_EVERY = timedelta(hours=12)  # one "I'm worried" per member per 12 hours reaches the moderators
REPORTS_PER_DAY = 3
NUDGE_EVERY = timedelta(hours=24)  # "let my buddy know" after a low check-in, once a day
MAX_ATTEMPTS = 8  # then the member is told at their next command
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


def zone_of(name: str) -> ZoneInfo:
    """A stored zone name as a ZoneInfo (UTC if unknown)."""
    try:
        return ZoneInfo(name)
    except Exception:
        return ZoneInfo("UTC")
