"""How long Haven keeps each kind of member text, and the bounds moderators may choose within."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.errors import DomainError

Kind = Literal["excerpts", "notes", "reports"]
KINDS: tuple[Kind, ...] = ("excerpts", "notes", "reports")


@dataclass(frozen=True)
class Bounds:
    """A kind's default and the range a server may choose, in days."""

    default: int
    low: int
    high: int


# Alert excerpts and "what matched" (the bound is /crisis settings retention_days' own); check-in notes (the note
# is cleared, the mood stays); buddy worries and reports (the row goes).
BOUNDS: dict[Kind, Bounds] = {
    "excerpts": Bounds(30, 1, 365),
    "notes": Bounds(365, 30, 730),
    "reports": Bounds(90, 30, 365),
}


@dataclass(frozen=True)
class Retention:
    """One server's retention periods, in days."""

    excerpts: int = BOUNDS["excerpts"].default
    notes: int = BOUNDS["notes"].default
    reports: int = BOUNDS["reports"].default

    def days(self, kind: Kind) -> int:
        """The period for one kind."""
        return int(getattr(self, kind))


class RetentionOutOfBounds(DomainError):
    """A moderator chose a period outside what Haven allows for that kind."""

    key = "setup.retention.bounds.notes"


def check_days(kind: Kind, days: int) -> int:
    """``days`` if it is within the kind's bounds.

    Raises:
        RetentionOutOfBounds: naming the bounds and the value chosen.
    """
    bounds = BOUNDS[kind]
    if not bounds.low <= days <= bounds.high:
        raise RetentionOutOfBounds(
            f"setup.retention.bounds.{kind}", low=bounds.low, high=bounds.high, days=days
        )
    return days
