"""Buddy matching figures: time to match 10,000 waiting members, quality against an exact maximum-weight matching,
and memory at 10,000 members.

Targets (issue: buddy pairing): a round of 10,000 members matched in under 2 seconds; at least 95% of the weight of
an exact maximum-weight matching on every 500-member instance; under 300 MB at 10,000 members. Each figure is
printed beside a simple baseline measured in the same run: a naive greedy over every pair (time), an exact matching
by ``networkx.max_weight_matching`` (quality, about 40 s per instance), the candidate list alone (memory). Every
matching is checked: no blocked pair, no two members who both only want to support, nobody twice.

Quality is the share of the exact matching's weight, on the full graph ``match`` uses up to ``FULL_GRAPH_MAX``
members and on the sparse graph it uses beyond (forced on the same instances). A repeat pair counts with its weight,
-1,000: the exact matching never needs one on these instances, so a repeat is a fault, not a trade-off. Members who go
first add ``PRIORITY`` (100) to their pairs, which both matchings collect in full; the share is also given with that
bonus left out of both ("score only"), which is the harsher measure of how well topics and timezones are matched.

    .venv/bin/python bench/bench_pairing.py [--quick] [--seeds 11,12,13]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import pairing
from bot.domain.pairing import (
    DEFAULT_TOPICS,
    PRIORITY,
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

    # A hard round: 600 who only want to support, 200 who want to talk, so most can't be paired and every search
    # for one more pair fails.
    hard = [
        Candidate(i, frozenset({"Stress"}), 0, LookingFor.SUPPORT if i < 600 else LookingFor.TALK, False)
        for i in range(800)
    ]
    hard_rules = Rules(odd=OddRule.NEXT)
    gc.collect()
    start = time.perf_counter()
    hard_result = match(hard, hard_rules, seed=1)
    hard_time = time.perf_counter() - start
    gc.collect()
    start = time.perf_counter()
    hard_greedy = naive_greedy(hard, hard_rules)
    hard_naive = time.perf_counter() - start
    return [
        (
            "match 800 members, 600 of them support-only (most can't be paired)",
            "< 2 s",
            f"{hard_time:.2f} s ({len(hard_result.groups)} pairs, {len(hard_result.left_over)} left)",
            f"naive greedy over every pair: {hard_naive:.2f} s ({len(hard_greedy)} pairs)",
        ),
        (
            f"match {n:,} members ({len(rules.recent):,} recent pairs, {len(rules.blocks):,} blocks), {runs} runs",
            "< 2 s",
            f"{statistics.median(times):.2f} s median, {max(times):.2f} s max "
            f"({pairs:,} pairs, {trios} trio, {len(result.left_over)} left, {repeats} repeats)",
            f"naive greedy over every pair, {small:,} members only: {naive:.2f} s "
            f"(ours on the same: {ours_small:.2f} s); O(n²): ~{naive * scale:.0f} s at {n:,}, extrapolated",
        ),
    ]


def exact_matching(graph: pairing._Graph) -> list[tuple[int, int]]:
    """A maximum-weight matching over every positive-weight pair (networkx, exact), as pairs of user ids."""
    import networkx as nx

    g = nx.Graph()
    for i in range(graph.n):
        for j in range(i + 1, graph.n):
            weight = graph.weight(i, j)
            if weight is not None and weight > 0:
                g.add_edge(i, j, weight=weight)
    people = graph.people
    return [(people[i].user_id, people[j].user_id) for i, j in nx.max_weight_matching(g)]


def weigh(graph: pairing._Graph, groups: Sequence[Sequence[int]]) -> tuple[float, float]:
    """The weight of some pairs, and their weight without the bonus of members who go first."""
    index = {c.user_id: i for i, c in enumerate(graph.people)}
    total = bonus = 0.0
    for a, b in groups:
        total += graph.weight(index[a], index[b]) or 0.0
        bonus += PRIORITY * (graph.priority[index[a]] + graph.priority[index[b]])
    return total, total - bonus


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


def describe(
    share: float, score_share: float, matching: Matching, repeats: int, exact: float, graph: pairing._Graph
) -> str:
    """A matching's share of the exact weight, and of its score only (without the bonus of members who go first);
    with a repeat pair (-1,000 each), also the share without them."""
    text = (
        f"{share:.2f}% ({matching.weight:,.1f}), score only {score_share:.2f}%, {len(matching.groups)} pairs"
    )
    if not repeats:
        return text + ", 0 repeats"
    index = {c.user_id: i for i, c in enumerate(graph.people)}
    positive = sum(max(0.0, graph.weight(index[a], index[b]) or 0.0) for a, b in matching.groups)
    return (
        text + f", {repeats} repeat pair{'s' if repeats > 1 else ''}; {positive / exact * 100:.2f}% without"
    )


def quality(seeds: Sequence[int]) -> list[Row]:
    n = 500
    ours_share: list[float] = []
    sparse_share: list[float] = []
    ours_score: list[float] = []
    sparse_score: list[float] = []
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
        exact_pairs = exact_matching(graph)
        solve = time.perf_counter() - start
        exact, exact_score = weigh(graph, exact_pairs)
        ours_share.append(ours.weight / exact * 100)
        sparse_share.append(sparse.weight / exact * 100)
        ours_score.append(weigh(graph, ours.groups)[1] / exact_score * 100)
        sparse_score.append(weigh(graph, sparse.groups)[1] / exact_score * 100)
        rows.append(
            (
                f"quality, {n} members (seed {seed}), full graph",
                ">= 95%",
                describe(ours_share[-1], ours_score[-1], ours, repeats, exact, graph),
                f"exact {exact:,.1f}, score only {exact_score:,.1f}, {len(exact_pairs)} pairs "
                f"(networkx, {solve:.0f} s); greedy alone {greedy / exact * 100:.2f}%",
            )
        )
        rows.append(
            (
                f"  same, sparse graph used above {saved} members",
                ">= 95%",
                describe(sparse_share[-1], sparse_score[-1], sparse, sparse_repeats, exact, graph),
                "same exact matching",
            )
        )
    plural = "s" if len(seeds) > 1 else ""
    rows.append(
        (
            f"quality, minimum over {len(seeds)} instance{plural}",
            ">= 95%",
            f"{min(ours_share):.2f}% full graph, {min(sparse_share):.2f}% sparse graph; score only "
            f"{min(ours_score):.2f}% and {min(sparse_score):.2f}%",
            f"mean {statistics.mean(ours_share):.2f}% and {statistics.mean(sparse_share):.2f}%; score only "
            f"{statistics.mean(ours_score):.2f}% and {statistics.mean(sparse_score):.2f}%",
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
    parser = argparse.ArgumentParser(
        description="Buddy matching figures: time at 10,000 members, quality against an exact matching on "
        "500-member instances (full and sparse graph), memory at 10,000 members."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer members for the naive baseline, one quality instance (seed 11)",
    )
    parser.add_argument(
        "--seeds",
        type=lambda text: [int(s) for s in text.split(",")],
        help="quality instances to solve, comma-separated (default 11,12,13; about 40 s each)",
    )
    args = parser.parse_args()
    quick: bool = args.quick
    seeds: list[int] = args.seeds or ([11] if quick else [11, 12, 13])
    print(f"Python {sys.version.split()[0]} on {sys.platform}{' (quick)' if quick else ''}")
    mem = memory()
    rows = speed(quick) + quality(seeds) + mem
    width = max(len(r[0]) for r in rows)
    target_width = max(len(r[1]) for r in rows)
    print(f"{'figure':<{width}}  {'target':<{target_width}}  Haven | baseline")
    for name, target, ours, base in rows:
        print(f"{name:<{width}}  {target:<{target_width}}  {ours}" + (f"  | {base}" if base else ""))


if __name__ == "__main__":
    main()
