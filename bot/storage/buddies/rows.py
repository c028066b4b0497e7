"""The rows the buddy repository hands out: settings, members, pairings and queued DMs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


class Conflict(Exception):
    """Someone else changed the rows first (two presses at once, two workers)."""


@dataclass(frozen=True)
class SettingsRow:
    """A server's buddy settings as stored."""

    guild_id: int
    topics: tuple[str, ...] | None
    cadence: str
    channel_id: int | None
    listener_role_id: int | None
    odd_rule: str
    history_rounds: int
    round_number: int
    round_started_at: datetime | None
    next_round_at: datetime | None


@dataclass(frozen=True)
class MemberRow:
    """A member in the buddy programme."""

    guild_id: int
    user_id: int
    topics: tuple[str, ...]
    timezone: str
    looking_for: str
    intro: str | None
    status: str
    paused_until: datetime | None
    priority: bool
    sit_out_round: int | None
    joined_at: datetime


@dataclass(frozen=True)
class PairMember:
    """One person in a pairing."""

    user_id: int
    response: str
    talked: str | None
    left: bool


@dataclass(frozen=True)
class PairingRow:
    """A pairing (two people, or three) with its members."""

    id: int
    guild_id: int
    round_number: int
    status: str
    seed: int
    thread_id: int | None
    created_at: datetime
    respond_by: datetime
    halfway_at: datetime | None
    halfway_sent: bool
    members: tuple[PairMember, ...]

    def member(self, user_id: int) -> PairMember | None:
        """The member with this id, if they are in the pairing."""
        return next((m for m in self.members if m.user_id == user_id), None)

    @property
    def present(self) -> tuple[PairMember, ...]:
        """Members who haven't left."""
        return tuple(m for m in self.members if not m.left)


@dataclass(frozen=True)
class OutboxRow:
    """A DM to send."""

    id: int
    guild_id: int
    user_id: int
    pairing_id: int | None
    kind: str
    attempts: int
    about_id: int | None = None


def outbox_row(r: Any) -> OutboxRow:
    return OutboxRow(
        r["id"], r["guild_id"], r["user_id"], r["pairing_id"], r["kind"], r["attempts"], r["about_id"]
    )


def split_lines(text: str | None) -> tuple[str, ...]:
    return tuple(t for t in (text or "").split("\n") if t)


def member_row(r: Any) -> MemberRow:
    return MemberRow(
        r["guild_id"],
        r["user_id"],
        split_lines(r["topics"]),
        r["timezone"],
        r["looking_for"],
        r["intro"],
        r["status"],
        r["paused_until"],
        bool(r["priority"]),
        r["sit_out_round"],
        r["joined_at"],
    )
