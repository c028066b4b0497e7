"""Health and metrics over HTTP (off unless HEALTH_PORT is set): ``GET /healthz`` and ``GET /metrics``.

``LoopMonitor`` records a heartbeat each time a background loop runs; the bot owns one and the cogs call
``bot.loops.beat(name)``. The server is aiohttp (a discord.py dependency), started in ``HavenBot.setup_hook``
and stopped when the bot closes. Nothing here shows member text, user IDs or server names.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)
STALE_PERIODS = 5  # a loop that hasn't run for this many periods is stale
STALE_MINIMUM = 60.0  # ...and never sooner than this many seconds (a busy run, start-up)


@dataclass
class _Loop:
    period: float
    since: float  # registered (the baseline before the first run)
    last: float | None = None


@dataclass(frozen=True)
class LoopStatus:
    """One loop as ``/healthz`` shows it."""

    period_seconds: float
    seconds_since_last_run: float | None  # None: it hasn't run yet
    stale: bool


class LoopMonitor:
    """Heartbeats of the background loops, passed around by the bot (no global state)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._loops: dict[str, _Loop] = {}

    def register(self, name: str, period_seconds: float) -> None:
        """A loop that should run every ``period_seconds``; it is stale if it stops."""
        self._loops[name] = _Loop(period_seconds, self._clock())

    def beat(self, name: str) -> None:
        """The loop ``name`` is running now."""
        loop = self._loops.get(name)
        if loop is None:
            loop = self._loops[name] = _Loop(60.0, self._clock())
        loop.last = self._clock()

    def status(self) -> dict[str, LoopStatus]:
        """Every registered loop: how long since it last ran, and whether that is too long."""
        now = self._clock()
        result: dict[str, LoopStatus] = {}
        for name, loop in sorted(self._loops.items()):
            idle = now - (loop.last if loop.last is not None else loop.since)
            result[name] = LoopStatus(
                period_seconds=loop.period,
                seconds_since_last_run=None if loop.last is None else round(now - loop.last, 3),
                stale=idle > max(STALE_PERIODS * loop.period, STALE_MINIMUM),
            )
        return result


@dataclass(frozen=True)
class Probes:
    """What the endpoint asks the bot: each a small callable, so the server knows nothing of discord."""

    gateway_connected: Callable[[], bool]
    database_ok: Callable[[], Awaitable[bool]]
    undelivered_alerts: Callable[[], Awaitable[int | None]]


class HealthServer:
    """The HTTP endpoint. ``port`` is the bound port once started (useful with port 0)."""

    def __init__(self, probes: Probes, loops: LoopMonitor, metrics: Metrics) -> None:
        self._probes = probes
        self._loops = loops
        self._metrics = metrics
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host``:``port``."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_route)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        server: Any = site._server  # pyright: ignore[reportPrivateUsage]  # the bound port, when port was 0
        self.port = server.sockets[0].getsockname()[1] if server is not None and server.sockets else port
        log.info("Health and metrics endpoint listening on %s port %s", host, self.port)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            log.info("Health and metrics endpoint stopped")

    async def health(self) -> dict[str, Any]:
        """The health report (``healthy`` says whether every part is)."""
        connected = self._probes.gateway_connected()
        database = await self._probes.database_ok()
        loops = self._loops.status()
        healthy = connected and database and not any(s.stale for s in loops.values())
        return {
            "healthy": healthy,
            "gateway": {"connected": connected},
            "database": {"ok": database},
            "loops": {
                name: {
                    "seconds_since_last_run": s.seconds_since_last_run,
                    "period_seconds": s.period_seconds,
                    "stale": s.stale,
                }
                for name, s in loops.items()
            },
        }

    async def _healthz(self, _request: web.Request) -> web.Response:
        report = await self.health()
        return web.json_response(report, status=200 if report["healthy"] else 503)

    async def _metrics_route(self, _request: web.Request) -> web.Response:
        body = self._metrics.render(await self._probes.undelivered_alerts())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
