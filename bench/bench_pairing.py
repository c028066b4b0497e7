"""Buddy matching figures: time from 100 to 10,000 waiting members, quality against an exact maximum-weight matching
at 100, 300, 500 and 1,000, how long a round holds the event loop, and memory at 10,000 members.

Targets (issue #14 item 9, and the buddy pairing issue): every round up to 10,000 members matched in under 1 s on the
2-core machine, with no cliff where the path changes; at least 98% of the weight of an exact maximum-weight matching
(``networkx.max_weight_matching``) at 300, 500 and 1,000 members; the event loop held under 5 ms while a round is
matched (item 8); under 300 MB at 10,000 members. Each figure is printed beside the baselines measured in the same
run: a simple greedy (heaviest pair first over every pair, no improvement) and the exact matching. Every matching is
checked: no blocked pair, no two members who both only want to support, nobody twice.

Quality is the share of the exact matching's weight, for the path ``match`` chooses (the full graph up to
``FULL_GRAPH_MAX`` members, likely partners beyond) and for the other path on the same instance. A repeat pair counts
with its weight, -1,000. Members who go first add ``PRIORITY`` (100) to their pairs, which every matching here collects
in full; the share is also given with that bonus left out of all ("score only"), the harsher measure of how well
topics and timezones are matched.

    .venv/bin/python bench/bench_pairing.py [--quick] [--exact 100,300,500,1000] [--seeds 11,12,13]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import pairing
from bot.domain.pairing import (
    DEFAULT_TOPICS,
    FULL_GRAPH_MAX,
    PRIORITY,
    Candidate,
    LookingFor,
    Matching,
    OddRule,
    Rules,
    match,
    neighbours_for,
    pair_weight,
)
from bot.domain.pairing import matching as matching_module
from bot.services.workers import Workers

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


def path_of(n: int) -> str:
    return "full graph" if n <= FULL_GRAPH_MAX else f"likely partners, {neighbours_for(n)} each way"


def timed(fn: Callable[..., Matching], *args: object) -> tuple[float, Matching]:
    gc.collect()
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def timed_cpu(fn: Callable[..., Matching], *args: object) -> tuple[float, float, Matching]:
    """Wall time, and the CPU time of this process (less sensitive to other work on a shared machine)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu, result


def scaling(sizes: Sequence[int], runs: int, greedy_up_to: int) -> list[Row]:
    """Time of ``match`` at each size (median and max of ``runs`` seeds), beside the naive greedy over every pair."""
    rows: list[Row] = []
    greedy_per_pair = 0.0
    for n in sizes:
        candidates = make_candidates(n, seed=n)
        rules = make_rules(candidates, seed=n, odd=OddRule.TRIO)
        times: list[float] = []
        cpu_times: list[float] = []
        result = None
        for run in range(runs):
            elapsed, cpu, result = timed_cpu(match, candidates, rules, run)
            times.append(elapsed)
            cpu_times.append(cpu)
        assert result is not None
        repeats = check(result, candidates, rules)
        if n <= greedy_up_to:
            gc.collect()
            start = time.perf_counter()
            naive_greedy(candidates, rules)
            naive = time.perf_counter() - start
            greedy_per_pair = naive / (n * (n - 1) / 2)
            base = f"greedy over every pair: {naive:.2f} s"
        else:
            base = (
                f"greedy over every pair: ~{greedy_per_pair * n * (n - 1) / 2:.0f} s (extrapolated, not run)"
            )
        rows.append(
            (
                f"match {n:,} members ({path_of(n)}), {runs} runs",
                "< 1 s",
                f"{statistics.median(times):.3f} s median, {max(times):.3f} s max, CPU "
                f"{statistics.median(cpu_times):.3f} s median ({len(result.groups):,} groups, "
                f"{len(result.left_over)} left, {repeats} repeats)",
                base,
            )
        )
    return rows


def hard_round() -> list[Row]:
    """600 who only want to support, 200 who want to talk: most can't be paired and every search for one more fails."""
    hard = [
        Candidate(i, frozenset({"Stress"}), 0, LookingFor.SUPPORT if i < 600 else LookingFor.TALK, False)
        for i in range(800)
    ]
    hard_rules = Rules(odd=OddRule.NEXT)
    elapsed, result = timed(match, hard, hard_rules, 1)
    gc.collect()
    start = time.perf_counter()
    greedy = naive_greedy(hard, hard_rules)
    naive = time.perf_counter() - start
    return [
        (
            f"match 800 members, 600 of them support-only ({path_of(800)})",
            "< 1 s",
            f"{elapsed:.3f} s ({len(result.groups)} pairs, {len(result.left_over)} left)",
            f"greedy over every pair: {naive:.2f} s ({len(greedy)} pairs)",
        )
    ]


