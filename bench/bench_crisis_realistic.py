"""Crisis detection on realistic text: everyday comments, long forum posts, lengths up to 4,000 characters.

Side by side in the same run with two baselines on the same phrase list (the shipped lexicon's phrases, lower-cased):
a simple one (one compiled alternation regex on the lower-cased text) and an Aho-Corasick scan (pyahocorasick, from
the ``bench`` extra). Neither baseline normalises look-alikes, leetspeak or spacing, and neither applies context rules,
so they are floors for the cost of finding a phrase at all, not detectors. Also: the share of messages on each path
(rejected by the early screen, or analysed in full) and the longest stall of the event loop while a burst of messages
goes through ``CrisisService.scan``.

Targets (issue #14, items 6-8): within 3x of pyahocorasick's mean per message on realistic chat, including
normalisation; a 4,000-character message under 1 ms; no stall of the event loop over 5 ms.

Data (``bench/data/``, sources and licences in ``bench/data/README.md``): 8,000 GoEmotions comments and 600 posts of
the Reddit C-SSRS corpus. Nothing outside the repository is read.

    .venv/bin/python bench/bench_crisis_realistic.py [--quick] [--no-memory]
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import gc
import logging
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.crisis import Detector, Severity
from bot.services.crisis import load_lexicon

DATA = Path(__file__).resolve().parent / "data"
Row = tuple[str, str, str, str]


def load_texts(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def long_messages(posts: Sequence[str], length: int, n: int) -> list[str]:
    """Messages of exactly ``length`` characters made by joining forum posts (as a long Discord message would be)."""
    out: list[str] = []
    i = 0
    while len(out) < n:
        parts: list[str] = []
        size = 0
        while size < length:
            parts.append(posts[i % len(posts)])
            size += len(parts[-1]) + 2
            i += 1
        out.append("\n\n".join(parts)[:length])
    return out


def timed(fn: Callable[[str], object], texts: Sequence[str], repeat: int = 1) -> tuple[float, float]:
    """Mean and p99 per message, in microseconds of this thread's CPU time (each message timed on its own; the mean
    is the best of ``repeat`` passes over all of them). CPU time, not wall time, so that other processes on a shared
    machine don't count; the baselines are timed the same way."""
    each: list[float] = []
    clock = time.thread_time_ns
    for text in texts:
        t0 = clock()
        fn(text)
        each.append((clock() - t0) / 1000)
    mean = statistics.fmean(each)
    for _ in range(repeat - 1):
        t0 = clock()
        for text in texts:
            fn(text)
        mean = min(mean, (clock() - t0) / 1000 / len(texts))
    each.sort()
    return mean, each[min(len(each) - 1, int(len(each) * 0.99))]


def baselines(phrases: Sequence[str]) -> dict[str, Callable[[str], object]]:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for phrase in phrases:
        automaton.add_word(phrase, phrase)
    automaton.make_automaton()
    alternation = re.compile(
        r"\b(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len)[::-1]) + r")\b"
    )

    def aho(text: str) -> object:
        return next(automaton.iter(text.lower()), None)

    def simple(text: str) -> object:
        return alternation.search(text.lower())

    found: dict[str, Callable[[str], object]] = {"pyahocorasick": aho, "one regex": simple}
    scan = hyperscan_scan(phrases)
    if scan is not None:
        found["hyperscan"] = scan
    return found


def hyperscan_scan(phrases: Sequence[str]) -> Callable[[str], object] | None:
    """Hyperscan (Intel's multi-pattern engine, the ``hyperscan`` package) on the same phrases, or ``None`` when the
    package isn't installed (it isn't a dependency: ``pip install hyperscan`` to compare)."""
    try:
        import hyperscan  # pyright: ignore[reportMissingImports]
    except ImportError:
        return None
    hs: Any = hyperscan
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(
        expressions=[re.escape(p).encode() for p in phrases],
        ids=list(range(len(phrases))),
        elements=len(phrases),
        flags=[hs.HS_FLAG_SINGLEMATCH] * len(phrases),
    )
    scratch = hs.Scratch(db)

    def stop(*_: object) -> bool:
        return True  # the first match is enough

    def scan(text: str) -> object:
        try:
            db.scan(text.lower().encode(), match_event_handler=stop, scratch=scratch)
        except hs.ScanTerminated:
            return True  # stopped at the first match
        return None

    return scan


def path_share(detector: Detector, texts: Sequence[str]) -> str:
    """How many messages each path ends on: the literal scan (C), the rest of the screen, or the full analysis."""
    screen: Any = getattr(detector, "_screen", None)  # the detector before the literal scan had none
    literal = sum(1 for t in texts if screen.dismisses_whole(t[:4000])) if screen is not None else 0
    full = sum(1 for t in texts if detector.screen(t))
    alerts = sum(1 for t in texts if detector.detect(t).alert)
    n = len(texts)
    return (
        f"{literal * 100 / n:.1f}% literal scan / {(n - literal - full) * 100 / n:.1f}% rest of screen / "
        f"{full * 100 / n:.1f}% full; {alerts} alert(s)"
    )


