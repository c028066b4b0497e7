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
    with StallMonitor() as monitor:
        for _ in range(100):
            await asyncio.sleep(0)

    assert monitor.stalls_ever == 0
    assert monitor.longest_ever < 0.005


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
