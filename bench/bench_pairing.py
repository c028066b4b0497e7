"""Buddy matching figures: time to match 10,000 waiting members, quality against an exact maximum-weight matching,
and memory at 10,000 members.

Targets (issue: buddy pairing): a round of 10,000 members matched in under 2 seconds; at least 95% of the weight of
an exact maximum-weight matching on every 500-member instance; under 300 MB at 10,000 members. Each figure is
printed beside a simple baseline measured in the same run: a naive greedy over every pair (time), an exact matching
by ``networkx.max_weight_matching`` (quality, about 40 s per instance), the candidate list alone (memory). Every
matching is checked: no blocked pair, no two members who both only want to support, nobody twice.

    .venv/bin/python bench/bench_pairing.py [--quick]
"""

from __future__ import annotations

import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import pairing
from bot.domain.pairing import (
    DEFAULT_TOPICS,
    Candidate,
    LookingFor,
    Matching,
    OddRule,
    Rules,
    match,
    pair_weight,
)

# Popularity of each of the 13 default topics (relative), so that some topics are chosen far more than others.
TOPIC_WEIGHTS = (20, 15, 14, 10, 4, 8, 6, 10, 3, 4, 3, 8, 12)
TOPIC_COUNTS = ((1, 30), (2, 35), (3, 20), (4, 15))  # how many topics a member chose, and how often
# UTC offsets in minutes with a rough share of an English-speaking Discord community, half-hour and 45-minute zones
# included (India +05:30 = 330, Nepal +05:45 = 345, Iran, Afghanistan, Myanmar, Adelaide, Newfoundland).
OFFSETS = (
    (-600, 0.5),
    (-540, 0.5),
    (-480, 10),
    (-420, 5),
    (-360, 9),
    (-300, 14),
    (-240, 4),
    (-210, 0.2),
    (-180, 6),
    (0, 8),
    (60, 16),
    (120, 5),
    (180, 4),
    (210, 0.3),
    (240, 2),
    (270, 0.1),
    (300, 1),
    (330, 5),
    (345, 0.5),
    (390, 0.2),
    (420, 2),
    (480, 5),
    (540, 2),
    (570, 0.3),
    (600, 2),
    (720, 1),
)
KINDS = (LookingFor.BOTH, LookingFor.TALK, LookingFor.SUPPORT)
KIND_WEIGHTS = (50, 30, 20)  # what members look for, and how often
PRIORITY_SHARE = 0.05
HISTORY_ROUNDS = 6  # rounds of random pairs in the recent history (n / 2 pairs each)
BLOCK_SHARE = 0.1  # blocks: one for every ten members (1,000 at 10,000)

Row = tuple[str, str, str, str]


def make_candidates(n: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)
    offsets, offset_weights = zip(*OFFSETS, strict=True)
    counts, count_weights = zip(*TOPIC_COUNTS, strict=True)
    people: list[Candidate] = []
    for i in range(n):
        want = rng.choices(counts, count_weights)[0]
        topics: set[str] = set()
        while len(topics) < want:
            topics.add(rng.choices(DEFAULT_TOPICS, TOPIC_WEIGHTS)[0])
        people.append(
            Candidate(
                user_id=10**17 + i * 7919,
                topics=frozenset(topics),
                utc_offset_minutes=rng.choices(offsets, offset_weights)[0],
                looking_for=rng.choices(KINDS, KIND_WEIGHTS)[0],
                priority=rng.random() < PRIORITY_SHARE,
            )
        )
    rng.shuffle(people)
    return people


def make_rules(candidates: list[Candidate], seed: int, odd: OddRule) -> Rules:
    rng = random.Random(seed + 1)
    ids = [c.user_id for c in candidates]
    recent: set[frozenset[int]] = set()
    for _ in range(HISTORY_ROUNDS):
        order = ids[:]
        rng.shuffle(order)
        recent.update(frozenset(order[k : k + 2]) for k in range(0, len(order) - 1, 2))
    blocks: set[frozenset[int]] = set()
    while len(blocks) < int(len(ids) * BLOCK_SHARE):
        blocks.add(frozenset(rng.sample(ids, 2)))
    return Rules(recent=frozenset(recent), blocks=frozenset(blocks), odd=odd)


