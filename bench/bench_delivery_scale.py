"""Delivery at scale: 1,000 alert items and 1,000 scheduled check-in prompts through the real delivery engine and
storage, with random crashes and injected 500s, 429s and timeouts. Counts duplicates and losses (target 0 and 0).

What is real: ``DeliveryEngine``, ``DeliveryRepository`` (SQLite, and PostgreSQL with ``TEST_DATABASE_URL``), the
check-in service making prompts from 1,000 due schedules (``claim_due``) and deciding what to send
(``prompt_to_send`` / ``prompt_sent``). What is simulated: Discord, as a function that honours ``enforce_nonce`` (a
create with a nonce it saw already returns the first message, as Discord does for a few minutes), and the crash: a
send that reached Discord is abandoned before it is marked, the engine is dropped without stopping (like ``kill -9``)
and a new one starts with the same instance id. The baseline is the same run without the nonce (what a
"send, then mark" loop without a second look would do): its duplicates are the sends the nonce saved.

    .venv/bin/python bench/bench_delivery_scale.py [--quick]
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.delivery import DeliveryEngine
from bot.domain.checkins import PROMPT
from bot.domain.delivery import DeliveryItem, ItemState, Outcome
from bot.services.checkins import CheckinService
from bot.storage import migrate
from bot.storage.checkins import CheckinRepository
from bot.storage.delivery import DeliveryRepository, enqueue
from bot.storage.engine import Database

ALERT = "bench.alert"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Crash(BaseException):
    """The process dies here (after Discord took the message, before it is marked): nothing after it runs."""


class Discord:
    """Messages per ref as members would see them; a repeated nonce returns the first message (``enforce_nonce``)."""

    def __init__(self, rng: random.Random, honour_nonce: bool) -> None:
        self.rng = rng
        self.honour_nonce = honour_nonce
        self.seen: dict[str, int] = {}
        self.visible: Counter[tuple[str, int]] = Counter()
        self.faults: Counter[str] = Counter()

    def create(self, kind: str, ref: int, nonce: str) -> int:
        roll = self.rng.random()
        if roll < 0.10:
            self.faults["500"] += 1
            raise OSError("500")  # refused before it was created
        if roll < 0.18:
            self.faults["429"] += 1
            raise OSError("429")
        if self.honour_nonce and nonce in self.seen:
            return self.seen[nonce]
        message_id = len(self.seen) + sum(self.visible.values()) + 1
        self.seen[nonce] = message_id
        self.visible[(kind, ref)] += 1
        if roll < 0.25:
            self.faults["timeout"] += 1
            raise TimeoutError  # created, but the answer was lost
        if roll < 0.27:
            self.faults["crash"] += 1
            raise Crash
        return message_id


async def run(url: str, n: int, honour_nonce: bool, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    clock = Clock()
    db = await Database.open(url, connect_timeout=5)
    await migrate.upgrade(db)
    checkins = CheckinService(CheckinRepository(db), clock)
    discord = Discord(rng, honour_nonce)
    for user in range(n):
        await checkins.set_schedule(1, 1000 + user, "13:00", "UTC", "every day")
    now = clock()
    async with db.transaction() as conn:
        for ref in range(1, n + 1):
            await enqueue(conn, ALERT, ref, now, now)
    clock.now += timedelta(hours=1, minutes=1)  # the prompts are due
    crashes = 0

    async def alert(item: DeliveryItem) -> Outcome:
        try:
            discord.create(ALERT, item.ref, item.nonce)
        except (OSError, TimeoutError):
            return Outcome.RETRY
        return Outcome.DONE

    async def prompt(item: DeliveryItem) -> Outcome:
        row = await checkins.prompt_to_send(item.ref)
        if row is None:
            return Outcome.DONE
        try:
            message_id = discord.create(PROMPT, item.ref, item.nonce)
        except (OSError, TimeoutError):
            return Outcome.RETRY
        await checkins.prompt_sent(row, message_id)
        return Outcome.DONE

    def new_engine() -> DeliveryEngine:
        engine = DeliveryEngine(DeliveryRepository(db), clock, instance_id="bench")
        engine.register(ALERT, alert)
        engine.register(PROMPT, prompt)
        engine.every(30, checkins.claim_due)
        return engine

    engine = new_engine()
    started = time.perf_counter()
    repo = DeliveryRepository(db)
    for _ in range(20_000):
        try:
            await engine.tick()
        except Crash:  # kill -9: nothing is marked or given back; a new process starts with the same id
            crashes += 1
            for task in list(engine._renewals):  # pyright: ignore[reportPrivateUsage]
                task.cancel()
            engine = new_engine()
        clock.now += timedelta(seconds=1)
        items = await repo.items()
        if len(items) >= 2 * n and all(i.state is ItemState.DONE for i in items):
            break
    elapsed = time.perf_counter() - started
    await engine.stop()
    await db.close()
    counts = {kind: [discord.visible[(kind, ref)] for ref in range(1, n + 1)] for kind in (ALERT, PROMPT)}
    return {
        "alerts duplicated": sum(c - 1 for c in counts[ALERT] if c > 1),
        "alerts lost": counts[ALERT].count(0),
        "prompts duplicated": sum(c - 1 for c in counts[PROMPT] if c > 1),
        "prompts lost": counts[PROMPT].count(0),
        "crashes": crashes,
        "faults": dict(discord.faults),
        "seconds": round(elapsed, 1),
    }


async def main(quick: bool) -> None:
    n = 200 if quick else 1000
    urls = {"sqlite": None, "postgresql": os.environ.get("TEST_DATABASE_URL")}
    for name, url in urls.items():
        if name == "postgresql" and not url:
            print("postgresql: skipped (TEST_DATABASE_URL not set)")
            continue
        for honour in (True, False):
            with tempfile.TemporaryDirectory() as tmp:
                target = url or f"sqlite+aiosqlite:///{tmp}/bench.db"
                if name == "postgresql":
                    await _empty(target)
                result = await run(target, n, honour, seed=12)
            label = "Haven (nonce)" if honour else "baseline (no nonce)"
            print(f"{name} {label}: {n} alerts + {n} prompts: {result}")


async def _empty(url: str) -> None:
    """A fresh schema on the PostgreSQL test database."""
    from sqlalchemy import text

    db = await Database.open(url, connect_timeout=5)
    async with db.transaction() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.close()


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.CRITICAL)  # the faults are injected on purpose
    asyncio.run(main("--quick" in sys.argv))
