"""Buddy pairing: who fits whom, and the matching of a round.

Pure: no discord, no I/O. Time and randomness come in as parameters; for a given seed the matching is deterministic.

Weights. A pair scores ``3 x shared topics + 2 x waking-hours overlap (0..1) + 1 if one wants to talk and the other to
support + 0.5``, at most ``SCORE_MAX``; a member who goes first (left over last time, or accepted a pairing someone
else declined) adds ``PRIORITY`` to every pair they are in, which is more than any pair scores. A pair from the last N
rounds scores ``REPEAT_PENALTY`` less, which makes it negative whatever the rest. Blocks (either way) and two members
who both only want to support someone never pair.

Matching, in order of importance: as many people paired as possible; then as few repeats as possible (a recent pair
only when the alternative is leaving someone unpaired); then as many members who go first as possible; then the
weight. Maximum-weight matching is cubic; a round of 10,000 members has to be fast. Up to ``FULL_GRAPH_MAX`` members
every pair is considered; beyond, a sparse graph of likely partners (for each topic, and each two topics, a member
chose, the members with them nearest in timezone, plus the nearest in timezone overall). Edges are taken greedily by
weight (so members who go first come first), then improved with pair swaps and short augmenting paths
(``_improve``). Whoever is still alone is then paired by augmenting paths (``_Search``, Edmonds' blossom algorithm):
every path without a repeat first, then paths with one repeat, then any; each repeat is then swapped away if a swap
or a path without repeats allows it. Members who go first and are still alone then take the places of members who
don't, along alternating paths without repeats. On the sparse graph, the few still alone are given every possible
partner, not only likely ones. As many are paired as the graph allows (within ``AUGMENT_BUDGET``); the fewest repeats
and the most members going first are checked against every possible matching of small rounds
(``tests/domain/test_pairing.py``) but not guaranteed where several repeats are unavoidable. The benchmark compares
the result with an exact maximum-weight matching (``bench/bench_pairing.py``).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
TOPIC_WEIGHT = 3.0
OVERLAP_WEIGHT = 2.0
COMPLEMENT_BONUS = 1.0
BASE = 0.5
SCORE_MAX = BASE + TOPIC_WEIGHT * TOPICS_MAX + OVERLAP_WEIGHT + COMPLEMENT_BONUS  # 78.5
PRIORITY = 100.0  # more than SCORE_MAX: going first outweighs any score
REPEAT_PENALTY = 1000.0  # more than SCORE_MAX + 2 x PRIORITY: a repeat is always negative
NEIGHBOURS = 8  # per side, per topic, when building the graph of likely partners
FULL_GRAPH_MAX = 800  # up to this many waiting, every pair is considered; beyond, only likely partners
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
    search = _Search(graph, mate, neighbours, sparse=n > FULL_GRAPH_MAX)
    search.complete()
    search.put_first()
    _promote(graph, mate, neighbours)
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
            # a trio is no reward for going first
            score = wi + wj - PRIORITY * (graph.priority[i] + graph.priority[j])
            if best is None or score > best[0]:
                best = (score, g)
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
    graph: _Graph,
    mate: list[int],
    neighbours: list[list[tuple[float, int]]],
    passes: int = 2,
    members: Sequence[int] | None = None,
    budget: int = AUGMENT_BUDGET,
) -> None:
    """Local search: swap partners between two pairs, or pair someone alone by moving a partner (paths of 3).

    A swap of (a,b),(c,d) into (a,c),(b,d) only gains if one new edge beats the old edge at its end, so from each
    member only neighbours heavier than their current pair are tried (lists are sorted, so the scan stops early).
    Looking for someone alone has no such bound: ``budget`` caps the edges it looks at (many who cannot be paired in a
    dense graph would make it quadratic); ``_complete`` pairs whoever this leaves. ``members``: start from these only.
    """
    w = graph.weight
    best = [nb[0][0] if nb else 0.0 for nb in neighbours]  # each member's heaviest likely pair
    own = [0.0] * graph.n  # weight of each member's current pair
    for a in range(graph.n):
        if mate[a] >= 0:
            own[a] = w(a, mate[a]) or 0.0
    for _ in range(passes):
        changed = False
        for a in range(graph.n) if members is None else members:
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
                    if budget <= 0:
                        continue
                    for wde, e in neighbours[d]:
                        budget -= 1
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


@dataclass
class _Search:
    """Pairing whoever the greedy pass and ``_improve`` left alone, by augmenting paths (Edmonds' blossom algorithm).

    In order: as many paired as possible without repeats; then repeats for whoever is left, as few as can be; then
    members who go first take the places of members who don't. Each step adds pairs or moves partners along a path;
    none leaves alone someone who was paired. All of it looks at ``AUGMENT_BUDGET`` edges at most. On the sparse
    graph, up to ``FEW_ALONE`` members still alone are given every possible partner (``widen``), so that a partner
    who isn't a likely one isn't missed.
    """

    graph: _Graph
    mate: list[int]
    neighbours: list[list[tuple[float, int]]]
    sparse: bool
    budget: int = AUGMENT_BUDGET
    widened: set[int] = field(default_factory=set[int])

    def alone(self) -> list[int]:
        return [i for i in range(self.graph.n) if self.mate[i] < 0]

    def complete(self) -> None:
        """Pair whoever is still alone: without repeats while possible, then with as few repeats as can be."""
        graph, mate = self.graph, self.mate
        if sum(m < 0 for m in mate) < 2:
            return
        before = mate[:]
        _pair_alone(graph, mate, fresh=True)
        _split_pairs(graph, mate)
        self.augment(0)
        if self.sparse and 2 <= len(alone := self.alone()) <= FEW_ALONE:
            self.widen(alone)
            self.augment(0)
        if _pair_alone(graph, mate, fresh=False) | self.augment(1) | self.augment(_ANY):
            _unrepeat(graph, mate)
            self.unrepeat_by_paths()
        moved = [i for i in range(graph.n) if mate[i] != before[i]]
        if moved:  # polish around the new pairs
            _improve(graph, mate, self.neighbours, passes=1, members=moved)

    def augment(self, repeats: int) -> bool:
        """Augmenting paths between members alone, until there are none; ``repeats``: how many a path may have, 0, 1
        or any number (``_ANY``). True if any was used."""
        changed = False
        while self.budget > 0:
            alone = self.alone()
            if len(alone) < 2 or not self.forest(alone, repeats):
                break
            changed = True
        return changed

    def unrepeat_by_paths(self) -> None:
        """For each repeat still matched, take the pair apart and look for an augmenting path without repeats: if
        there is one, as many are paired as before with a repeat fewer; if not, the pair is put back."""
        mate, recent, key = self.mate, self.graph.recent, self.graph.key
        for a in range(self.graph.n):
            b = mate[a]
            if a < b and key(a, b) in recent:
                mate[a] = mate[b] = -1
                if not self.forest(self.alone(), 0):
                    mate[a], mate[b] = b, a
                if self.budget <= 0:
                    return

    def put_first(self) -> None:
        """Members who go first and are still alone take the places of members who don't, along alternating paths
        without repeats: partners move along each path, so as many are paired as before and one more goes first."""
        priority = self.graph.priority
        gives_way = [not p for p in priority]
        roots = [i for i in self.alone() if priority[i]]
        if self.sparse and roots:
            self.widen(roots)
        while roots and self.budget > 0 and self.forest(roots, 0, gives_way):
            roots = [i for i in self.alone() if priority[i]]

    def widen(self, members: list[int]) -> None:
        """Give up to ``FEW_ALONE`` members every possible partner, not only their likely partners."""
        graph, neighbours = self.graph, self.neighbours
        grown: set[int] = set()
        for a in [i for i in members if i not in self.widened][:FEW_ALONE]:
            self.widened.add(a)
            known = {j for _, j in neighbours[a]}
            known.add(a)
            for v in range(graph.n):
                if v not in known and (weight := graph.weight(a, v)) is not None:
                    neighbours[a].append((weight, v))
                    neighbours[v].append((weight, a))
                    grown.add(v)
            grown.add(a)
        for v in grown:
            neighbours[v].sort(reverse=True)

    def forest(self, roots: list[int], repeats: int, gives_way: list[bool] | None = None) -> int:
        """One phase of Edmonds' blossom algorithm: alternating trees grown breadth first from all ``roots`` (alone)
        at once, odd cycles (blossoms) shrunk so that no path is missed, shortest paths first.

        A pair not in the matching between two trees is an augmenting path: partners move along it and both roots
        are paired. With ``repeats`` 0 the trees grow without repeats and a repeat is never used; with 1, a repeat may
        join two trees (so a path has one at most); with ``_ANY``, repeats are used like any pair. With
        ``gives_way``, an even path to a member who may give way ends a path too: they are left alone and the root
        paired. The trees of a path are then taken apart, and their members are free for the other trees to reach.
        A phase that uses no path (and has budget left) proves there is none. Returns how many paths were used.
        """
        mate, neighbours = self.mate, self.neighbours
        tree_of = {r: r for r in roots}  # the root of the tree each vertex is in
        members = {r: [r] for r in roots}  # each tree's vertices
        parent: dict[int, int] = {}  # how each inner vertex was reached (and outer ones in a blossom)
        base: dict[int, int] = {}  # the base of the blossom a vertex was shrunk into
        shrunk_into: dict[int, list[int]] = {}  # a blossom's base to the other vertices shrunk into it
        outer = set(roots)
        queue = deque((r, r) for r in roots)  # outer vertices to grow from, with their tree

        def take_apart(root: int) -> None:
            for x in members.pop(root):
                del tree_of[x]
                parent.pop(x, None)
                base.pop(x, None)
                shrunk_into.pop(x, None)
                outer.discard(x)

        found = 0
        budget = self.budget
        while queue and budget > 0 and len(members) >= (1 if gives_way is not None else 2):
            v, root = queue.popleft()
            if tree_of.get(v) != root:
                continue  # the tree was taken apart
            for w, to in neighbours[v]:
                budget -= 1
                join_only = w <= 0 and repeats != _ANY  # a repeat, that may only join two trees
                if join_only and not repeats:
                    break  # lists are heaviest first: only repeats from here on
                if mate[v] == to or base.get(v, v) == base.get(to, to):
                    continue
                tree = tree_of.get(to)
                if tree is not None and to in outer:
                    if tree != root:  # an augmenting path: root .. v - to .. tree
                        _flip_to_root(v, mate, parent)
                        _flip_to_root(to, mate, parent)
                        mate[v], mate[to] = to, v
                        take_apart(root)
                        take_apart(tree)
                        found += 1
                        break
                    if join_only:
                        continue
                    stem = _stem(v, to, mate, parent, base)  # a blossom: shrink it into its stem
                    shrunk: dict[int, None] = {}  # the bases of the blossoms on the cycle, in order
                    for x, child in ((v, to), (to, v)):
                        while base.get(x, x) != stem:
                            mx = mate[x]
                            shrunk[base.get(x, x)] = None
                            shrunk[base.get(mx, mx)] = None
                            parent[x] = child
                            child = mx
                            x = parent[mx]
                    into = shrunk_into.setdefault(stem, [])
                    newly_outer: list[int] = []
                    for old in shrunk:
                        if old == stem:
                            continue
                        group = [old, *shrunk_into.pop(old, ())]
                        budget -= len(group)
                        for i in group:
                            base[i] = stem
                            if i not in outer:
                                outer.add(i)
                                queue.append((i, root))
                                newly_outer.append(i)
                        into.extend(group)
                    out = next((i for i in newly_outer if gives_way[i]), -1) if gives_way is not None else -1
                    if out >= 0:  # an even path to someone who may give way, round the blossom
                        _flip_to_root(out, mate, parent)
                        mate[out] = -1
                        take_apart(root)
                        found += 1
                        break
                elif tree is None and not join_only:  # not reached yet: inner, and their partner outer
                    m = mate[to]
                    parent[to] = v
                    if m < 0 or (gives_way is not None and gives_way[m]):
                        if m >= 0:
                            mate[m] = -1
                        _flip_to_root(to, mate, parent, inner=True)
                        take_apart(root)
                        found += 1
                        break
                    tree_of[to] = tree_of[m] = root
                    members[root] += (to, m)
                    outer.add(m)
                    queue.append((m, root))
        self.budget = budget
        return found


def _pair_alone(graph: _Graph, mate: list[int], fresh: bool, limit: int = 400) -> bool:
    """Pair members who are alone with each other, heaviest pairs first (``fresh``: no repeats). True if any paired."""
    alone = [i for i in range(graph.n) if mate[i] < 0][:limit]
    pairs: list[tuple[float, int, int]] = []
    for x, i in enumerate(alone):
        for j in alone[x + 1 :]:
            weight = graph.weight(i, j)
            if weight is not None and (weight > 0 or not fresh):
                pairs.append((weight, i, j))
    pairs.sort(reverse=True)
    changed = False
    for _, i, j in pairs:
        if mate[i] < 0 and mate[j] < 0:
            mate[i], mate[j] = j, i
            changed = True
    return changed


def _split_pairs(graph: _Graph, mate: list[int]) -> bool:
    """With a few members alone, split the matched pair (c, d) that gains most by pairing a with c and b with d.

    Every pair is checked, not only likely partners, and no new pair is a repeat. True if any pair was split.
    """
    n, weight = graph.n, graph.weight
    rows: dict[int, list[float]] = {}  # for each member alone, a fresh pair's weight with each (0: none)
    changed = False
    while True:
        alone = [i for i in range(n) if mate[i] < 0]
        if not 2 <= len(alone) <= FEW_ALONE:
            return changed
        for a in alone:
            if a not in rows:
                rows[a] = [max(weight(a, v) or 0.0, 0.0) for v in range(n)]
        best: tuple[float, int, int, int, int] | None = None
        for c in range(n):
            d = mate[c]
            if d < 0:
                continue
            own = weight(c, d) or 0.0
            for x, a in enumerate(alone):
                wac = rows[a][c]
                if wac <= 0:
                    continue
                for y, b in enumerate(alone):
                    wbd = rows[b][d]
                    if x == y or wbd <= 0:
                        continue
                    gain = wac + wbd - own
                    if best is None or gain > best[0]:
                        best = (gain, a, b, c, d)
        if best is None:
            return changed
        _, a, b, c, d = best
        mate[a], mate[c], mate[b], mate[d] = c, a, d, b
        changed = True


def _stem(v: int, to: int, mate: list[int], parent: dict[int, int], base: dict[int, int]) -> int:
    """The base of the smallest blossom holding two outer vertices of a tree: where their paths to the root meet."""
    seen: set[int] = set()
    x = v
    while True:
        x = base.get(x, x)
        seen.add(x)
        if mate[x] < 0:
            break
        x = parent[mate[x]]
    y = to
    while True:
        y = base.get(y, y)
        if y in seen:
            return y
        y = parent[mate[y]]


def _flip_to_root(x: int, mate: list[int], parent: dict[int, int], inner: bool = False) -> None:
    """Swap matched and unmatched pairs along the tree's path from ``x`` to the root, which ends up paired.

    ``x`` is outer, and is left for the caller to pair; or (``inner``) inner, and paired with its parent.
    """
    u = x if inner else mate[x]
    while u >= 0:
        pu = parent[u]
        nu = mate[pu]
        mate[u], mate[pu] = pu, u
        u = nu


def _unrepeat(graph: _Graph, mate: list[int], passes: int = 3) -> None:
    """Swap away repeats. For each recent pair (a, b) matched, the swap that gains most: with a matched pair (c, d),
    into (a, c) and (b, d), either way round; or with someone alone, c, into (a, c) or (b, c).

    A repeat weighs ``REPEAT_PENALTY`` less, so a swap that gains has a repeat fewer or, with as many, a better
    score. Every member is checked, not only likely partners.
    """
    n, weight, recent = graph.n, graph.weight, graph.recent
    for _ in range(passes):
        changed = False
        for a in range(n):
            b = mate[a]
            if b <= a or graph.key(a, b) not in recent:
                continue
            own = weight(a, b) or 0.0
            best: tuple[float, int, int, int] | None = None  # gain; a and b as they pair with c, mate[c]
            for c in range(n):
                d = mate[c]
                if c in (a, b):
                    continue
                if d < 0:
                    for x, y in ((a, b), (b, a)):
                        wxc = weight(x, c)
                        if wxc is not None and wxc - own > 1e-9 and (best is None or wxc - own > best[0]):
                            best = (wxc - own, x, y, c)
                    continue
                wac, wbd = weight(a, c), weight(b, d)
                if wac is None or wbd is None:
                    continue
                gain = wac + wbd - own - (weight(c, d) or 0.0)
                if gain > 1e-9 and (best is None or gain > best[0]):
                    best = (gain, a, b, c)
            if best is None:
                continue
            _, x, y, c = best
            d = mate[c]
            mate[x], mate[c] = c, x
            mate[y] = d
            if d >= 0:
                mate[d] = y
            changed = True
        if not changed:
            return


def _promote(graph: _Graph, mate: list[int], neighbours: list[list[tuple[float, int]]]) -> None:
    """Someone alone takes the place of a matched member whose pair they would make heavier (a member who goes first,
    above all); the one who gives way is then alone and may do the same. As many are paired as before."""
    weight = graph.weight
    queue = deque(i for i in range(graph.n) if mate[i] < 0)
    while queue:
        a = queue.popleft()
        if mate[a] >= 0:
            continue
        best: tuple[float, int] | None = None
        for wac, c in neighbours[a]:
            if wac <= 0:
                break
            d = mate[c]
            if d < 0:
                continue
            gain = wac - (weight(c, d) or 0.0)
            if gain > 1e-9 and (best is None or gain > best[0]):
                best = (gain, c)
        if best is not None:
            c = best[1]
            d = mate[c]
            mate[a], mate[c], mate[d] = c, a, -1
            queue.append(d)


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


def clean_intro(text: str | None) -> str | None:
    """A member's intro, trimmed; None when empty. Too long is refused with the limit, never cut silently."""
    intro = (text or "").strip()
    if len(intro) > INTRO_MAX:
        raise InvalidInput("buddy.error.intro_too_long", max=INTRO_MAX, length=len(intro))
    return intro or None


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
