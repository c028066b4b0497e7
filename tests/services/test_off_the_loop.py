"""Buddy matching and the check-in summary never hold the event loop: matching runs in a worker process (a thread
for small rounds, or when no process can be started), the summary in a worker thread."""

from __future__ import annotations

import asyncio
import os
import random
import threading
from typing import Any

import pytest

from bot.domain.pairing import DEFAULT_TOPICS, Candidate, LookingFor, OddRule, Rules, match
from bot.services import checkins as checkins_module
from bot.services import workers as workers_module
from bot.services.checkins import CheckinService
from bot.services.workers import Workers
from bot.storage.checkins import CheckinRepository
from bot.storage.engine import Database
from tests.conftest import FakeClock


def round_of(size: int, seed: int) -> tuple[list[Candidate], Rules]:
    rng = random.Random(seed)
    people = [
        Candidate(
            10**17 + i,
            frozenset(rng.sample(DEFAULT_TOPICS, rng.randint(1, 4))),
            rng.choice((-300, 0, 60, 330, 540)),
            rng.choice((LookingFor.TALK, LookingFor.BOTH, LookingFor.SUPPORT)),
            rng.random() < 0.05,
        )
        for i in range(size)
    ]
    ids = [c.user_id for c in people]
    recent = frozenset(frozenset(rng.sample(ids, 2)) for _ in range(size))
    blocks = frozenset(frozenset(rng.sample(ids, 2)) for _ in range(size // 10))
    return people, Rules(recent=recent, blocks=blocks, odd=OddRule.TRIO)


async def test_a_large_round_is_matched_in_a_worker_process_while_the_loop_keeps_ticking() -> None:
    people, rules = round_of(2000, seed=3)
    workers = Workers()
    ticks = 0
    done = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.001)
            ticks += 1

    try:
        await workers.match(
            people[:300], rules, seed=1
        )  # starts the worker process before the heartbeat counts
        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(0)
        result = await workers.match(people, rules, seed=7)
        done.set()
        await beat
    finally:
        await workers.close()

    assert workers.last_path == "process"
    assert result == match(people, rules, seed=7)  # the same seeded result as on the loop
    # Matched on the loop, the round would hold it for its whole length and the heartbeat would not tick at all.
    assert ticks >= 3


async def test_a_small_round_is_matched_in_a_thread_without_starting_a_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[int] = []
    real_match = workers_module.match

    def recording(*args: Any) -> Any:
        threads.append(threading.get_ident())
        return real_match(*args)

    monkeypatch.setattr(workers_module, "match", recording)
    people, rules = round_of(120, seed=4)
    workers = Workers()

    result = await workers.match(people, rules, seed=2)

    assert workers.last_path == "thread"
    assert threads and threads[0] != threading.get_ident()
    assert result == real_match(people, rules, seed=2)
    tiny, tiny_rules = round_of(10, seed=4)
    assert await workers.match(tiny, tiny_rules, seed=2) == real_match(tiny, tiny_rules, seed=2)
    assert workers.last_path == "inline"  # a few members: well under a millisecond, on the loop
    await workers.close()  # nothing to stop


async def test_matching_falls_back_to_a_thread_when_no_process_can_be_started(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_process() -> Any:
        raise OSError("too many processes")

    monkeypatch.setattr(workers_module, "_start_pool", no_process)
    people, rules = round_of(500, seed=5)
    workers = Workers()

    first = await workers.match(people, rules, seed=3)
    second = await workers.match(people, rules, seed=3)

    assert workers.last_path == "thread"
    assert first == second == match(people, rules, seed=3)
    assert [r.getMessage() for r in caplog.records if r.name == "bot.workers"] == [
        "Matching falls back to a thread: the worker process failed (OSError)"
    ]


@pytest.mark.skipif(not hasattr(os, "kill"), reason="needs signals")
async def test_a_worker_process_that_dies_is_replaced_by_a_thread() -> None:
    people, rules = round_of(300, seed=6)
    workers = Workers()
    try:
        await workers.match(people, rules, seed=1)
        assert workers.last_path == "process"
        pool = workers._pool  # pyright: ignore[reportPrivateUsage]
        assert pool is not None
        for pid in list(pool._processes):  # pyright: ignore[reportPrivateUsage]
            os.kill(pid, 9)
        await asyncio.sleep(0.2)
        result = await workers.match(people, rules, seed=1)
    finally:
        await workers.close()
    assert workers.last_path == "thread"
    assert result == match(people, rules, seed=1)


async def test_the_check_in_summary_is_worked_out_off_the_event_loop(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = CheckinService(CheckinRepository(database), clock)
    for day in range(80):
        await service.record(1, 7, 1 + day % 5)
        clock.advance(days=1)
    threads: list[int] = []
    summarise = checkins_module.summarise

    def recording(*args: Any) -> Any:
        threads.append(threading.get_ident())
        return summarise(*args)

    monkeypatch.setattr(checkins_module, "summarise", recording)

    summary, _zone = await service.summary(1, 7, 90)

    assert summary.count == 80
    assert threads and threads[0] != threading.get_ident()
