"""Stopping cleanly: signals close the bot once; closing lets writes finish and closes the database."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest
import simcord

from bot.cli.run import install_stop_signals
from bot.errors import DatabaseError
from tests.helpers import haven


class FakeClient:
    def __init__(self) -> None:
        self.closed = 0

    async def close(self) -> None:
        self.closed += 1


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_stop_signal_closes_the_bot_once(sig: signal.Signals) -> None:
    client = FakeClient()
    loop = asyncio.get_running_loop()
    stopping = install_stop_signals(client)  # type: ignore[arg-type]
    try:
        os.kill(os.getpid(), sig)
        await asyncio.wait_for(stopping.wait(), 2)
        os.kill(os.getpid(), sig)
        await asyncio.sleep(0.05)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        loop.remove_signal_handler(signal.SIGINT)

    assert client.closed == 1


async def test_closing_the_bot_closes_the_database(env: simcord.Env) -> None:
    bot = haven(env)

    await bot.close()

    with pytest.raises(DatabaseError, match="closing"):
        await bot.services.command_sync.record_sync("x", [{"name": "late"}])
    assert bot.db.writes_in_flight == 0


async def test_stopping_twenty_times_in_a_row_logs_no_error(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.storage import migrate
    from bot.storage.engine import Database
    from bot.wiring import build_bot

    caplog.set_level(logging.INFO)
    for _ in range(20):
        db = await Database.open(db_url, connect_timeout=5)
        await migrate.upgrade(db)
        bot = build_bot(db)
        await bot.services.delivery.start()
        await bot.services.delivery.tick()
        await bot.close()
        assert bot.db.writes_in_flight == 0

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


async def test_closing_the_running_bot_twenty_times_logs_no_error(
    env: simcord.Env, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.storage import migrate
    from bot.storage.engine import Database
    from bot.wiring import build_bot

    caplog.set_level(logging.INFO)
    for _ in range(20):
        await env.advance_time(2)  # the loops run
        bot = haven(env)
        await bot.close()  # what SIGTERM does
        assert bot.db.writes_in_flight == 0
        db = await Database.open(db_url, connect_timeout=5)
        await migrate.upgrade(db)
        await env.restart_bot(build_bot(db))

    await env.advance_time(2)
    await haven(env).close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def test_sigterm_stops_a_real_process_cleanly_twenty_times_in_a_row(tmp_path) -> None:
    """A real process (tests/stop_process.py: the real bot, cogs and delivery engine with a send in progress, Haven's
    own signal handling; no gateway, as there is no Discord without a token) gets SIGTERM 20 times in a row: each time
    it exits 0 within 10 s with nothing ERROR and no traceback in its log."""
    import subprocess
    import sys
    from pathlib import Path

    url = f"sqlite+aiosqlite:///{tmp_path / 'haven.db'}"
    root = Path(__file__).resolve().parents[1]
    for run in range(20):
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.stop_process", url],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGTERM)
        try:
            _, log = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError(f"run {run + 1}: still running 10 s after SIGTERM") from None
        assert process.returncode == 0, f"run {run + 1}: exit {process.returncode}\n{log[-2000:]}"
        assert "Traceback" not in log and "ERROR" not in log, f"run {run + 1}:\n{log[-2000:]}"
        assert "SIGTERM received" in log
