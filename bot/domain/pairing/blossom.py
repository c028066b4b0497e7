"""Augmenting paths by Edmonds' blossom algorithm: one phase grows alternating trees from every member alone at
once, shrinks odd cycles (blossoms), and moves partners along each path found."""

from __future__ import annotations

from collections import deque

ANY_REPEATS = 1 << 30  # any number of repeats in an augmenting path


class Forest:
    """One phase: alternating trees from ``roots`` over ``neighbours`` (lists heaviest first), changing ``mate``.

    ``gives_way``: members who may be left alone so that a root is paired (an even path to them ends a path too).
    ``budget``: how many edges the phase may still look at; what is left is in ``budget`` afterwards.
    """

    def __init__(
        self,
        mate: list[int],
        neighbours: list[list[tuple[float, int]]],
        roots: list[int],
        gives_way: list[bool] | None,
        budget: int,
    ) -> None:
        self.mate = mate
        self.neighbours = neighbours
        self.gives_way = gives_way
        self.budget = budget
        self.tree_of = {r: r for r in roots}  # the root of the tree each vertex is in
        self.members = {r: [r] for r in roots}  # each tree's vertices
        self.parent: dict[int, int] = {}  # how each inner vertex was reached (and outer ones in a blossom)
        self.base: dict[int, int] = {}  # the base of the blossom a vertex was shrunk into
        self.shrunk_into: dict[int, list[int]] = {}  # a blossom's base to the other vertices shrunk into it
        self.outer = set(roots)
        self.queue = deque((r, r) for r in roots)  # outer vertices to grow from, with their tree

    def grow(self, repeats: int) -> int:
        """Grow the trees breadth first until no outer vertex is left to grow from; returns how many paths were used.

        ``repeats`` 0: trees grow without repeats and a repeat is never used; 1: a repeat may join two trees;
        ``ANY_REPEATS``: repeats are used like any pair.
        """
        mate, neighbours, tree_of, outer, base = (
            self.mate,
            self.neighbours,
            self.tree_of,
            self.outer,
            self.base,
        )
        queue, members = self.queue, self.members
        found = 0
        budget = self.budget
        while queue and budget > 0 and len(members) >= (1 if self.gives_way is not None else 2):
            v, root = queue.popleft()
            if tree_of.get(v) != root:
                continue  # the tree was taken apart
            for w, to in neighbours[v]:
                budget -= 1
                join_only = w <= 0 and repeats != ANY_REPEATS  # a repeat, that may only join two trees
                if join_only and not repeats:
                    break  # lists are heaviest first: only repeats from here on
                if mate[v] == to or base.get(v, v) == base.get(to, to):
                    continue
                tree = tree_of.get(to)
                if tree is not None and to in outer:
                    if tree != root:  # an augmenting path: root .. v - to .. tree
                        self.augment(v, to, root, tree)
                        found += 1
                        break
                    if join_only:
                        continue
                    out, cost = self.shrink(v, to, root)
                    budget -= cost
                    if out >= 0:  # an even path to someone who may give way, round the blossom
                        flip_to_root(out, mate, self.parent)
                        mate[out] = -1
                        self.take_apart(root)
                        found += 1
                        break
                elif tree is None and not join_only and self.reach(v, to, root):
                    found += 1
                    break
        self.budget = budget
        return found

    def augment(self, v: int, to: int, root: int, tree: int) -> None:
        """Move partners along the path root .. v - to .. tree, which pairs both roots."""
        flip_to_root(v, self.mate, self.parent)
        flip_to_root(to, self.mate, self.parent)
        self.mate[v], self.mate[to] = to, v
        self.take_apart(root)
        self.take_apart(tree)

    def reach(self, v: int, to: int, root: int) -> bool:
        """``to``, not in any tree yet, is reached from ``v``: inner, and their partner outer. If ``to`` is alone (or
        their partner may give way) that is a path, used at once: True."""
        mate, parent, gives_way = self.mate, self.parent, self.gives_way
        m = mate[to]
        parent[to] = v
        if m < 0 or (gives_way is not None and gives_way[m]):
            if m >= 0:
                mate[m] = -1
            flip_to_root(to, mate, parent, inner=True)
            self.take_apart(root)
            return True
        self.tree_of[to] = self.tree_of[m] = root
        self.members[root] += (to, m)
        self.outer.add(m)
        self.queue.append((m, root))
        return False

    def shrink(self, v: int, to: int, root: int) -> tuple[int, int]:
        """Shrink the blossom closed by ``v - to`` into its stem. Returns a vertex that became outer and may give way
        (or -1), and the cost in budget."""
        mate, parent, base, outer = self.mate, self.parent, self.base, self.outer
        stem = blossom_base(v, to, mate, parent, base)
        shrunk: dict[int, None] = {}  # the bases of the blossoms on the cycle, in order
        for x, child in ((v, to), (to, v)):
            while base.get(x, x) != stem:
                mx = mate[x]
                shrunk[base.get(x, x)] = None
                shrunk[base.get(mx, mx)] = None
                parent[x] = child
                child = mx
                x = parent[mx]
        into = self.shrunk_into.setdefault(stem, [])
        newly_outer: list[int] = []
        cost = 0
        for old in shrunk:
            if old == stem:
                continue
            group = [old, *self.shrunk_into.pop(old, ())]
            cost += len(group)
            for i in group:
                base[i] = stem
                if i not in outer:
                    outer.add(i)
                    self.queue.append((i, root))
                    newly_outer.append(i)
            into.extend(group)
        gives_way = self.gives_way
        out = next((i for i in newly_outer if gives_way[i]), -1) if gives_way is not None else -1
        return out, cost

    def take_apart(self, root: int) -> None:
        """Free the vertices of a tree whose path was used, for the other trees to reach."""
        for x in self.members.pop(root):
            del self.tree_of[x]
            self.parent.pop(x, None)
            self.base.pop(x, None)
            self.shrunk_into.pop(x, None)
            self.outer.discard(x)


def blossom_base(v: int, to: int, mate: list[int], parent: dict[int, int], base: dict[int, int]) -> int:
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


def flip_to_root(x: int, mate: list[int], parent: dict[int, int], inner: bool = False) -> None:
    """Swap matched and unmatched pairs along the tree's path from ``x`` to the root, which ends up paired.

    ``x`` is outer, and is left for the caller to pair; or (``inner``) inner, and paired with its parent.
    """
    u = x if inner else mate[x]
    while u >= 0:
        pu = parent[u]
        nu = mate[pu]
        mate[u], mate[pu] = pu, u
        u = nu
