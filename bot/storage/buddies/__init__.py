"""Repository for buddy pairing: settings, members, pairings, blocks, reports and the DM outbox.

One repository in four parts: ``members`` (settings, rounds, members, blocks), ``pairings``, ``outbox`` (queued DMs and
their delivery items) and ``reports`` (worries, reports, forgetting, stats). The rows are in ``rows``.
"""

from __future__ import annotations

from bot.domain.buddy_states import OPEN
from bot.storage.buddies._common import SENDABLE
from bot.storage.buddies.members import MemberStore
from bot.storage.buddies.outbox import OutboxStore
from bot.storage.buddies.pairings import PairingStore
from bot.storage.buddies.reports import ReportStore
from bot.storage.buddies.rows import Conflict, MemberRow, OutboxRow, PairingRow, PairMember, SettingsRow

__all__ = [
    "OPEN",
    "SENDABLE",
    "BuddyRepository",
    "Conflict",
    "MemberRow",
    "OutboxRow",
    "OutboxStore",
    "PairMember",
    "PairingRow",
    "SettingsRow",
]


class BuddyRepository(MemberStore, PairingStore, ReportStore):
    """Reads and writes the buddy tables."""
