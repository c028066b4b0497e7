"""What encryption at rest costs: per value, on a member's 3-year history, at start-up and for a key rotation.

Usage: ``python bench/bench_encryption.py [--quick]``. "Before" is the same database and code with a pass-through
keyring (values stored and read as they are, as before encryption existed); "after" uses a real key (AES-256-GCM).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.storage import migrate
from bot.storage.checkins import CheckinRepository
from bot.storage.crypto import Keyring, Passthrough, generate_key
from bot.storage.encryption import key_census, reencrypt
from bot.storage.engine import Database
from bot.storage.schema import checkins

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOTE = "Slept badly, long day at work, but I called my sister in the evening and that helped a bit. "  # 92
MEMBER_ROWS = 3 * 365
OTHER_ROWS = 50_000


def per_value(quick: bool) -> list[tuple[str, str, str]]:
    keyring = Keyring.from_text(generate_key())
    count = 2_000 if quick else 20_000
    rows: list[tuple[str, str, str]] = []
    for label, text in (
        ("100-character note", (NOTE * 2)[:100]),
        ("1,000-character note", (NOTE * 11)[:1000]),
    ):
        sealed = [keyring.encrypt(text) for _ in range(100)]
        t0 = time.perf_counter()
        for _ in range(count):
            keyring.encrypt(text)
        enc = (time.perf_counter() - t0) / count * 1e6
        t0 = time.perf_counter()
        for i in range(count):
            keyring.decrypt(sealed[i % 100])
        dec = (time.perf_counter() - t0) / count * 1e6
        grow = len(sealed[0]) - len(text.encode())
        rows.append((f"encrypt / decrypt a {label}", f"{enc:.1f} µs / {dec:.1f} µs", f"+{grow} bytes stored"))
    return rows


async def filled(path: Path, keyring: Keyring) -> Database:
    db = await Database.open(f"sqlite+aiosqlite:///{path}", connect_timeout=1)
    db.use_keyring(keyring)
    await migrate.upgrade(db)
    mine = [
        {
            "guild_id": 1,
            "user_id": 42,
            "mood": 1 + i % 5,
            "note": NOTE,
            "tags": "sleep",
            "created_at": NOW - timedelta(days=i),
        }
        for i in range(MEMBER_ROWS)
    ]
    others = [
        {
            "guild_id": 1,
            "user_id": 100 + i,
            "mood": 3,
            "note": NOTE,
            "tags": "",
            "created_at": NOW - timedelta(days=i % 1000),
        }
        for i in range(OTHER_ROWS)
    ]
    async with db.transaction() as conn:
        await conn.execute(insert(checkins), mine + others)
    return db


async def timed(action: Callable[[], Awaitable[object]], times: int) -> list[float]:
    await action()  # warm the statement cache, as a running bot has
    spent: list[float] = []
    for _ in range(times):
        t0 = time.perf_counter()
        await action()
        spent.append((time.perf_counter() - t0) * 1000)
    return spent


async def history(quick: bool) -> list[tuple[str, str, str]]:
    times = 5 if quick else 30
    with tempfile.TemporaryDirectory() as tmp:
        plain = await filled(Path(tmp) / "plain.db", Passthrough())
        sealed = await filled(Path(tmp) / "sealed.db", Keyring.from_text(generate_key()))
        repos = {"before": CheckinRepository(plain), "after": CheckinRepository(sealed)}
        spent: dict[str, list[float]] = {name: [] for name in repos}
        for repo in repos.values():
            found = await repo.history(1, 42)  # also warms the statement cache, as a running bot has
            assert len(found) == MEMBER_ROWS and found[0].note == NOTE
        for _ in range(times):  # alternately, so a busy moment on the machine hits both alike
            for name, repo in repos.items():
                t0 = time.perf_counter()
                await repo.history(1, 42)
                spent[name].append((time.perf_counter() - t0) * 1000)
        census = await timed(lambda: key_census(sealed), 3)
        sizes = {n: (Path(tmp) / f"{n}.db").stat().st_size / 1e6 for n in ("plain", "sealed")}
        await plain.close()
        await sealed.close()
    total = MEMBER_ROWS + OTHER_ROWS
    return [
        (
            "3 years of daily check-ins with notes: history query",
            f"{statistics.median(spent['after']):.1f} ms median, {max(spent['after']):.1f} ms max",
            f"{statistics.median(spent['before']):.1f} ms median without encryption",
        ),
        (
            f"start-up key check over {total:,} notes",
            f"{statistics.median(census):.0f} ms",
            "one grouped query per encrypted column, reading the first 13 characters",
        ),
        ("database file", f"{sizes['sealed']:.1f} MB", f"{sizes['plain']:.1f} MB without encryption"),
    ]


async def rotation(quick: bool) -> list[tuple[str, str, str]]:
    rows = 5_000 if quick else OTHER_ROWS
    with tempfile.TemporaryDirectory() as tmp:
        old = generate_key()
        db = await Database.open(f"sqlite+aiosqlite:///{tmp}/rotate.db", connect_timeout=1)
        await migrate.upgrade(db)
        db.use_keyring(Passthrough())  # stored as plain text, as before encryption existed
        notes = [
            {"guild_id": 1, "user_id": i, "mood": 3, "note": NOTE, "created_at": NOW} for i in range(rows)
        ]
        async with db.transaction() as conn:
            for i in range(0, rows, 5_000):
                await conn.execute(insert(checkins), notes[i : i + 5_000])
        first = Keyring.from_text(old)
        db.use_keyring(first)
        t0 = time.perf_counter()
        await reencrypt(db, first, only_plain=True)
        legacy = time.perf_counter() - t0
        both = Keyring.from_text(f"{generate_key()},{old}")
        db.use_keyring(both)
        t0 = time.perf_counter()
        await reencrypt(db, both)
        rotate = time.perf_counter() - t0
        assert dict(await key_census(db)) == {both.current_id: rows}
        await db.close()
    return [
        (
            f"encrypt {rows:,} plain-text notes at start (once)",
            f"{legacy:.1f} s",
            f"{rows / legacy:,.0f} a second",
        ),
        (
            f"rotate-key over {rows:,} notes (batches of 500)",
            f"{rotate:.1f} s",
            f"{rows / rotate:,.0f} a second",
        ),
    ]


async def main() -> None:
    quick = "--quick" in sys.argv
    print(
        f"Python {sys.version.split()[0]} on {sys.platform}, pid {os.getpid()}{' (quick)' if quick else ''}"
    )
    rows = per_value(quick) + await history(quick) + await rotation(quick)
    width = max(len(r[0]) for r in rows)
    for name, ours, base in rows:
        print(f"{name:<{width}}  {ours}  | {base}")


if __name__ == "__main__":
    asyncio.run(main())
