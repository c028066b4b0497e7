"""The stall monitor times every callback the event loop runs and reports the longest, also in the metrics."""

from __future__ import annotations

import asyncio
import time

from prometheus_client.parser import text_string_to_metric_families

from bot.looplag import StallMonitor
from bot.metrics import Metrics


def _block(seconds: float) -> None:
    time.sleep(seconds)  # stands for code that holds the event loop


async def test_the_longest_callback_is_recorded_and_counted_as_a_stall() -> None:
    original = asyncio.Handle._run  # pyright: ignore[reportPrivateUsage]
    with StallMonitor() as monitor:
        await asyncio.sleep(0)
        _block(0.03)
        await asyncio.sleep(0)
        longest, stalls = monitor.take()
        after = monitor.take()

    assert 0.03 <= longest < 1
    assert stalls >= 1
    assert after == (0.0, 0) or after[0] < 0.005  # counting starts again after ``take``
    assert monitor.longest_ever >= 0.03
    assert asyncio.Handle._run is original  # pyright: ignore[reportPrivateUsage]  # unwrapped when stopped


async def test_short_callbacks_are_not_stalls() -> None:
    # Wall time on purpose (see bot/looplag.py), so the operating system taking the core away for a few ms (six test
    # workers on two cores) can make one trivial callback look long. A monitor that inflated callbacks would do it on
    # every run; a busy machine doesn't three runs in a row.
    runs: list[tuple[int, float]] = []
    for _ in range(3):
        with StallMonitor() as monitor:
            for _ in range(100):
                await asyncio.sleep(0)
        runs.append((monitor.stalls_ever, monitor.longest_ever))
        if monitor.stalls_ever == 0:
            break

    assert any(stalls == 0 and longest < 0.005 for stalls, longest in runs), runs


def test_the_threshold_separates_a_stall_from_a_short_callback() -> None:
    monitor = StallMonitor()
    monitor.record(0.0049)
    assert monitor.take() == (0.0049, 0)
    monitor.record(0.0051)
    assert monitor.take() == (0.0051, 1)
    assert (monitor.longest_ever, monitor.stalls_ever) == (0.0051, 1)


async def test_a_monitor_only_measures_its_own_loop() -> None:
    other = StallMonitor()
    other.start(asyncio.new_event_loop())
    try:
        await asyncio.sleep(0)
        _block(0.02)
        await asyncio.sleep(0)
    finally:
        other.stop()

    assert other.longest_ever == 0.0


async def test_the_metrics_report_the_longest_stall_since_the_last_scrape() -> None:
    metrics = Metrics()
    metrics.start_lag_sampler()
    await asyncio.sleep(0)
    _block(0.02)
    await asyncio.sleep(0)
    await metrics.stop_lag_sampler()

    def samples() -> dict[str, float]:
        text = metrics.render(0).decode()
        return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}

    first = samples()
    second = samples()
    assert first["haven_event_loop_stall_max_seconds"] >= 0.02
    assert first["haven_event_loop_stalls_total"] >= 1
    assert second["haven_event_loop_stall_max_seconds"] < 0.02  # since the last scrape
    assert second["haven_event_loop_stalls_total"] == first["haven_event_loop_stalls_total"]
