"""The longest stall of the event loop: how long one piece of code held it, measured on every callback.

asyncio runs everything on the loop as callbacks (each step of a task is one). ``StallMonitor`` times each callback
the loop runs (by wrapping ``asyncio.Handle._run``, as aiodebug's slow-callback logger does) and keeps the longest,
in wall time, and how many held the loop over ``STALL_SECONDS``. Wall time, so a callback that waited for the GIL
held by a worker thread counts too: that is what a member waiting for the bot sees. The cost is two clock reads per
callback (well under a microsecond).

The sampler in ``bot/metrics.py`` (how late a timer fires) misses short stalls between its samples; this sees them.
Only the loop a monitor was started on is measured.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

STALL_SECONDS = (
    0.005  # a callback holding the loop longer than this is a stall (issue #14: nothing over 5 ms)
)

_lock = threading.Lock()
_monitors: list[StallMonitor] = []
_original: Callable[[Any], None] | None = None


class StallMonitor:
    """The longest callback an event loop ran, and the number over ``threshold`` seconds (wall time)."""

    def __init__(self, threshold: float = STALL_SECONDS) -> None:
        self.threshold = threshold
        self.loop: asyncio.AbstractEventLoop | None = None
        self.longest = 0.0  # since the last ``take``
        self.longest_ever = 0.0
        self.stalls = 0  # since the last ``take``
        self.stalls_ever = 0

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Measure ``loop`` (the running loop by default) from now on."""
        self.loop = loop or asyncio.get_running_loop()
        with _lock:
            if self not in _monitors:
                _monitors.append(self)
            _install()

    def stop(self) -> None:
        """Stop measuring (safe to call when never started)."""
        with _lock:
            if self in _monitors:
                _monitors.remove(self)
            if not _monitors:
                _uninstall()

    def record(self, seconds: float) -> None:
        """One callback took ``seconds``."""
        if seconds > self.longest:
            self.longest = seconds
            self.longest_ever = max(self.longest_ever, seconds)
        if seconds > self.threshold:
            self.stalls += 1
            self.stalls_ever += 1

    def take(self) -> tuple[float, int]:
        """The longest callback and the number of stalls since the last call, then start counting again."""
        longest, stalls = self.longest, self.stalls
        self.longest, self.stalls = 0.0, 0
        return longest, stalls

    def __enter__(self) -> StallMonitor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _install() -> None:
    global _original
    if _original is not None:
        return
    handle_class: Any = asyncio.Handle
    original: Callable[[Any], None] = handle_class._run
    clock = time.perf_counter

    def timed_run(handle: Any) -> None:
        started = clock()
        try:
            original(handle)
        finally:
            elapsed = clock() - started
            loop = handle._loop
            for monitor in _monitors:
                if monitor.loop is loop:
                    monitor.record(elapsed)

    _original = original
    handle_class._run = timed_run


def _uninstall() -> None:
    global _original
    if _original is None:
        return
    handle_class: Any = asyncio.Handle
    handle_class._run = _original
    _original = None