def detection_rows(quick: bool) -> list[Row]:
    lexicon = load_lexicon()
    detector = Detector(lexicon)
    phrases = sorted({e.phrase.lower() for e in lexicon.entries})
    base = baselines(phrases)
    chat = load_texts("goemotions_sample.csv")
    posts = load_texts("cssrs_posts_sample.csv")
    if quick:
        chat, posts = chat[:2000], posts[:200]
    rows: list[Row] = []
    sets: list[tuple[str, list[str], str]] = [
        (f"everyday comments ({len(chat):,}, GoEmotions)", chat, "3x pyahocorasick"),
        (f"forum posts ({len(posts):,}, C-SSRS)", posts, ""),
    ]
    n = 50 if quick else 200
    for length in (250, 1000, 4000):
        sets.append((f"{length:,}-character posts ({n}, C-SSRS joined)", long_messages(posts, length, n), ""))
    sets.append(
        (f"4,000-character everyday messages ({n}, GoEmotions joined)", long_messages(chat, 4000, n), "")
    )
    for name, texts, target in sets:
        ours = timed(detector.detect, texts, repeat=3)
        aho = timed(base["pyahocorasick"], texts, repeat=3)
        simple = timed(base["one regex"], texts)
        others = f"aho {aho[0]:,.1f} / {aho[1]:,.1f} us; regex {simple[0]:,.1f} / {simple[1]:,.1f} us"
        if "hyperscan" in base:
            hs = timed(base["hyperscan"], texts, repeat=3)
            others += f"; hyperscan {hs[0]:,.1f} / {hs[1]:,.1f} us"
        if "4,000" in name:
            target = "< 1 ms"
        elif target:
            target = f"< {aho[0] * 3:.1f} us"
        rows.append(
            (f"{name}: mean / p99 per message", target, f"{ours[0]:,.1f} / {ours[1]:,.1f} us", others)
        )
        rows.append((f"{name}: paths", "", path_share(detector, texts), ""))
    if "hyperscan" not in base:
        rows.append(("hyperscan", "", "not installed (pip install hyperscan)", ""))
    rows.append(inline_cost(detector, chat + posts + [t for _, texts, _ in sets for t in texts]))
    return rows


def inline_cost(detector: Detector, texts: Sequence[str]) -> Row:
    """The slowest detection that runs on the event loop: texts up to ``THREAD_TEXT`` characters."""
    from bot.services.crisis import THREAD_TEXT

    short = [t for t in texts if len(t) <= THREAD_TEXT]
    each: list[float] = []
    for text in short:
        t0 = time.thread_time_ns()
        detector.detect(text)
        each.append((time.thread_time_ns() - t0) / 1e6)
    each.sort()
    return (
        f"detection on the loop (texts up to {THREAD_TEXT} chars, {len(short):,}): p99.9 / max",
        "< 5 ms",
        f"{each[int(len(each) * 0.999)]:.2f} / {each[-1]:.2f} ms",
        "longer texts go to a worker thread",
    )


class StallMeter:
    """Times every callback the event loop runs: the longest one is the longest the loop was held (a stall).

    Both in CPU time of the loop's thread (what the code itself cost) and in wall time (which also counts waiting for
    the GIL held by a worker thread, and, on a busy machine, other processes).
    """

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_wall = 0.0
        self._original = asyncio.events.Handle._run  # pyright: ignore[reportPrivateUsage]

    def __enter__(self) -> StallMeter:
        original = self._original
        meter = self

        def timed_run(handle: asyncio.events.Handle) -> None:
            t0, w0 = time.thread_time(), time.perf_counter()
            original(handle)
            meter.worst = max(meter.worst, time.thread_time() - t0)
            meter.worst_wall = max(meter.worst_wall, time.perf_counter() - w0)

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]


