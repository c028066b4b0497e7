"""Local improvements of a matching: swaps between pairs, short paths that pair someone alone, repeats swapped away,
and members alone taking the place of someone whose pair they would make heavier."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from bot.domain.pairing.graph import Graph
from bot.domain.pairing.model import AUGMENT_BUDGET, FEW_ALONE


def improve(
    graph: Graph,
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
    dense graph would make it quadratic); ``Search.complete`` pairs whoever this leaves. ``members``: start from these
    only. At most one move from each member in each pass.
    """
    local = _LocalSearch(graph, mate, neighbours, budget)
    for _ in range(passes):
        changed = False
        for a in range(graph.n) if members is None else members:
            changed |= local.step(a)
        if not changed:
            break


class _LocalSearch:
    """The state of ``improve``: the matching, each member's current pair weight, and the budget left."""

    def __init__(
        self, graph: Graph, mate: list[int], neighbours: list[list[tuple[float, int]]], budget: int
    ) -> None:
        self.weight = graph.weight
        self.mate = mate
        self.neighbours = neighbours
        self.budget = budget
        self.best = [nb[0][0] if nb else 0.0 for nb in neighbours]  # each member's heaviest likely pair
        self.own = [0.0] * graph.n  # weight of each member's current pair
        for a in range(graph.n):
            if mate[a] >= 0:
                self.own[a] = graph.weight(a, mate[a]) or 0.0

    def step(self, a: int) -> bool:
        """The first move from ``a`` that gains, among partners heavier than its current pair. True if one was made."""
        mate, own, best, w = self.mate, self.own, self.best, self.weight
        b = mate[a]
        for wac, c in self.neighbours[a]:
            if wac <= 0 or (b >= 0 and wac <= own[a] + 1e-9):
                break
            if c == b:
                continue
            d = mate[c]
            if b < 0 and d < 0:  # both alone: pair them
                mate[a], mate[c] = c, a
                own[a] = own[c] = wac
                return True
            if b >= 0 and d >= 0:
                if wac + best[b] <= own[a] + own[c] + 1e-9:
                    continue  # b's best likely partner wouldn't make up for it
                wbd = w(b, d)
                if wbd is not None and wbd > 0 and wac + wbd > own[a] + own[c] + 1e-9:
                    mate[a], mate[c], mate[b], mate[d] = c, a, d, b
                    own[a] = own[c] = wac
                    own[b] = own[d] = wbd
                    return True
                continue
            if b < 0 <= d:  # a is alone; c is taken by d: can d go to someone alone?
                if self.budget > 0 and self._move_partner(a, c, d, wac):
                    return True
            elif self._hand_over(a, b, c, wac):  # a is taken, c is alone
                return True
        return False

    def _move_partner(self, a: int, c: int, d: int, wac: float) -> bool:
        """``a`` is alone and ``c`` taken by ``d``: pair a with c if d can go to someone alone."""
        mate, own = self.mate, self.own
        for wde, e in self.neighbours[d]:
            self.budget -= 1
            if wde <= 0:
                break
            if mate[e] < 0 and e != a:
                mate[a], mate[c], mate[d], mate[e] = c, a, e, d
                own[a] = own[c] = wac
                own[d] = own[e] = wde
                return True
        return False

    def _hand_over(self, a: int, b: int, c: int, wac: float) -> bool:
        """``a`` is taken by ``b`` and ``c`` alone: give c to a and b to someone alone, if that gains."""
        mate, own = self.mate, self.own
        for wbe, e in self.neighbours[b]:
            if wbe <= 0 or wac + wbe <= own[a] + 1e-9:
                break
            if mate[e] < 0 and e != c:
                mate[a], mate[c], mate[b], mate[e] = c, a, e, b
                own[a] = own[c] = wac
                own[b] = own[e] = wbe
                return True
        return False


def pair_alone(graph: Graph, mate: list[int], fresh: bool, limit: int = 400) -> bool:
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


def split_pairs(graph: Graph, mate: list[int]) -> bool:
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


def unrepeat(graph: Graph, mate: list[int], passes: int = 3) -> None:
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


def promote(graph: Graph, mate: list[int], neighbours: list[list[tuple[float, int]]]) -> None:
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
