"""The graph a round is matched on: candidates by index with a fast weight over indices, and its edges (every pair,
for smaller rounds, or likely partners only)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence

from bot.domain.pairing.model import (
    BASE,
    COMPLEMENT_BONUS,
    NEIGHBOURS,
    OVERLAP_WEIGHT,
    PRIORITY,
    REPEAT_PENALTY,
    TOPIC_WEIGHT,
    WAKING_HOURS,
    Candidate,
    LookingFor,
    Rules,
)
from bot.domain.pairing.scoring import overlap_hours

_TALK, _SUPPORT, _BOTH = 1, 2, 4
_COMPLEMENT = _TALK | _SUPPORT
_KIND_CODE = {LookingFor.TALK: _TALK, LookingFor.SUPPORT: _SUPPORT, LookingFor.BOTH: _BOTH}


class Graph:
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
        # A seeded shuffle: the order of members in the same timezone on the list of everyone.
        self.shuffled = list(range(self.n))
        rng.shuffle(self.shuffled)
        self.overlap: dict[int, float] = {}
        for diff in {abs(a - b) for a in set(self.offsets) for b in set(self.offsets)}:
            self.overlap[diff] = BASE + OVERLAP_WEIGHT * overlap_hours(0, diff) / WAKING_HOURS
        self.weight = self._weigher()

    def _keys(self, pairs: Iterable[frozenset[int]], index: dict[int, int]) -> set[int]:
        keys: set[int] = set()
        for pair in pairs:
            ids = [index.get(u) for u in pair]
            if len(ids) == 2 and ids[0] is not None and ids[1] is not None:
                keys.add(self.key(ids[0], ids[1]))
        return keys

    def _weigher(self) -> Callable[[int, int], float | None]:
        """The weight of a pair by index (see ``pair_weight``), or None if they must never pair: a closure over the
        graph's lists, since the local search calls it about 13 times per member (a method's attribute look-ups
        were a fifth of a 10,000-member round)."""
        n, kinds, masks, offsets, extra = self.n, self.kinds, self.masks, self.offsets, self.extra
        overlap, blocked, recent = self.overlap, self.blocked, self.recent

        def weight(i: int, j: int) -> float | None:
            kind_i, kind_j = kinds[i], kinds[j]
            if i == j or kind_i & kind_j & _SUPPORT:
                return None
            key = i * n + j if i < j else j * n + i
            if key in blocked:
                return None
            value = overlap[abs(offsets[i] - offsets[j])] + TOPIC_WEIGHT * (masks[i] & masks[j]).bit_count()
            value = value + extra[i] + extra[j]
            if kind_i | kind_j == _COMPLEMENT:
                value += COMPLEMENT_BONUS
            if key in recent:
                value -= REPEAT_PENALTY
            return value

        return weight

    def key(self, i: int, j: int) -> int:
        return i * self.n + j if i < j else j * self.n + i

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

    def partner_lists(self) -> list[tuple[int, list[int]]]:
        """Members sorted by timezone, with how many topics the list stands for: for each topic (1), for each two
        topics together (2: two shared topics say more than one), and everyone (0). Within a timezone, the topic lists
        put members with the same topics side by side (the best partners); the list of everyone is shuffled (seeded),
        so it reaches members unlike those the topics reach (the only partners some have: someone who wants to talk,
        for someone who only wants to support)."""
        # A topic, or two topics together, to its members: (timezone, topics, index).
        by_topic: dict[int, list[tuple[int, int, int]]] = {}
        for i, mask in enumerate(self.masks):
            bits: list[int] = []
            while mask:
                low = mask & -mask
                bits.append(low)
                mask ^= low
            entry = (self.offsets[i], self.masks[i], i)
            for x, first in enumerate(bits):
                by_topic.setdefault(first, []).append(entry)
                for second in bits[x + 1 :]:
                    by_topic.setdefault(first | second, []).append(entry)
        lists = [
            (1 if key & (key - 1) == 0 else 2, [i for _, _, i in sorted(v)]) for key, v in by_topic.items()
        ]
        offsets, shuffled = self.offsets, self.shuffled
        lists.append((0, sorted(range(self.n), key=lambda i: (offsets[i], shuffled[i]))))
        return lists

    def likely_partners(self, neighbours: int = NEIGHBOURS) -> list[tuple[float, int, int]]:
        """Edges to members sharing a topic (or two) and nearest in timezone, and nearest in timezone overall:
        ``neighbours`` each way along the lists of two topics (and, for members who chose a single topic, whose only
        lists these are, along every list), half as many along the others; half of all that along the list of
        everyone; twice as many for members who go first."""
        single = [m & (m - 1) == 0 for m in self.masks]
        seen: set[int] = set()
        edges: list[tuple[float, int, int]] = []
        n, kinds, masks, offsets, extra = self.n, self.kinds, self.masks, self.offsets, self.extra
        overlap, blocked, recent, priority = self.overlap, self.blocked, self.recent, self.priority
        for topics, members in self.partner_lists():
            wide = neighbours if topics else neighbours // 2  # along the list of everyone, half as far
            usual = wide if topics == 2 else wide // 2  # everyone's reach along this list, at least
            for p, i in enumerate(members):
                reach = wide if topics == 2 or single[i] else usual
                if priority[i]:
                    reach *= 2
                kind_i, mask_i, extra_i, offset_i = kinds[i], masks[i], extra[i], offsets[i]
                # Forward only: a pair within everyone's usual reach is met once, from its first member; only
                # members who look further than usual look back as well.
                start = p + 1 if reach <= usual else max(0, p - reach)
                for j in members[start : p + reach + 1]:
                    key = i * n + j if i < j else j * n + i
                    if j == i or key in seen:
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
                    edges.append((weight, i, j) if i < j else (weight, j, i))
        edges.sort(reverse=True)
        return edges