def forced(candidates: list[Candidate], rules: Rules, seed: int, full: bool) -> Matching:
    """``match`` on the full graph or on likely partners, whatever the size."""
    return matching_module.match(candidates, rules, seed, full_graph_max=10**9 if full else 0)


def quality(sizes: Sequence[int], seeds: Sequence[int]) -> list[Row]:
    rows: list[Row] = []
    shares: dict[int, list[float]] = {}
    for n in sizes:
        for seed in seeds if n <= 500 else seeds[:1]:
            candidates = make_candidates(n, seed=seed)
            rules = make_rules(candidates, seed=seed, odd=OddRule.NEXT)
            graph = pairing._Graph(candidates, rules, seed)
            ours_time, ours = timed(match, candidates, rules, seed)
            other = forced(candidates, rules, seed, full=n > FULL_GRAPH_MAX)
            repeats = check(ours, candidates, rules) + check(other, candidates, rules)
            assert all(len(g) == 2 for g in ours.groups)  # OddRule.NEXT: no trio in the weight
            print(f"  exact matching, {n} members, seed {seed} ...", file=sys.stderr, flush=True)
            start = time.perf_counter()
            exact_pairs = exact_matching(graph)
            solve = time.perf_counter() - start
            exact, exact_score = weigh(graph, exact_pairs)
            greedy = greedy_weight(graph)
            share = ours.weight / exact * 100
            shares.setdefault(n, []).append(share)
            other_name = "full graph" if n > FULL_GRAPH_MAX else f"likely partners ({neighbours_for(n)})"
            rows.append(
                (
                    f"quality, {n:,} members (seed {seed}), {path_of(n)}",
                    ">= 98%",
                    f"{share:.2f}% (score only {weigh(graph, ours.groups)[1] / exact_score * 100:.2f}%) in "
                    f"{ours_time:.3f} s; {other_name}: {other.weight / exact * 100:.2f}%; {repeats} repeats",
                    f"exact {exact:,.1f} in {solve:.1f} s (networkx); greedy {greedy / exact * 100:.2f}%",
                )
            )
    rows.append(
        (
            "quality, minimum by size",
            ">= 98%",
            ", ".join(f"{n:,}: {min(v):.2f}%" for n, v in shares.items()),
            "",
        )
    )
    return rows


def large_quality(sizes: Sequence[int]) -> list[Row]:
    """Beyond what the exact matching can solve here: the weight of ``match`` against the same matching given 16
    likely partners each way (the most it gives any round; slower), on the same instance."""
    rows: list[Row] = []
    for n in sizes:
        candidates = make_candidates(n, seed=n + 2)
        rules = make_rules(candidates, seed=n + 2, odd=OddRule.NEXT)
        ours = match(candidates, rules, seed=1)
        wide_time, wide = timed(matching_module.match, candidates, rules, 1, 0, 16)
        check(ours, candidates, rules)
        check(wide, candidates, rules)
        rows.append(
            (
                f"quality, {n:,} members ({path_of(n)}), against 16 each way",
                "",
                f"{ours.weight / wide.weight * 100:.2f}%",
                f"16 each way: {wide.weight:,.1f} in {wide_time:.2f} s",
            )
        )
    return rows


async def longest_stall(work: Callable[..., object], *args: object) -> tuple[float, float]:
    """The longest gap between turns of a 1 ms heartbeat while ``work`` runs, and how long it took."""
    stall = 0.0
    done = False

    async def heartbeat() -> None:
        nonlocal stall
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stall = max(stall, now - last - 0.001)
            last = now

    beat = asyncio.create_task(heartbeat())
    await asyncio.sleep(0.01)
    start = time.perf_counter()
    result = work(*args)
    if asyncio.iscoroutine(result):
        await result
    elapsed = time.perf_counter() - start
    done = True
    await beat
    return stall, elapsed


async def least_stall(trials: int, work: Callable[..., object], *args: object) -> tuple[float, float]:
    """The smallest of ``trials`` longest stalls (with its round's time): on a shared machine, the other work
    scheduled in the way adds stalls of its own, and the smallest one is the closest to this code's own."""
    return min([await longest_stall(work, *args) for _ in range(trials)])