async def loop_lag(quick: bool, *, freeze: bool = False) -> list[Row]:
    """The longest stall of the event loop while realistic messages go through ``CrisisService.scan``.

    Messages arrive as gateway events do (each scanned in its own task, 20 at a time), across 20 servers whose
    detectors are built on a cache miss (each has a phrase of its own); a tenth of the messages are 4,000-character
    forum posts. Two figures: the longest single callback (a stall: the loop held by one piece of code), and the
    longest a ticker task waited for its turn (which also counts waiting behind the other tasks' turns).
    """
    import tempfile

    from bot.clock import system_clock

    monitor_class: Any = None
    try:
        from bot.looplag import StallMonitor

        monitor_class = StallMonitor
    except ImportError:  # the code before the stall monitor existed (for before/after runs)
        pass
    from bot.services.crisis import CrisisService, MessageToScan
    from bot.storage import migrate
    from bot.storage.crisis import CrisisRepository
    from bot.storage.crypto import Keyring, generate_key
    from bot.storage.engine import Database

    chat = load_texts("goemotions_sample.csv")[: 500 if quick else 2000]
    posts = load_texts("cssrs_posts_sample.csv")
    longs = long_messages(posts, 4000, 50 if quick else 200)
    burst = [m for i, text in enumerate(chat) for m in ((text, longs[i // 10]) if i % 10 == 0 else (text,))]
    lexicon = load_lexicon()
    on_loop = max(timed(Detector(lexicon).detect, [t for t in burst if len(t) > 1000])[1], 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(f"sqlite+aiosqlite:///{tmp}/lag.db", connect_timeout=1)
        db.use_keyring(Keyring.from_text(generate_key()))  # excerpts are encrypted at rest, as in Haven
        await migrate.upgrade(db)
        service = CrisisService(lexicon, CrisisRepository(db), system_clock)
        for guild in range(1, 21):
            await service.add_phrase(guild, f"zorvex{guild}", Severity.HIGH, by=1)
        # A running bot is warm: its first queries have compiled their SQL and the connection pool is open.
        await asyncio.gather(
            *(
                service.scan(MessageToScan(999, i, 5, i, "i want to kill myself"), alerts_configured=True)
                for i in range(1, 21)
            )
        )
        service._detectors.clear()  # pyright: ignore[reportPrivateUsage]  # every server starts with a cache miss
        gc.collect()
        if freeze:
            gc.freeze()  # what start-up has built (lexicon, indexes, tables) is never collected again
        waited = 0.0
        running = True

        async def ticker() -> None:
            nonlocal waited
            last = time.perf_counter()
            while running:
                await asyncio.sleep(0)
                now = time.perf_counter()
                waited = max(waited, now - last)
                last = now

        monitoring = monitor_class() if monitor_class is not None else contextlib.nullcontext()
        with StallMeter() as meter, monitoring as monitor:
            task = asyncio.create_task(ticker())
            t0 = time.perf_counter()
            for start in range(0, len(burst), 20):
                await asyncio.gather(
                    *(
                        service.scan(
                            MessageToScan(1 + i % 20, 100 + i, 5, 1000 + i, burst[i]), alerts_configured=True
                        )
                        for i in range(start, min(start + 20, len(burst)))
                    )
                )
            elapsed = time.perf_counter() - t0
            running = False
            await task
        await db.close()
    label = "with gc.freeze() after start-up" if freeze else "default garbage collector"
    return [
        (
            f"longest event-loop stall ({label}), {len(burst):,} messages, {len(burst) - len(chat)} of 4,000 chars",
            "< 5 ms",
            f"{meter.worst * 1000:.1f} ms CPU",
            f"a 4,000-char detection on the loop would hold it {on_loop / 1000:.1f} ms (p99)",
        ),
        (
            "  same run: longest stall in wall time / longest wait of a ticker task",
            "",
            f"{meter.worst_wall * 1000:.1f} / {waited * 1000:.1f} ms",
            f"{len(burst) / elapsed:,.0f} messages a second through scan, SQLite",
        ),
    ] + (
        []
        if monitor is None
        else [
            (
                "  same run, bot/looplag.py (as /metrics reports it): longest callback / callbacks over 5 ms",
                "",
                f"{monitor.longest_ever * 1000:.1f} ms / {monitor.stalls_ever}",
                "wall time",
            )
        ]
    )


def _rss() -> int:
    """This process's resident memory in bytes (Linux), counting what C extensions allocate too."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def memory(quick: bool) -> list[Row]:
    """1,000 servers with 1,000 phrases each (the synthetic benchmark's made-up phrases, 10% with wildcards)."""
    import random
    import tracemalloc

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_crisis import custom_phrases  # pyright: ignore[reportMissingImports]

    servers = 100 if quick else 1000
    lexicon = load_lexicon()
    rng = random.Random(11)
    phrase_lists: list[Any] = [custom_phrases(1000, rng) for _ in range(servers)]
    Detector(lexicon)  # the shipped lexicon's index, shared by every server, is built once
    gc.collect()
    rss0 = _rss()
    detectors = [Detector(lexicon, phrases) for phrases in phrase_lists]
    gc.collect()
    rss = _rss() - rss0  # without tracemalloc, whose own bookkeeping would count
    del detectors
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.take_snapshot()
    detectors = [Detector(lexicon, phrases) for phrases in phrase_lists]
    gc.collect()
    used = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(base, "filename"))
    tracemalloc.stop()
    del detectors
    scale = 1000 / servers
    return [
        (
            f"memory, {servers:,} servers x 1,000 phrases" + (" (scaled to 1,000)" if quick else ""),
            "< 200 MB",
            f"{used * scale / 1e6:,.0f} MB (tracemalloc)",
            f"resident memory grew {rss * scale / 1e6:,.0f} MB (a separate pass without tracemalloc)",
        )
    ]


def main() -> None:
    logging.disable(logging.WARNING)  # the service logs each alert it raises
    quick = "--quick" in sys.argv
    print(f"Python {sys.version.split()[0]} on {sys.platform}{' (quick)' if quick else ''}")
    rows = detection_rows(quick) + asyncio.run(loop_lag(quick)) + asyncio.run(loop_lag(quick, freeze=True))
    if "--no-memory" not in sys.argv:
        rows += memory(quick)
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'target':<11} {'Haven':<30} baselines")
    for name, target, ours, base in rows:
        print(f"{name:<{width}}  {target:<11} {ours:<30} {base}")


if __name__ == "__main__":
    main()
