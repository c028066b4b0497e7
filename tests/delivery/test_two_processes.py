"""Two Haven processes sharing one PostgreSQL database, one killed with SIGKILL mid-delivery: nothing is lost and
nothing is sent twice. Real processes (tests/delivery/worker.py) running the real delivery engine."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.delivery import ItemState
from bot.storage import migrate
from bot.storage.delivery import DeliveryRepository, enqueue
from bot.storage.engine import Database
from tests.delivery.worker import KIND

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 300


def start_worker(url: str, instance: str, log: Path, hang_after: int = 0) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.delivery.worker", url, instance, str(log), str(hang_after)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    return worker


def lines(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines() if line] if log.exists() else []


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_one_of_two_processes_killed_mid_delivery_loses_and_repeats_nothing(
    db_url: str, tmp_path: Path
) -> None:
    db = await Database.open(db_url, connect_timeout=5)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    async with db.transaction() as conn:
        for ref in range(1, ITEMS + 1):
            await enqueue(conn, KIND, ref, now, now)
    log = tmp_path / "discord.log"
    first = start_worker(db_url, "first", log, hang_after=20)
    second = start_worker(db_url, "second", log)
    try:
        for _ in range(600):  # the first process's 20th send reached "Discord": kill it mid-delivery
            if sum(1 for entry in lines(log) if entry[2] == str(first.pid)) >= 20:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        repo = DeliveryRepository(db)
        for _ in range(600):  # its leases run out (10 s) and the second process takes them over
            if all(item.state is ItemState.DONE for item in await repo.items(KIND)):
                break
            await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        _, errors = second.communicate(timeout=15)
        if first.poll() is None:
            first.kill()
    await db.close()

    sent = [int(entry[1]) for entry in lines(log)]
    assert second.returncode == 0, errors
    assert sorted(set(sent)) == list(range(1, ITEMS + 1))  # none lost
    assert len(sent) == ITEMS  # none sent twice
    senders = {entry[2] for entry in lines(log)}
    assert senders == {str(first.pid), str(second.pid)}  # both really worked