def check(matching: Matching, candidates: list[Candidate], rules: Rules) -> int:
    """Assert the rules that must never be broken; return how many pairs are repeats from the recent rounds."""
    kind = {c.user_id: c.looking_for for c in candidates}
    seen: set[int] = set()
    repeats = 0
    for group in matching.groups:
        assert 2 <= len(group) <= 3, group
        for x, a in enumerate(group):
            assert a not in seen, f"{a} matched twice"
            seen.add(a)
            for b in group[x + 1 :]:
                key = frozenset((a, b))
                assert key not in rules.blocks, f"blocked pair {a}, {b} matched"
                assert not (kind[a] is LookingFor.SUPPORT and kind[b] is LookingFor.SUPPORT), (a, b)
                repeats += key in rules.recent
    assert seen.isdisjoint(matching.left_over)
    assert len(seen) + len(matching.left_over) == len(candidates)
    return repeats


def naive_greedy(candidates: list[Candidate], rules: Rules) -> list[tuple[int, int]]:
    """Baseline: score every pair with ``pair_weight``, then take pairs heaviest first."""
    scored: list[tuple[float, int, int]] = []
    for x, a in enumerate(candidates):
        for b in candidates[x + 1 :]:
            weight = pair_weight(a, b, rules)
            if weight is not None:
                scored.append((weight, a.user_id, b.user_id))
    scored.sort(reverse=True)
    taken: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, a, b in scored:
        if a not in taken and b not in taken:
            taken.update((a, b))
            pairs.append((a, b))
    return pairs


def speed(quick: bool) -> list[Row]:
    n, runs = 10_000, 5
    candidates = make_candidates(n, seed=1)
    rules = make_rules(candidates, seed=1, odd=OddRule.TRIO)
    times: list[float] = []
    result = None
    for run in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = match(candidates, rules, seed=run)
        times.append(time.perf_counter() - start)
    assert result is not None
    repeats = check(result, candidates, rules)
    pairs = sum(len(g) == 2 for g in result.groups)
    trios = sum(len(g) == 3 for g in result.groups)

    small = 1_000 if quick else 2_000
    base_candidates = make_candidates(small, seed=2)
    base_rules = make_rules(base_candidates, seed=2, odd=OddRule.NEXT)
    gc.collect()
    start = time.perf_counter()
    greedy = naive_greedy(base_candidates, base_rules)
    naive = time.perf_counter() - start
    assert greedy
    gc.collect()
    start = time.perf_counter()
    check(match(base_candidates, base_rules, seed=0), base_candidates, base_rules)
    ours_small = time.perf_counter() - start
    scale = (n / small) ** 2
    return [
        (
            f"match {n:,} members ({len(rules.recent):,} recent pairs, {len(rules.blocks):,} blocks), {runs} runs",
            "< 2 s",
            f"{statistics.median(times):.2f} s median, {max(times):.2f} s max "
            f"({pairs:,} pairs, {trios} trio, {len(result.left_over)} left, {repeats} repeats)",
            f"naive greedy over every pair, {small:,} members only: {naive:.2f} s "
            f"(ours on the same: {ours_small:.2f} s); O(n²): ~{naive * scale:.0f} s at {n:,}, extrapolated",
        )
    ]


def exact_weight(graph: pairing._Graph) -> float:
    """The weight of a maximum-weight matching over every positive-weight pair (networkx, exact)."""
    import networkx as nx

    g = nx.Graph()
    for i in range(graph.n):
        for j in range(i + 1, graph.n):
            weight = graph.weight(i, j)
            if weight is not None and weight > 0:
                g.add_edge(i, j, weight=weight)
    mates = nx.max_weight_matching(g)
    return sum(graph.weight(i, j) or 0.0 for i, j in mates)


def greedy_weight(graph: pairing._Graph) -> float:
    """Heaviest positive pairs first over every pair, no improvement (for context)."""
    taken = [False] * graph.n
    total = 0.0
    for weight, i, j in graph.all_pairs():
        if weight <= 0:
            break
        if not taken[i] and not taken[j]:
            taken[i] = taken[j] = True
            total += weight
    return total


def describe(share: float, matching: Matching, repeats: int, exact: float, graph: pairing._Graph) -> str:
    """A matching's share of the exact weight; with a repeat pair (-1,000 each), also the share without them."""
    text = f"{share:.2f}% ({matching.weight:,.1f})"
    if not repeats:
        return text
    index = {c.user_id: i for i, c in enumerate(graph.people)}
    positive = sum(max(0.0, graph.weight(index[a], index[b]) or 0.0) for a, b in matching.groups)
    return (
        text + f", {repeats} repeat pair{'s' if repeats > 1 else ''}; {positive / exact * 100:.2f}% without"
    )


