"""Buddy pairing: who fits whom, and the matching of a round.

Pure: no discord, no I/O. Time and randomness come in as parameters; for a given seed the matching is deterministic.

Weights. A pair scores ``3 x shared topics + 2 x waking-hours overlap (0..1) + 1 if one wants to talk and the other to
support + 0.5``; a member who goes first (left over last time, or accepted a pairing someone else declined) adds
``PRIORITY`` to every pair they are in, so they are matched before anyone else. A pair from the last N rounds scores
``REPEAT_PENALTY`` less: it is only chosen for someone who has no other partner at all. Blocks (either way) and two
members who both only want to support someone never pair.

Matching. Maximum-weight matching is cubic; a round of 10,000 members has to be fast. Up to ``FULL_GRAPH_MAX``
members every pair is considered; beyond, a sparse graph of likely partners (for each topic, and each two topics, a
member chose, the members with them nearest in timezone, plus the nearest in timezone overall). Edges are taken
greedily by weight, then improved with pair swaps and short augmenting paths. The
benchmark compares the result with an exact maximum-weight matching (``bench/bench_pairing.py``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import InvalidInput

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
PRIORITY = 5.0
REPEAT_PENALTY = 1000.0
TOPIC_WEIGHT = 3.0
OVERLAP_WEIGHT = 2.0
COMPLEMENT_BONUS = 1.0
BASE = 0.5
NEIGHBOURS = 8  # per side, per topic, when building the graph of likely partners
FULL_GRAPH_MAX = 800  # up to this many waiting, every pair is considered; beyond, only likely partners
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


_TALK, _SUPPORT, _BOTH = 1, 2, 4
_COMPLEMENT = _TALK | _SUPPORT
_KIND_CODE = {LookingFor.TALK: _TALK, LookingFor.SUPPORT: _SUPPORT, LookingFor.BOTH: _BOTH}


class _Graph:
    """Candidates by index, with a fast weight function over indices."""

    def __init__(self, candidates: Sequence[Candidate], rules: Rules, seed: int) -> None:
        self.people = sorted(candidates, key=lambda c: c.user_id)
        index = {c.user_id: i for i, c in enumerate(self.people)}
        self.n = len(self.people)
        all_topics = sorted({t for c in self.people for t in c.topics})
        bit = {t: 1 << i for i, t in enumerate(all_topics)}
        self.masks = [sum(bit[t] for t in c.topics) for c in self.people]
        self.offsets = [c.utc_offset_minutes for c in self.people]
        self.kinds = [_KIND_CODE[c.looking_for] for c in self.people]
        self.priority = [c.priority for c in self.people]
        self.blocked = self._keys(rules.blocks, index)
        self.recent = self._keys(rules.recent, index)
        rng = random.Random(seed)
        # A member's own part of every pair's weight: the priority bonus, and a seeded tie-break.
        self.extra = [PRIORITY * c.priority + rng.random() * 1e-6 for c in self.people]
        self.overlap: dict[int, float] = {}
        for diff in {abs(a - b) for a in set(self.offsets) for b in set(self.offsets)}:
            self.overlap[diff] = BASE + OVERLAP_WEIGHT * overlap_hours(0, diff) / WAKING_HOURS

    def _keys(self, pairs: Iterable[frozenset[int]], index: dict[int, int]) -> set[int]:
        keys: set[int] = set()
        for pair in pairs:
            ids = [index.get(u) for u in pair]
            if len(ids) == 2 and ids[0] is not None and ids[1] is not None:
                keys.add(self.key(ids[0], ids[1]))
        return keys

    def key(self, i: int, j: int) -> int:
        return i * self.n + j if i < j else j * self.n + i

    def weight(self, i: int, j: int) -> float | None:
        """The weight of a pair by index (see ``pair_weight``), or None if they must never pair."""
        kinds = self.kinds[i] | self.kinds[j]
        if i == j or self.kinds[i] & self.kinds[j] & _SUPPORT:
            return None
        key = i * self.n + j if i < j else j * self.n + i
        if key in self.blocked:
            return None
        weight = (
            self.overlap[abs(self.offsets[i] - self.offsets[j])]
            + TOPIC_WEIGHT * (self.masks[i] & self.masks[j]).bit_count()
            + self.extra[i]
            + self.extra[j]
        )
        if kinds == _COMPLEMENT:
            weight += COMPLEMENT_BONUS
        if key in self.recent:
            weight -= REPEAT_PENALTY
        return weight

    def all_pairs(self) -> list[tuple[float, int, int]]:
        """Every possible pair, heaviest first (for smaller rounds)."""
        edges: list[tuple[float, int, int]] = []
        for i in range(self.n):
            for j in range(i + 1, self.n):
                weight = self.weight(i, j)
                if weight is not None:
                    edges.append((weight, i, j))
        edges.sort(reverse=True)
        return edges

    def likely_partners(self) -> list[tuple[float, int, int]]:
        """Edges to members sharing a topic (or two) and nearest in timezone, and nearest in timezone overall."""
        by_topic: dict[int, list[tuple[int, int]]] = {}  # a topic, or two topics together, to its members
        for i, mask in enumerate(self.masks):
            bits: list[int] = []
            while mask:
                low = mask & -mask
                bits.append(low)
                mask ^= low
            entry = (self.offsets[i], i)
            for x, first in enumerate(bits):
                by_topic.setdefault(first, []).append(entry)
                for second in bits[x + 1 :]:
                    by_topic.setdefault(first | second, []).append(entry)
        everyone = sorted((self.offsets[i], i) for i in range(self.n))
        # Two shared topics say more than one: look further along those lists.
        lists = [(key & (key - 1) != 0, sorted(v)) for key, v in by_topic.items()]
        lists.append((False, everyone))
        single = [m & (m - 1) == 0 for m in self.masks]
        seen: set[int] = set()
        edges: list[tuple[float, int, int]] = []
        n, kinds, masks, offsets, extra = self.n, self.kinds, self.masks, self.offsets, self.extra
        overlap, blocked, recent, priority = self.overlap, self.blocked, self.recent, self.priority
        for two_topics, lst in lists:
            size = len(lst)
            for p, (offset_i, i) in enumerate(lst):
                # Two shared topics say more than one: look further along those lists (and for members who
                # chose a single topic, whose only lists these are).
                reach = NEIGHBOURS if two_topics or single[i] else NEIGHBOURS // 2
                if priority[i]:
                    reach *= 2
                kind_i, mask_i, extra_i = kinds[i], masks[i], extra[i]
                # Forward only: a pair within everyone's usual reach is met once, from its first member; only
                # members who look further than usual look back as well.
                start = p + 1 if reach <= NEIGHBOURS // 2 else max(0, p - reach)
                for q in range(start, min(size, p + reach + 1)):
                    j = lst[q][1]
                    if j == i:
                        continue
                    low, high = (i, j) if i < j else (j, i)
                    key = low * n + high
                    if key in seen:
                        continue
                    seen.add(key)
                    if kind_i & kinds[j] & _SUPPORT or key in blocked:
                        continue  # (the inline form of ``weight``, which this loop runs most)
                    weight = (
                        overlap[abs(offset_i - offsets[j])]
                        + TOPIC_WEIGHT * (mask_i & masks[j]).bit_count()
                        + extra_i
                        + extra[j]
                    )
                    if kind_i | kinds[j] == _COMPLEMENT:
                        weight += COMPLEMENT_BONUS
                    if key in recent:
                        weight -= REPEAT_PENALTY
                    edges.append((weight, low, high))
        edges.sort(reverse=True)
        return edges


def match(candidates: Sequence[Candidate], rules: Rules, seed: int) -> Matching:
    """Pair everyone who can be paired, maximising shared topics and waking-hours overlap.

    Repeats from the last N rounds only for someone with no other possible partner; blocks never. With an odd number
    left, one group of three (``OddRule.TRIO``) or the person left over is reported (``OddRule.NEXT``).
    """
    graph = _Graph(candidates, rules, seed)
    n = graph.n
    mate = [-1] * n
    edges = graph.all_pairs() if n <= FULL_GRAPH_MAX else graph.likely_partners()
    neighbours: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for weight, i, j in edges:  # heaviest first, so each list is sorted too
        neighbours[i].append((weight, j))
        neighbours[j].append((weight, i))
        if weight > 0 and mate[i] < 0 and mate[j] < 0:
            mate[i], mate[j] = j, i
    _improve(graph, mate, neighbours)
    _match_rest(graph, mate)
    pairs = sorted((i, mate[i]) for i in range(n) if 0 <= i < mate[i])
    weight = sum(graph.weight(i, j) or 0.0 for i, j in pairs)
    alone = [i for i in range(n) if mate[i] < 0]
    groups: list[list[int]] = [[i, j] for i, j in pairs]
    if rules.odd is OddRule.TRIO and len(alone) == 1 and groups:
        lone = alone[0]
        best: tuple[float, int] | None = None
        for g, (i, j) in enumerate(pairs):
            wi, wj = graph.weight(lone, i), graph.weight(lone, j)
            if wi is None or wj is None or wi < 0 or wj < 0:
                continue
            if best is None or wi + wj > best[0]:
                best = (wi + wj, g)
        if best is not None:
            groups[best[1]].append(lone)
            alone = []
    people = graph.people
    return Matching(
        groups=tuple(tuple(sorted(people[i].user_id for i in group)) for group in groups),
        left_over=tuple(people[i].user_id for i in alone),
        weight=round(weight, 6),
    )


def _improve(
    graph: _Graph, mate: list[int], neighbours: list[list[tuple[float, int]]], passes: int = 2
) -> None:
    """Local search: swap partners between two pairs, or pair someone alone by moving a partner (paths of 3).

    A swap of (a,b),(c,d) into (a,c),(b,d) only gains if one new edge beats the old edge at its end, so from each
    member only neighbours heavier than their current pair are tried (lists are sorted, so the scan stops early).
    """
    w = graph.weight
    best = [nb[0][0] if nb else 0.0 for nb in neighbours]  # each member's heaviest likely pair
    own = [0.0] * graph.n  # weight of each member's current pair
    for a in range(graph.n):
        if mate[a] >= 0:
            own[a] = w(a, mate[a]) or 0.0
    for _ in range(passes):
        changed = False
        for a in range(graph.n):
            b = mate[a]
            for wac, c in neighbours[a]:
                if b >= 0 and wac <= own[a] + 1e-9:
                    break
                if wac <= 0:
                    break
                if c == b:
                    continue
                d = mate[c]
                if b < 0 and d < 0:  # both alone: pair them
                    mate[a], mate[c] = c, a
                    own[a] = own[c] = wac
                    b, changed = c, True
                    break
                if b >= 0 and d >= 0:
                    if wac + best[b] <= own[a] + own[c] + 1e-9:
                        continue  # b's best likely partner wouldn't make up for it
                    wbd = w(b, d)
                    if wbd is not None and wbd > 0 and wac + wbd > own[a] + own[c] + 1e-9:
                        mate[a], mate[c], mate[b], mate[d] = c, a, d, b
                        own[a] = own[c] = wac
                        own[b] = own[d] = wbd
                        b, changed = c, True
                        break
                    continue
                if b < 0 <= d:  # a is alone; c is taken by d: can d go to someone alone?
                    for wde, e in neighbours[d]:
                        if wde <= 0:
                            break
                        if mate[e] < 0 and e != a:
                            mate[a], mate[c], mate[d], mate[e] = c, a, e, d
                            own[a] = own[c] = wac
                            own[d] = own[e] = wde
                            b, changed = c, True
                            break
                    if b >= 0:
                        break
                elif d < 0:  # a is taken, c is alone: give c to a and b to someone alone, if that gains
                    for wbe, e in neighbours[b]:
                        if wbe <= 0 or wac + wbe <= own[a] + 1e-9:
                            break
                        if mate[e] < 0 and e != c:
                            mate[a], mate[c], mate[b], mate[e] = c, a, e, b
                            own[a] = own[c] = wac
                            own[b] = own[e] = wbe
                            b, changed = c, True
                            break
                    if b == c:
                        break
        if not changed:
            break


def _match_rest(graph: _Graph, mate: list[int], limit: int = 400) -> None:
    """Pair whoever is still alone among themselves, repeats allowed when nothing else is possible."""
    alone = [i for i in range(graph.n) if mate[i] < 0][:limit]
    pairs: list[tuple[float, int, int]] = []
    for x, i in enumerate(alone):
        for j in alone[x + 1 :]:
            weight = graph.weight(i, j)
            if weight is not None:
                pairs.append((weight, i, j))
    pairs.sort(reverse=True)
    for _, i, j in pairs:
        if mate[i] < 0 and mate[j] < 0:
            mate[i], mate[j] = j, i


def utc_offset_minutes(zone_name: str, at: datetime) -> int:
    """A zone's offset from UTC at ``at``, in minutes (unknown zones count as UTC)."""
    try:
        offset = at.astimezone(ZoneInfo(zone_name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset else 0


STARTERS = 8  # buddy.starter.1 .. buddy.starter.8 in the message catalog


def conversation_starters(seed: int, count: int = 3) -> list[str]:
    """Gentle openers (keys into the message catalog), picked deterministically for a pairing."""
    keys = [f"buddy.starter.{i}" for i in range(1, STARTERS + 1)]
    random.Random(seed).shuffle(keys)
    return keys[:count]


def halfway(started: datetime, ends: datetime) -> datetime:
    """When to ask "did you two get a chance to talk?"."""
    return started + (ends - started) / 2


def parse_pause(text: str, today: date) -> date:
    """A pause end date as YYYY-MM-DD, today or later (at most a year away)."""
    try:
        until = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput("buddy.error.date") from exc
    if until < today or until > today + timedelta(days=366):
        raise InvalidInput("buddy.error.date")
    return until


def clean_topics(server_topics: Sequence[str], chosen: Iterable[str]) -> frozenset[str]:
    """The chosen topics that are on the server's list."""
    allowed = set(server_topics)
    return frozenset(t for t in chosen if t in allowed)


def parse_topics(text: str) -> tuple[str, ...]:
    """A moderator's comma-separated topic list: trimmed, de-duplicated, each at most 50 characters, at most 25."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        topic = " ".join(raw.split())[:50]
        if topic and topic.lower() not in seen:
            seen[topic.lower()] = topic
    topics = tuple(seen.values())
    if not topics or len(topics) > TOPICS_MAX:
        raise InvalidInput("buddy.error.topics", max=TOPICS_MAX)
    return topics
