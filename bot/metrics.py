"""Prometheus metrics for one bot: counts and timings only.

Privacy: labels come only from small fixed sets (outcomes, severities, kinds, HTTP statuses, Discord error codes
Haven knows). Never member text, user or server IDs, or server names. Each bot has its own ``CollectorRegistry``
(nothing is registered globally), so tests can build several bots in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime

import discord
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.domain.alerts import Alert
from bot.domain.crisis import Kind, Severity
from bot.looplag import STALL_SECONDS, StallMonitor

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
SNOWFLAKE_MIN = 1 << 40  # Discord IDs are far above this; database row ids never reach it
LAG_INTERVAL = 0.25  # seconds the lag sampler sleeps between samples
# Where a DM failed: a fixed set, so a label never carries anything else.
DM_PURPOSES = frozenset({"checkin_prompt", "checkin_reminder", "crisis_reply", "buddy"})
KNOWN_STATUSES = frozenset({400, 401, 403, 404, 429, 500, 502, 503, 504})
# Discord error codes worth telling apart: DMs closed, unknown user/channel, missing access/permissions.
KNOWN_CODES = frozenset({0, 10003, 10013, 50001, 50007, 50013, 40003})
CARD_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class Metrics:
    """Every metric Haven exposes, in one registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.messages_scanned = Counter(
            "haven_messages_scanned",
            "Messages the crisis scanner handled, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.alerts = Counter(
            "haven_alerts",
            "Alert cards delivered to moderators, by severity and kind.",
            ["severity", "kind"],
            registry=r,
        )
        self.card_seconds = Histogram(
            "haven_alert_card_seconds",
            "Seconds from the member's message (or request) to the alert card in the alert channel.",
            buckets=CARD_BUCKETS,
            registry=r,
        )
        self.alerts_undelivered = Gauge(
            "haven_alerts_undelivered",
            "Alert cards not yet delivered (read from the database at scrape time).",
            registry=r,
        )
        self.checkin_prompts_sent = Counter(
            "haven_checkin_prompts_sent", "Check-in prompts sent by DM.", registry=r
        )
        self.checkins_answered = Counter(
            "haven_checkins_answered",
            "Check-ins recorded: from a DM prompt or from /checkin now.",
            ["source"],
            registry=r,
        )
        self.dm_failures = Counter(
            "haven_dm_failures",
            "Direct messages Discord refused or that failed, by purpose, HTTP status and Discord error code.",
            ["purpose", "status", "code"],
            registry=r,
        )
        self.pairs_made = Counter(
            "haven_buddy_pairs_made",
            "Buddy pairings made: in a round, or when someone joined.",
            ["trigger"],
            registry=r,
        )
        self.loop_lag = Histogram(
            "haven_event_loop_lag_seconds",
            "How late the event loop runs a callback scheduled 0.25 s ahead.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.loop_lag_max = Gauge(
            "haven_event_loop_lag_max_seconds",
            "The largest event loop lag since the last scrape.",
            registry=r,
        )
        self.loop_stall_max = Gauge(
            "haven_event_loop_stall_max_seconds",
            "The longest single callback that held the event loop since the last scrape (wall time).",
            registry=r,
        )
        self.loop_stalls = Counter(
            "haven_event_loop_stalls",
            f"Callbacks that held the event loop longer than {STALL_SECONDS * 1000:g} ms.",
            registry=r,
        )
        self.stall_monitor = StallMonitor()
        self._lag_max = 0.0
        self._sampler: asyncio.Task[None] | None = None
        for severity in (Severity.MODERATE, Severity.HIGH, Severity.IMMINENT):
            for kind in Kind:
                self.alerts.labels(severity.label, kind.value)  # every series exists from the start, at 0

    # --- one-line hooks for the places where things happen

    def scanned(self, outcome: str) -> None:
        """A message went through the crisis scanner (``outcome``: a ``ScanOutcome`` value)."""
        self.messages_scanned.labels(outcome).inc()

    def card_delivered(self, alert: Alert, now: datetime | None = None) -> None:
        """An alert card reached the alert channel for the first time."""
        self.alerts.labels(alert.severity.label, alert.kind.value).inc()
        now = now or discord.utils.utcnow()
        # A real message's own timestamp (its snowflake); a member's request has a small row id or a negative key.
        is_message = alert.message_id >= SNOWFLAKE_MIN
        started = discord.utils.snowflake_time(alert.message_id) if is_message else alert.created_at
        self.card_seconds.observe(max(0.0, (now - started).total_seconds()))

    def prompt_sent(self) -> None:
        """A check-in prompt was sent by DM."""
        self.checkin_prompts_sent.inc()

    def checkin_answered(self, *, from_prompt: bool) -> None:
        """A check-in was recorded."""
        self.checkins_answered.labels("prompt" if from_prompt else "now").inc()

    def dm_failed(self, purpose: str, exc: BaseException) -> None:
        """A DM failed; only the status and code are kept, from fixed sets."""
        status, code = "other", "other"
        if isinstance(exc, discord.RateLimited):
            status = "429"
        elif isinstance(exc, discord.HTTPException):
            status = str(exc.status) if exc.status in KNOWN_STATUSES else "other"
            code = str(exc.code) if exc.code in KNOWN_CODES else "other"
        elif isinstance(exc, OSError):
            status = "network"
        self.dm_failures.labels(purpose if purpose in DM_PURPOSES else "other", status, code).inc()

    def paired(self, count: int, *, trigger: str) -> None:
        """``count`` pairings were made (``trigger``: ``round`` or ``join``)."""
        if count > 0:
            self.pairs_made.labels("round" if trigger == "round" else "join").inc(count)

    # --- the event loop lag sampler

    def start_lag_sampler(self) -> None:
        """Start sampling event loop lag and timing every callback for stalls (once)."""
        if self._sampler is None:
            self.stall_monitor.start()
            self._sampler = asyncio.get_running_loop().create_task(self._sample_lag(), name="haven-loop-lag")

    async def stop_lag_sampler(self) -> None:
        """Stop the sampler and the stall monitor; safe to call when they never started."""
        self.stall_monitor.stop()
        task, self._sampler = self._sampler, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _sample_lag(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(LAG_INTERVAL)
            self.record_lag(time.perf_counter() - started - LAG_INTERVAL)

    def record_lag(self, lag: float) -> None:
        """One sample of how late a scheduled callback ran."""
        lag = max(0.0, lag)
        self.loop_lag.observe(lag)
        self._lag_max = max(self._lag_max, lag)

    def render(self, undelivered: int | None) -> bytes:
        """The text format for a scrape: reads the gauges that are set at scrape time."""
        self.alerts_undelivered.set(float("nan") if undelivered is None else undelivered)
        self.loop_lag_max.set(self._lag_max)
        self._lag_max = 0.0
        longest, stalls = self.stall_monitor.take()
        self.loop_stall_max.set(longest)
        self.loop_stalls.inc(stalls)
        return generate_latest(self.registry)
