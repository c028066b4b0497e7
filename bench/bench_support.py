"""Support figures (issue 16): relay latency in simcord, and the claim race with 20 listeners.

Relay latency: the real bot in simcord on SQLite (encrypted text at rest, as in Haven); one anonymous conversation
is claimed, then the member sends DMs. Measured from the moment the DM enters the simulated Discord until the
listener's thread message is sent (the relay went through the delivery engine: kept, queued in the same
transaction, leased, sent, its text wiped). Baseline: simcord settling a DM from someone with no conversation.
Target: p95 under 300 ms.

Claim race: 20 listeners press "I'll talk" at once (asyncio.gather over one pool) for each of many requests, on
SQLite and, with BENCH_DATABASE_URL set, on PostgreSQL. Haven's claim is one conditional UPDATE; the baseline is
the naive read-then-write (SELECT the status, then UPDATE by id), to show what it would let through.

    .venv/bin/python bench/bench_support.py [--quick]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord
import simcord
from sqlalchemy import select, update

from bot.services.crisis import CrisisService
from bot.services.support import SupportService
from bot.storage import migrate
from bot.storage.crisis import CrisisRepository
from bot.storage.crypto import Keyring, generate_key
from bot.storage.engine import Database
from bot.storage.schema import support_requests
from bot.storage.support import SupportRepository
from bot.wiring import build_bot, shipped_lexicon


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def relay_latency(rounds: int) -> tuple[list[float], list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(f"sqlite+aiosqlite:///{tmp}/bench.db", connect_timeout=1)
        db.use_keyring(Keyring.from_text(generate_key()))
        await migrate.upgrade(db)
        bot = build_bot(db)
        async with simcord.run(bot) as env:
            guild = env.create_guild("Bench")
            general = guild.create_text_channel("general")
            support = guild.create_text_channel("listeners")
            role = guild.create_role("Listeners")
            mod = guild.add_member(
                env.create_user("mod"),
                roles=[guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))],
            )
            listener = guild.add_member(env.create_user("sam"), roles=[role])
            member = guild.add_member(env.create_user("robin"))
            stranger = guild.add_member(env.create_user("kai"))
            await mod.slash(general, "support-admin setup", listener_role=role, channel=support)
            shown = await member.slash(general, "support request", topic="Anxiety", anonymous=True)
            assert shown.response is not None
            await member.click(shown.response.message, label="Send my request")
            [card] = [m for m in support.history() if m.embeds]
            await listener.click(card, label="I'll talk")
            [thread] = support.threads

            delivery: Any = bot.get_cog("SupportCog").delivery  # type: ignore[union-attr]
            handle = delivery.handle_relay
            done_at: list[float] = []

            async def timed(item: Any) -> Any:
                outcome = await handle(item)
                done_at.append(time.perf_counter())
                return outcome

            bot.services.delivery.register("support.relay", timed)
            to_listener: list[float] = []
            to_member: list[float] = []
            baseline: list[float] = []
            progress = [time.monotonic()]
            watchdog = asyncio.get_running_loop().create_task(_watchdog(progress))
            for n in range(rounds):
                progress[0] = time.monotonic()
                if n and n % 50 == 0:
                    print(f"  ... {n} relays", flush=True)
                t0 = time.perf_counter()
                await member.send_dm(f"message {n}: today was a lot, thank you for listening")
                to_listener.append((done_at[-1] - t0) * 1000)
                t0 = time.perf_counter()
                await listener.send(thread, f"reply {n}: I'm here, take your time")
                to_member.append((done_at[-1] - t0) * 1000)
                t0 = time.perf_counter()
                await stranger.send_dm(f"hello {n}")
                baseline.append((time.perf_counter() - t0) * 1000)
            watchdog.cancel()
            relayed = sum(1 for m in thread.history() if "today was a lot" in m.content)
            assert relayed == rounds, f"{relayed} of {rounds} relayed"
        await bot.close_resources()
    return to_listener, to_member, baseline


async def _watchdog(progress: list[float]) -> None:
    """If a round takes over a minute of real time, print where every task is waiting (once)."""
    while True:
        await asyncio.sleep(10)
        if time.monotonic() - progress[0] > 60:
            for task in asyncio.all_tasks():
                task.print_stack(limit=6, file=sys.stdout)
            sys.stdout.flush()
            return


async def claim_race(url: str, rounds: int) -> tuple[int, int, list[float]]:
    """Rounds with exactly one winner for Haven's claim and for the naive baseline, and Haven's race times."""
    db = await Database.open(url, connect_timeout=5)
    try:
        await migrate.upgrade(db)
        clock = lambda: __import__("datetime").datetime.now(__import__("datetime").UTC)  # noqa: E731
        service = SupportService(
            SupportRepository(db), CrisisService(shipped_lexicon(), CrisisRepository(db), clock), clock
        )
        haven_ok = naive_ok = 0
        times: list[float] = []
        for n in range(rounds):
            guild = 10_000 + n
            await service.update_settings(guild, listener_role_id=1, channel_id=2, requests_per_day=20)
            request = await service.request(guild, 1_000 + n, "Anxiety", None, anonymous=True)
            t0 = time.perf_counter()
            results = await asyncio.gather(*(service.claim(request.id, guild, 500 + k) for k in range(20)))
            times.append((time.perf_counter() - t0) * 1000)
            haven_ok += results.count(True) == 1
            other = await service.request(guild, 2_000 + n, "Anxiety", None, anonymous=True)
            naive = await asyncio.gather(*(_naive_claim(db, other.id, 500 + k) for k in range(20)))
            naive_ok += naive.count(True) == 1
        return haven_ok, naive_ok, times
    finally:
        await db.close()


async def _naive_claim(db: Database, request_id: int, listener: int) -> bool:
    """Read, then write: what a first attempt looks like (and what lets two listeners both win)."""
    r = support_requests.c
    async with db.read() as conn:
        status = (await conn.execute(select(r.status).where(r.id == request_id))).scalar_one()
    if status != "waiting":
        return False
    await asyncio.sleep(0)  # another listener's press arrives in between, as it does on a busy bot
    async with db.transaction() as conn:
        await conn.execute(
            update(support_requests)
            .where(r.id == request_id)
            .values(status="claimed", listener_user_id=listener)
        )
    return True


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"Python {sys.version.split()[0]} on {sys.platform}{' (quick)' if quick else ''}")
    rounds = 30 if quick else 200
    to_listener, to_member, baseline = asyncio.run(relay_latency(rounds))
    print(
        f"relay member -> listener, simcord, {rounds} DMs (median / p95): "
        f"{statistics.median(to_listener):.1f} / {_p(to_listener, 0.95):.1f} ms (target p95 < 300 ms)"
    )
    print(
        f"relay listener -> member, simcord, {rounds} messages (median / p95): "
        f"{statistics.median(to_member):.1f} / {_p(to_member, 0.95):.1f} ms"
    )
    print(
        f"baseline: simcord settling a DM with no conversation (median / p95): "
        f"{statistics.median(baseline):.1f} / {_p(baseline, 0.95):.1f} ms"
    )
    races = 10 if quick else 50
    engines: dict[str, str | None] = {"sqlite": None}
    if os.environ.get("BENCH_DATABASE_URL"):
        engines["postgresql"] = os.environ["BENCH_DATABASE_URL"]
    for name, url in engines.items():
        with tempfile.TemporaryDirectory() as tmp:
            target = url or f"sqlite+aiosqlite:///{tmp}/race.db"
            haven_ok, naive_ok, times = asyncio.run(claim_race(target, races))
        print(
            f"claim race, 20 listeners x {races} requests, {name}: exactly one winner in {haven_ok}/{races} "
            f"(Haven, {statistics.median(times):.1f} ms median per race); naive read-then-write: {naive_ok}/{races}"
        )


if __name__ == "__main__":
    main()