def quality(quick: bool) -> list[Row]:
    n = 500
    seeds = (11,) if quick else (11, 12, 13)
    ours_share: list[float] = []
    sparse_share: list[float] = []
    rows: list[Row] = []
    for seed in seeds:
        candidates = make_candidates(n, seed=seed)
        rules = make_rules(candidates, seed=seed, odd=OddRule.NEXT)
        graph = pairing._Graph(candidates, rules, seed)
        ours = match(candidates, rules, seed)
        repeats = check(ours, candidates, rules)
        index = {c.user_id: i for i, c in enumerate(graph.people)}
        assert all(len(g) == 2 for g in ours.groups)  # OddRule.NEXT: no trio in the weight
        recomputed = sum(graph.weight(index[a], index[b]) or 0.0 for a, b in ours.groups)
        assert abs(ours.weight - recomputed) < 1e-3
        saved = pairing.FULL_GRAPH_MAX
        pairing.FULL_GRAPH_MAX = 0
        try:
            sparse = match(candidates, rules, seed)
        finally:
            pairing.FULL_GRAPH_MAX = saved
        sparse_repeats = check(sparse, candidates, rules)
        greedy = greedy_weight(graph)
        print(f"  exact matching, instance seed {seed} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        exact = exact_weight(graph)
        solve = time.perf_counter() - start
        ours_share.append(ours.weight / exact * 100)
        sparse_share.append(sparse.weight / exact * 100)
        rows.append(
            (
                f"quality, {n} members (seed {seed}), full graph",
                ">= 95%",
                describe(ours_share[-1], ours, repeats, exact, graph),
                f"exact {exact:,.1f} (networkx, {solve:.0f} s); greedy alone {greedy / exact * 100:.2f}%",
            )
        )
        rows.append(
            (
                "  same, sparse graph used above 800 members",
                "(for transparency)",
                describe(sparse_share[-1], sparse, sparse_repeats, exact, graph),
                "same exact matching",
            )
        )
    rows.append(
        (
            f"quality, minimum over {len(seeds)} instance{'s' if len(seeds) > 1 else ''}",
            ">= 95%",
            f"{min(ours_share):.2f}% full graph, {min(sparse_share):.2f}% sparse graph",
            "",
        )
    )
    return rows


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory() -> list[Row]:
    """Run first, in a fresh process, so that the peak RSS is this figure's own."""
    n = 10_000
    gc.collect()
    before = current_rss_mb()
    candidates = make_candidates(n, seed=3)
    rules = make_rules(candidates, seed=3, odd=OddRule.TRIO)
    check(match(candidates, rules, seed=3), candidates, rules)
    rss_growth = peak_rss_mb() - before
    del candidates, rules
    gc.collect()

    tracemalloc.start()
    candidates = make_candidates(n, seed=3)
    only_candidates = tracemalloc.get_traced_memory()[0]
    rules = make_rules(candidates, seed=3, odd=OddRule.TRIO)
    with_rules = tracemalloc.get_traced_memory()[0]
    result = match(candidates, rules, seed=3)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    check(result, candidates, rules)
    return [
        (
            f"memory, {n:,} members: build candidates and rules, match",
            "< 300 MB",
            f"{peak / 2**20:.0f} MB traced peak, {rss_growth:.0f} MB RSS growth",
            f"candidate list alone {only_candidates / 2**20:.1f} MB; "
            f"with recent pairs and blocks {with_rules / 2**20:.1f} MB",
        )
    ]


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"Python {sys.version.split()[0]} on {sys.platform}{' (quick)' if quick else ''}")
    mem = memory()
    rows = speed(quick) + quality(quick) + mem
    width = max(len(r[0]) for r in rows)
    target_width = max(len(r[1]) for r in rows)
    print(f"{'figure':<{width}}  {'target':<{target_width}}  Haven | baseline")
    for name, target, ours, base in rows:
        print(f"{name:<{width}}  {target:<{target_width}}  {ours}" + (f"  | {base}" if base else ""))


if __name__ == "__main__":
    main()
