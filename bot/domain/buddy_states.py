"""The states of buddy pairing (members, pairings, answers, queued DMs) and the delivery kind of a buddy DM.

Pure: no discord, no I/O. The values are what the database stores.
"""

from __future__ import annotations

from enum import StrEnum

DM = "buddy.dm"  # the delivery engine kind of one queued buddy DM (ref: its buddy_outbox id)


class MemberStatus(StrEnum):
    """Where a member of buddy pairing is."""

    WAITING = "waiting"
    PAIRED = "paired"
    PAUSED = "paused"


class PairingStatus(StrEnum):
    """Where one pairing is."""

    PENDING = "pending"  # introduced, waiting for both answers
    ACTIVE = "active"


OPEN = (PairingStatus.PENDING.value, PairingStatus.ACTIVE.value)


class Response(StrEnum):
    """A member's answer to an introduction."""

    PENDING = "pending"


class DmKind(StrEnum):
    """The queued DMs that depend on the pairing's state (the others are notes that are always sent)."""

    INTRO = "intro"
    ACTIVE = "active"
    HALFWAY = "halfway"
    NUDGE = "nudge"
    LEFT_OVER = "left_over"
    UNMATCHED = "unmatched"


class OutboxState(StrEnum):
    """Where one queued buddy DM is (the delivery engine leases and retries it)."""

    PENDING = "pending"
    SENT = "sent"  # by DM or in the pair's private thread
    UNDELIVERABLE = "undeliverable"  # neither: the member is told at their next command
    CANCELLED = "cancelled"  # no longer made sense (the pairing moved on, or the member left)
