"""The delivery engine's rules: work item states, the one backoff policy, lease lengths.

Pure: no discord, no I/O; time comes in as a parameter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_BACKOFF_SECONDS = 300
LEASE_SECONDS = 10  # a lease is short ...
RENEW_SECONDS = 3  # ... and renewed this often while its send is in progress
HEARTBEAT_SECONDS = 3
NONCE_LENGTH = 25  # Discord's limit for a message nonce
# DMs sent in bulk (prompts, reminders, pairing DMs) a second at most, below Discord's global 50 requests a second;
# CHECKIN_SEND_RATE overrides it.
DM_SEND_RATE = 40.0


class ItemState(StrEnum):
    """Where one work item is."""

    PENDING = "pending"  # waiting for its due time
    LEASED = "leased"  # one process holds it and may send it
    DONE = "done"  # sent (or found already sent, or no longer needed)


class Outcome(StrEnum):
    """What a handler reports about one attempt."""

    DONE = "done"  # sent, or nothing left to send
    RETRY = "retry"  # try again after the backoff


@dataclass(frozen=True)
class DeliveryItem:
    """One thing to send: its kind, what it is about (``ref``), when, and how often it was tried."""

    id: int
    kind: str
    ref: int
    due_at: datetime
    attempts: int  # how many times it was leased (an attempt in progress counts)
    state: ItemState
    lease_owner: str | None
    lease_until: datetime | None
    nonce: str

    @property
    def recovering(self) -> bool:
        """Leased before: an earlier attempt may have reached Discord, so look for it before sending."""
        return self.attempts > 1


def backoff(attempts: int) -> timedelta:
    """How long to wait after failed attempt number ``attempts`` (2 s, 4 s, 8 s ... up to 5 minutes)."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2 ** max(1, min(attempts, 30))))


def lease_until(now: datetime) -> datetime:
    """When a lease taken or renewed at ``now`` runs out."""
    return now + timedelta(seconds=LEASE_SECONDS)


def make_nonce(kind: str, ref: int, created_at: datetime) -> str:
    """A nonce for one work item, the same on every attempt (so Discord can refuse a second create)."""
    digest = hashlib.sha256(f"{kind}:{ref}:{created_at.isoformat()}".encode()).hexdigest()
    return digest[:NONCE_LENGTH]
