"""The matching of a round: a greedy pass, local improvements, augmenting paths, and at most one trio."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.pairing.graph import Graph
from bot.domain.pairing.improve import improve, promote
from bot.domain.pairing.model import (
    FULL_GRAPH_MAX,
    NEIGHBOURS_MAX,
    NEIGHBOURS_MIN,
    PRIORITY,
    SPARSE_BUDGET,
    Candidate,
    Matching,
    OddRule,
    Rules,
)
from bot.domain.pairing.search import Search


def neighbours_for(size: int) -> int:
    """How many likely partners each way along each list, for a round of ``size`` members: as many as keep the sparse
    graph near ``SPARSE_BUDGET`` (members x neighbours), between ``NEIGHBOURS_MIN`` and ``NEIGHBOURS_MAX``."""
    return max(NEIGHBOURS_MIN, min(NEIGHBOURS_MAX, SPARSE_BUDGET // max(size, 1)))


def match(
    candidates: Sequence[Candidate],
    rules: Rules,
    seed: int,
    full_graph_max: int = FULL_GRAPH_MAX,
    neighbours_each_way: int | None = None,
) -> Matching:
    """Pair everyone who can be paired, maximising shared topics and waking-hours overlap.

    Repeats from the last N rounds only for someone with no other possible partner; blocks never. With an odd number
    left, one group of three (``OddRule.TRIO``) or the person left over is reported (``OddRule.NEXT``). Up to
    ``full_graph_max`` members every pair is considered; beyond, likely partners only, ``neighbours_each_way`` along
    each list (by default, as many as the size of the round allows: ``neighbours_for``).
    """
    graph = Graph(candidates, rules, seed)
    n = graph.n
    mate = [-1] * n
    edges = (
        graph.all_pairs()
        if n <= full_graph_max
        else graph.likely_partners(neighbours_each_way or neighbours_for(n))
    )
    neighbours: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for weight, i, j in edges:  # heaviest first, so each list is sorted too
        neighbours[i].append((weight, j))
        neighbours[j].append((weight, i))
        if weight > 0 and mate[i] < 0 and mate[j] < 0:
            mate[i], mate[j] = j, i
    improve(graph, mate, neighbours)
    search = Search(graph, mate, neighbours, sparse=n > full_graph_max)
    search.complete()
    search.put_first()
    promote(graph, mate, neighbours)
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
