"""How well two members fit: the weight of a pair, and the best partner for someone who just joined."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.pairing.model import (
    BASE,
    COMPLEMENT_BONUS,
    OVERLAP_WEIGHT,
    PRIORITY,
    REPEAT_PENALTY,
    TOPIC_WEIGHT,
    WAKING_HOURS,
    Candidate,
    LookingFor,
    Rules,
)


def overlap_hours(offset_a_minutes: int, offset_b_minutes: int) -> float:
    """Hours a day in which both are awake (08:00 to 23:00 local for each)."""
    diff = abs(offset_a_minutes - offset_b_minutes) / 60 % 24
    return min(
        float(WAKING_HOURS),
        max(0.0, WAKING_HOURS - diff) + max(0.0, WAKING_HOURS - (24 - diff)),
    )


def compatible(a: LookingFor, b: LookingFor) -> bool:
    """Two people who only want to support someone don't meet anyone's need."""
    return not (a is LookingFor.SUPPORT and b is LookingFor.SUPPORT)


def complementary(a: LookingFor, b: LookingFor) -> bool:
    """One wants to talk, the other to support."""
    return {a, b} == {LookingFor.TALK, LookingFor.SUPPORT}


def pair_weight(a: Candidate, b: Candidate, rules: Rules) -> float | None:
    """The weight of pairing ``a`` with ``b``, or None if they must never be paired."""
    key = frozenset((a.user_id, b.user_id))
    if a.user_id == b.user_id or key in rules.blocks or not compatible(a.looking_for, b.looking_for):
        return None
    weight = (
        BASE
        + TOPIC_WEIGHT * len(a.topics & b.topics)
        + OVERLAP_WEIGHT * overlap_hours(a.utc_offset_minutes, b.utc_offset_minutes) / WAKING_HOURS
    )
    if complementary(a.looking_for, b.looking_for):
        weight += COMPLEMENT_BONUS
    weight += PRIORITY * (a.priority + b.priority)
    if key in rules.recent:
        weight -= REPEAT_PENALTY
    return weight


def best_partner(
    newcomer: Candidate, waiting: Sequence[Candidate], rules: Rules
) -> tuple[Candidate, float] | None:
    """The best partner waiting for someone who just joined (no repeats, no blocks), if any fits."""
    best: tuple[Candidate, float] | None = None
    for other in sorted(waiting, key=lambda c: c.user_id):
        weight = pair_weight(newcomer, other, rules)
        if weight is not None and weight > 0 and (best is None or weight > best[1]):
            best = (other, weight)
    return best
