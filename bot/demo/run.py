"""Running the demo: a temporary database, the real bot in simcord, the story, and the files it leaves."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.demo.stage import DemoClock, Stage
from bot.demo.story import DemoStepFailed, play
from bot.demo.transcript import Transcript
from bot.storage import migrate
from bot.storage.crypto import Keyring, generate_key
from bot.storage.engine import Database
from bot.wiring import build_bot

START = datetime(2026, 11, 22, 18, 30, tzinfo=UTC)  # a Sunday evening: 19:30 in Berlin
TRANSCRIPT_FILE = "transcript.txt"
CHART_FILE = "mood-chart.png"


class _LogCatcher(logging.Handler):
    """Keeps Haven's log out of the transcript (it is the operator's, with IDs); errors in it fail the demo."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors.append(f"Haven logged an error: {record.getMessage()}")


@dataclass
class DemoOutcome:
    """What the demo did: its exit status, the files it wrote, and every REST request the bot sent."""

    exit_code: int
    transcript: str = ""
    transcript_path: Path | None = None
    chart_path: Path | None = None
    requests: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


async def play_demo(out_dir: Path, *, stream: TextIO | None = None) -> DemoOutcome:
    """Play the story on a temporary SQLite database and write the transcript and the chart to ``out_dir``."""
    started = time.monotonic()
    catcher = _LogCatcher()
    logging.getLogger().addHandler(catcher)
    try:
        with tempfile.TemporaryDirectory(prefix="haven-demo-") as tmp:
            transcript, chart, requests, problems = await _play_on(Path(tmp) / "demo.db", stream)
    finally:
        logging.getLogger().removeHandler(catcher)
    problems += catcher.errors
    return _finish(out_dir, transcript, chart, requests, problems, time.monotonic() - started)


async def _play_on(
    path: Path, stream: TextIO | None
) -> tuple[Transcript, bytes | None, list[Any], list[str]]:
    """The story on a new SQLite database at ``path``: the transcript, the chart, the requests, any problems."""
    import simcord

    db = await Database.open(f"sqlite+aiosqlite:///{path}", connect_timeout=5)
    db.use_keyring(Keyring.from_text(generate_key()))  # a throwaway database: a throwaway key
    try:
        await migrate.upgrade(db)
    except BaseException:
        await db.close()
        raise
    clock = DemoClock(START)
    bot = build_bot(db, clock=clock)
    problems: list[str] = []
    chart: bytes | None = None
    try:
        async with simcord.run(bot, check_errors=False) as env:
            transcript = Transcript(env, stream)
            _header(transcript)
            try:
                chart = await play(Stage(env, transcript, clock))
            except DemoStepFailed as exc:
                problems.append(str(exc))
            problems += [f"the bot raised {type(e).__name__}: {e}" for e in env.errors]
            requests = list(env.http_requests)
    finally:
        await bot.close_resources()
    return transcript, chart, requests, problems


def _header(transcript: Transcript) -> None:
    transcript.write("Haven demo: the real bot in a simulated Discord, on a throwaway database.")
    transcript.write(
        "Lines starting with -> are what people do; the others show what Haven did, and who saw it."
    )


def _finish(
    out_dir: Path,
    transcript: Transcript,
    chart: bytes | None,
    requests: list[Any],
    problems: list[str],
    seconds: float,
) -> DemoOutcome:
    out_dir.mkdir(parents=True, exist_ok=True)
    outcome = DemoOutcome(exit_code=0, requests=requests, problems=problems)
    if chart is not None:
        outcome.chart_path = out_dir / CHART_FILE
        outcome.chart_path.write_bytes(chart)
    transcript.write()
    if problems:
        outcome.exit_code = 1
        for problem in problems:
            transcript.write(f"PROBLEM: {problem}")
    outcome.transcript_path = out_dir / TRANSCRIPT_FILE
    written = [str(outcome.transcript_path)] + ([str(outcome.chart_path)] if outcome.chart_path else [])
    transcript.write(f"Done in {seconds:.1f} s ({len(requests)} requests to the simulated Discord).")
    transcript.write(f"Wrote {' and '.join(written)}.")
    outcome.transcript = transcript.text()
    outcome.transcript_path.write_text(outcome.transcript, encoding="utf-8")
    if problems:
        print("The demo did not finish its story; see the problems above.", file=sys.stderr)
    return outcome
