"""What the detector works with and answers: severities, kinds, lexicon entries, hits and the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Severity(IntEnum):
    """How urgent a detection is. ``WATCH`` never raises a card; moderators are pinged for HIGH and IMMINENT."""

    WATCH = 0
    MODERATE = 1
    HIGH = 2
    IMMINENT = 3

    @property
    def label(self) -> str:
        """The lower-case name used in data, settings and the catalogs."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``imminent``, ``high``, ``moderate`` or ``watch``."""
        return cls[text.strip().upper()]


class Kind(StrEnum):
    """Whose safety a detection is about."""

    SELF = "self"  # the writer
    CONCERN = "concern"  # someone the writer is worried about
    HARASSMENT = "harassment"  # aimed at another member ("kys")


KIND_PRIORITY = {Kind.SELF: 0, Kind.CONCERN: 1, Kind.HARASSMENT: 2}
FIRST_PERSON = frozenset({"i", "im", "ive", "id", "il", "me", "myself", "my", "mine"})
MAX_TEXT = 4000


@dataclass(frozen=True)
class Entry:
    """A lexicon phrase (or a server's phrase) with what it means."""

    phrase: str
    tokens: tuple[str, ...]
    severity: Severity
    kind: Kind
    category: str
    source: str


@dataclass(frozen=True)
class Hit:
    """One match: the phrase, the rule that produced it, and (if it was set aside) why."""

    phrase: str
    rule: str
    severity: Severity
    kind: Kind
    start: int
    end: int
    suppressed_by: str | None = None


@dataclass(frozen=True)
class Detection:
    """The detector's verdict on one text, with its reasons."""

    severity: Severity | None
    kind: Kind | None
    hits: tuple[Hit, ...] = ()
    suppressed: tuple[Hit, ...] = ()
    escalated_by: tuple[str, ...] = ()
    quiet_because: str | None = None  # why a card that would ping was kept quiet (the lower-confidence tier)

    @property
    def alert(self) -> bool:
        """Whether a server with default settings gets an alert card (moderate or above)."""
        return self.severity is not None and self.severity >= Severity.MODERATE

    @property
    def is_crisis(self) -> bool:
        """Whether this is a crisis alert about the writer or someone they worry about (not harassment)."""
        return self.alert and self.kind in (Kind.SELF, Kind.CONCERN)

    def explain(self) -> list[str]:
        """Plain-words reasons, one per hit, for /crisis test and the alert card."""
        lines = [
            f"matched \u201c{h.phrase}\u201d ({h.rule}, {h.severity.label}, {h.kind.value})"
            for h in self.hits
        ]
        lines += [f"escalated: {reason}" for reason in self.escalated_by]
        if self.quiet_because:
            lines.append(f"kept quiet (a card without a ping): {self.quiet_because}")
        lines += [f"set aside \u201c{h.phrase}\u201d: {h.suppressed_by}" for h in self.suppressed]
        return lines


NO_DETECTION = Detection(severity=None, kind=None)
