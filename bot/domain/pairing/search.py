"""Pairing whoever the greedy pass left alone, by augmenting paths (Edmonds' blossom algorithm)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.pairing.blossom import ANY_REPEATS, Forest
from bot.domain.pairing.graph import Graph
from bot.domain.pairing.improve import improve, pair_alone, split_pairs, unrepeat
from bot.domain.pairing.model import AUGMENT_BUDGET, FEW_ALONE


@dataclass
class Search:
    """Pairing whoever the greedy pass and ``improve`` left alone, by augmenting paths (Edmonds' blossom algorithm).

    In order: as many paired as possible without repeats; then repeats for whoever is left, as few as can be; then
    members who go first take the places of members who don't. Each step adds pairs or moves partners along a path;
    none leaves alone someone who was paired. All of it looks at ``AUGMENT_BUDGET`` edges at most. On the sparse
    graph, up to ``FEW_ALONE`` members still alone are given every possible partner (``widen``), so that a partner
    who isn't a likely one isn't missed.
    """

    graph: Graph
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
        pair_alone(graph, mate, fresh=True)
        split_pairs(graph, mate)
        self.augment(0)
        if self.sparse and 2 <= len(alone := self.alone()) <= FEW_ALONE:
            self.widen(alone)
            self.augment(0)
        if pair_alone(graph, mate, fresh=False) | self.augment(1) | self.augment(ANY_REPEATS):
            unrepeat(graph, mate)
            self.unrepeat_by_paths()
        moved = [i for i in range(graph.n) if mate[i] != before[i]]
        if moved:  # polish around the new pairs
            improve(graph, mate, self.neighbours, passes=1, members=moved)

    def augment(self, repeats: int) -> bool:
        """Augmenting paths between members alone, until there are none; ``repeats``: how many a path may have, 0, 1
        or any number (``ANY_REPEATS``). True if any was used."""
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
        join two trees (so a path has one at most); with ``ANY_REPEATS``, repeats are used like any pair. With
        ``gives_way``, an even path to a member who may give way ends a path too: they are left alone and the root
        paired. The trees of a path are then taken apart, and their members are free for the other trees to reach.
        A phase that uses no path (and has budget left) proves there is none. Returns how many paths were used.
        """
        forest = Forest(self.mate, self.neighbours, roots, gives_way, self.budget)
        found = forest.grow(repeats)
        self.budget = forest.budget
        return found
