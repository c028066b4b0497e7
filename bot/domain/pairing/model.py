"""The vocabulary of buddy pairing: what members look for, how often rounds run, who waits, what a round must
respect and what it produced; and the weights and limits the matching works with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TOPICS_MAX = 25  # one select menu
INTRO_MAX = 300
DEFAULT_TOPICS = (
    "Anxiety",
    "Low mood",
    "Stress",
    "Loneliness",
    "Grief and loss",
    "Relationships",
    "Family",
    "Work or school",
    "Recovery",
    "Health",
    "Identity",
    "Hobbies",
    "Just chatting",
)
WAKING_HOURS = 15  # 08:00 to 23:00 local
TOPIC_WEIGHT = 3.0
OVERLAP_WEIGHT = 2.0
COMPLEMENT_BONUS = 1.0
BASE = 0.5
SCORE_MAX = BASE + TOPIC_WEIGHT * TOPICS_MAX + OVERLAP_WEIGHT + COMPLEMENT_BONUS  # 78.5
PRIORITY = 100.0  # more than SCORE_MAX: going first outweighs any score
REPEAT_PENALTY = 1000.0  # more than SCORE_MAX + 2 x PRIORITY: a repeat is always negative
# The path a round takes, chosen by measured time and quality (docs/PERFORMANCE.md, bench/bench_pairing.py): every
# pair up to FULL_GRAPH_MAX waiting (at most 79,800 pairs); beyond, likely partners only, as many each way along each
# list as keeps members x neighbours near SPARSE_BUDGET (16 up to 3,125 members, 6 from 8,333), so that the time
# grows smoothly with the round instead of jumping where the full graph stops.
FULL_GRAPH_MAX = 400
NEIGHBOURS = 8  # likely partners each way along a list, when not chosen by the size of the round
NEIGHBOURS_MIN, NEIGHBOURS_MAX = 6, 16
SPARSE_BUDGET = 50_000
FEW_ALONE = 6  # so few left alone are given every possible partner, not only likely ones
AUGMENT_BUDGET = 300_000  # edges the search for augmenting paths may look at (a bound on time)
_ANY = 1 << 30  # any number of repeats in an augmenting path
ACCEPT_WITHIN = timedelta(hours=48)
HISTORY_ROUNDS = 6


class LookingFor(StrEnum):
    """What a member is looking for."""

    TALK = "talk"  # someone to talk to
    SUPPORT = "support"  # someone to support
    BOTH = "both"


class Cadence(StrEnum):
    """How often a server pairs its members."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    def next_round(self, after: datetime) -> datetime:
        """When the round after one starting at ``after`` starts."""
        if self is Cadence.WEEKLY:
            return after + timedelta(days=7)
        if self is Cadence.BIWEEKLY:
            return after + timedelta(days=14)
        return after + timedelta(days=30)


class OddRule(StrEnum):
    """What happens to the one person left over."""

    TRIO = "trio"  # one group of three
    NEXT = "next"  # told, and goes first next round


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member waiting to be paired, as the matching sees them."""

    user_id: int
    topics: frozenset[str]
    utc_offset_minutes: int
    looking_for: LookingFor
    priority: bool = False


@dataclass(frozen=True)
class Rules:
    """What the matching must respect."""

    recent: frozenset[frozenset[int]] = frozenset()  # pairs from the last N rounds
    blocks: frozenset[frozenset[int]] = frozenset()  # either way
    odd: OddRule = OddRule.TRIO


@dataclass(frozen=True)
class Matching:
    """The groups of a round (pairs, and at most one group of three) and who was left over."""

    groups: tuple[tuple[int, ...], ...]
    left_over: tuple[int, ...]
    weight: float  # the sum of the pairs' weights (a trio counts its original pair)