def burn(seconds: float) -> int:
    """Busy work in a process of its own: a neighbour taking one of the machine's cores."""
    end, count = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        count += 1
    return count


async def beside_a_busy_process(pool: ProcessPoolExecutor, seconds: float) -> None:
    """The loop idle for ``seconds`` while another process burns a core (a baseline for the worker process)."""
    busy = asyncio.get_running_loop().run_in_executor(pool, burn, seconds)
    await asyncio.sleep(seconds)
    await busy


async def loop_stalls(sizes: Sequence[int], trials: int) -> list[Row]:
    """How long a round holds the event loop: matched on the loop, in a thread, and in the worker process; beside
    the loop idle, and idle while another process burns a core (what the machine itself adds)."""
    rows: list[Row] = []
    workers = Workers()
    neighbour_pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
    try:
        await asyncio.get_running_loop().run_in_executor(neighbour_pool, burn, 0.0)
        for n in sizes:
            candidates = make_candidates(n, seed=n + 1)
            rules = make_rules(candidates, seed=n + 1, odd=OddRule.TRIO)
            await workers.match(candidates[:300], rules, seed=0)  # the process is started once, before
            idle = await least_stall(trials, asyncio.sleep, 0.5)
            neighbour = await least_stall(trials, beside_a_busy_process, neighbour_pool, 0.5)
            inline = await least_stall(trials, match, candidates, rules, 1)
            thread = await least_stall(trials, asyncio.to_thread, match, candidates, rules, 1)
            process = await least_stall(trials, workers.match, candidates, rules, 1)
            assert workers.last_path == "process"
            rows.append(
                (
                    f"longest event-loop stall while {n:,} members are matched (least of {trials})",
                    "< 5 ms",
                    f"worker process {process[0] * 1000:.1f} ms (round {process[1]:.2f} s)",
                    f"on the loop {inline[0] * 1000:.0f} ms; thread {thread[0] * 1000:.1f} ms "
                    f"(round {thread[1]:.2f} s); loop idle {idle[0] * 1000:.1f} ms, idle beside a busy "
                    f"process {neighbour[0] * 1000:.1f} ms",
                )
            )
    finally:
        await workers.close()
        neighbour_pool.shutdown()
    return rows


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
        description="Buddy matching: time, quality against an exact matching, loop stalls"
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer sizes and runs; exact matching at 300 only"
    )
    parser.add_argument(
        "--exact",
        type=lambda text: [int(s) for s in text.split(",")],
        help="sizes to compare with the exact matching (default 100,300,500,1000; 1,000 takes minutes)",
    )
    parser.add_argument(
        "--seeds",
        type=lambda text: [int(s) for s in text.split(",")],
        help="quality instances up to 500 members, comma-separated (default 11,12,13); larger sizes use the first",
    )
    parser.add_argument(
        "--parts",
        default="time,loop,quality,large,memory",
        help="which figures, comma-separated: time, loop, quality (exact), large (quality beyond), memory (default all)",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    quick: bool = args.quick
    seeds: list[int] = args.seeds or ([11] if quick else [11, 12, 13])
    exact_sizes: list[int] = args.exact or ([300] if quick else [100, 300, 500, 1000])
    sizes = (
        [100, 1000, 10_000]
        if quick
        else [
            100,
            300,
            FULL_GRAPH_MAX,
            FULL_GRAPH_MAX + 1,
            500,
            800,
            801,
            1000,
            2000,
            3125,
            5000,
            7500,
            10_000,
        ]
    )
    print(f"Python {sys.version.split()[0]} on {sys.platform}{' (quick)' if quick else ''}")
    mem = memory() if "memory" in parts else []
    rows: list[Row] = []
    if "time" in parts:
        rows += scaling(sizes, runs=3 if quick else 5, greedy_up_to=1000 if quick else 2000) + hard_round()
    if "loop" in parts:
        rows += asyncio.run(loop_stalls([2000] if quick else [1000, 2000, 10_000], trials=3))
    if "quality" in parts:
        rows += quality(exact_sizes, seeds)
    if "large" in parts:
        rows += large_quality([] if quick else [2000, 5000, 10_000])
    rows += mem
    width = max(len(r[0]) for r in rows)
    target_width = max(len(r[1]) for r in rows)
    print(f"{'figure':<{width}}  {'target':<{target_width}}  Haven | baselines")
    for name, target, ours, base in rows:
        print(f"{name:<{width}}  {target:<{target_width}}  {ours}" + (f"  | {base}" if base else ""))


if __name__ == "__main__":
    main()
