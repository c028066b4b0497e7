"""CPU work kept off the event loop: buddy matching in a worker process, with a thread as the fallback.

Matching is pure Python, so a thread would still hold the GIL while it runs: the loop would get a turn only every
switch interval (5 ms) and run at a fraction of its speed for the whole round (up to a second at 10,000 members). A
process of its own leaves the loop free. What crosses to it is packed first, in a thread, into a few flat arrays
(pickling 10,000 ``Candidate`` dataclasses and 30,000 recent pairs as sets takes tens of milliseconds, and pickling
holds the GIL: the loop would stall meanwhile), and the result comes back the same way. Small rounds, which take a
few milliseconds, run in a thread instead, so that no process is started for them; rounds of a few members (under a
millisecond or two) on the loop. If the process can't be started
or dies (``BrokenProcessPool``, an OS limit, an id too large for the arrays), matching falls back to a thread for the
rest of the process's life and says so once in the log. Figures: docs/PERFORMANCE.md.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
from array import array
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeAlias

from bot.domain.pairing import Candidate, LookingFor, Matching, OddRule, Rules, match

log = logging.getLogger("bot.workers")

PROCESS_FROM = 200  # members; a smaller round is matched in a thread (at most a few milliseconds of work)
INLINE_BELOW = 50  # members; so small a round (under a millisecond or two) is matched on the loop


def _warm_up() -> None:
    """Run once in a new worker process, so that it is started (and has imported the matching) before a round."""


class Workers:
    """Runs CPU-heavy pure functions away from the event loop (one process, started on first need)."""

    def __init__(self, *, process_from: int = PROCESS_FROM, processes: bool = True) -> None:
        self.process_from = process_from
        self._use_processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Lock | None = None
        self.last_path = ""  # "process", "thread" or "inline": where the last round was matched (for tests)

    async def match(self, candidates: Sequence[Candidate], rules: Rules, seed: int) -> Matching:
        """``bot.domain.pairing.match`` off the event loop: the same result, in a worker process or a thread."""
        args = (list(candidates), rules, seed)
        if self._use_processes and len(args[0]) >= self.process_from:
            try:
                pool = await self._pool_started()
                packed = await asyncio.to_thread(pack_round, *args)
                raw = await asyncio.get_running_loop().run_in_executor(pool, match_packed, packed)
                result = await asyncio.to_thread(unpack_matching, raw)
            except (BrokenProcessPool, OSError, pickle.PicklingError, OverflowError) as exc:
                log.warning(
                    "Matching falls back to a thread: the worker process failed (%s)", type(exc).__name__
                )
                self._use_processes = False
                await self.close()
            else:
                self.last_path = "process"
                return result
        if len(args[0]) < INLINE_BELOW:
            self.last_path = "inline"
            return match(*args)
        self.last_path = "thread"
        return await asyncio.to_thread(match, *args)

    async def _pool_started(self) -> ProcessPoolExecutor:
        """The worker process, started in a thread the first time (starting one blocks for tens of milliseconds)."""
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._pool is None:
                self._pool = await asyncio.to_thread(_start_pool)
            return self._pool

    async def close(self) -> None:
        """Stop the worker process, if one was started (a round in progress is abandoned). Safe to call twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


def _start_pool() -> ProcessPoolExecutor:
    """One worker process, from a fork server where there is one: never a bare fork of this process, whose other
    threads (the database driver's, the loop's executor) may hold locks at that moment."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["bot.domain.pairing"])
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    try:
        pool.submit(_warm_up).result(timeout=30)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


_KINDS = tuple(LookingFor)
_ODD = tuple(OddRule)
# Flat arrays (quick to pickle); string aliases, since array is generic only for the type checker.
PackedRound: TypeAlias = "tuple[tuple[str, ...], array[int], list[int], array[int], bytes, bytes, array[int], array[int], int, int]"
PackedMatching: TypeAlias = "tuple[array[int], bytes, array[int], float]"


def _flat_pairs(pairs: Iterable[frozenset[int]]) -> array[int]:
    return array("q", [user for pair in pairs if len(pair) == 2 for user in sorted(pair)])


def pack_round(candidates: Sequence[Candidate], rules: Rules, seed: int) -> PackedRound:
    """A round as flat arrays (ids, topic masks, offsets, kinds, priority, recent pairs, blocks), quick to pickle."""
    topics = tuple(sorted({t for c in candidates for t in c.topics}))
    bit = {t: 1 << i for i, t in enumerate(topics)}
    return (
        topics,
        array("q", [c.user_id for c in candidates]),
        [sum(bit[t] for t in c.topics) for c in candidates],
        array("i", [c.utc_offset_minutes for c in candidates]),
        bytes(_KINDS.index(c.looking_for) for c in candidates),
        bytes(c.priority for c in candidates),
        _flat_pairs(rules.recent),
        _flat_pairs(rules.blocks),
        _ODD.index(rules.odd),
        seed,
    )


def unpack_round(packed: PackedRound) -> tuple[list[Candidate], Rules, int]:
    """The round ``pack_round`` packed, as ``match`` takes it."""
    topics, ids, masks, offsets, kinds, priority, recent, blocks, odd, seed = packed
    people = [
        Candidate(
            user_id,
            frozenset(t for i, t in enumerate(topics) if mask >> i & 1),
            offset,
            _KINDS[kind],
            bool(first),
        )
        for user_id, mask, offset, kind, first in zip(ids, masks, offsets, kinds, priority, strict=True)
    ]

    def pairs(flat: array[int]) -> frozenset[frozenset[int]]:
        return frozenset(frozenset((flat[k], flat[k + 1])) for k in range(0, len(flat), 2))

    return people, Rules(recent=pairs(recent), blocks=pairs(blocks), odd=_ODD[odd]), seed


def match_packed(packed: PackedRound) -> PackedMatching:
    """In the worker process: unpack, match, pack the result."""
    result = match(*unpack_round(packed))
    return (
        array("q", [user for group in result.groups for user in group]),
        bytes(len(group) for group in result.groups),
        array("q", result.left_over),
        result.weight,
    )


def unpack_matching(raw: PackedMatching) -> Matching:
    """The ``Matching`` that ``match_packed`` packed."""
    flat, sizes, left_over, weight = raw
    groups: list[tuple[int, ...]] = []
    at = 0
    for size in sizes:
        groups.append(tuple(flat[at : at + size]))
        at += size
    return Matching(groups=tuple(groups), left_over=tuple(left_over), weight=weight)
