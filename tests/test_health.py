"""Health and metrics over HTTP: the real bot in simcord with HEALTH_PORT=0 (a free loopback port)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
import discord
import pytest
import simcord
from prometheus_client.parser import text_string_to_metric_families

from bot.app import HavenBot
from bot.config import Settings
from bot.domain.alerts import Alert, CardState, ReplyState, Status
from bot.domain.crisis import Kind, Severity
from bot.errors import ConfigError
from bot.health import LoopMonitor
from bot.metrics import Metrics
from bot.services.health import HealthService
from bot.storage.engine import Database
from bot.storage.health import HealthRepository
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import haven
from tests.kit import tick

TOKEN = "MTQ1NjA3NDQ0Mzk4MDgwMDAwMA.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456789AB"  # a made-up token
LOOPS = {"delivery", "privacy_purge"}  # check-in prompts and buddy DMs go through the delivery loop


@pytest.fixture
async def simcord_bot(database: Database, clock: FakeClock) -> AsyncIterator[HavenBot]:
    """The real bot with its health endpoint on an ephemeral loopback port."""
    # simcord virtualises timers, so the 0.25 s lag sampler is tested on a plain event loop below.
    bot = build_bot(database, clock=clock, health_host="127.0.0.1", health_port=0, sample_loop_lag=False)
    try:
        yield bot
    finally:
        await bot.close_resources()


async def get(env: simcord.Env, path: str) -> tuple[int, str, str]:
    server = haven(env).health_server
    assert server is not None and server.port, "the endpoint should be listening"
    async with (
        aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=10), connector=aiohttp.TCPConnector(force_close=True)
        ) as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def health(env: simcord.Env) -> tuple[int, dict[str, Any]]:
    status, content_type, body = await get(env, "/healthz")
    assert content_type.startswith("application/json")
    return status, json.loads(body)


async def metrics(env: simcord.Env) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, content_type, body = await get(env, "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_healthz_reports_gateway_database_and_loops(env: simcord.Env) -> None:
    await tick(env)  # every loop has run at least once

    status, report = await health(env)

    assert status == 200
    assert report["healthy"] is True
    assert report["gateway"] == {"connected": True}
    assert report["database"] == {"ok": True}
    assert set(report["loops"]) == LOOPS
    for loop in report["loops"].values():
        assert loop["stale"] is False
        assert isinstance(loop["seconds_since_last_run"], float) and loop["seconds_since_last_run"] >= 0
        assert loop["period_seconds"] in (1, 30, 3600)


async def test_healthz_is_503_when_the_database_is_closed(env: simcord.Env, database: Database) -> None:
    await database.close()

    status, report = await health(env)

    assert status == 503
    assert report["healthy"] is False
    assert report["database"] == {"ok": False}
    assert report["gateway"] == {"connected": True}


async def test_healthz_is_503_when_the_gateway_is_not_connected(env: simcord.Env) -> None:
    ws: Any = haven(env).ws
    await ws.close()  # simcord's gateway connection goes down; discord.py would now be reconnecting

    status, report = await health(env)

    assert status == 503
    assert report["gateway"] == {"connected": False}
    assert report["database"] == {"ok": True}


def test_a_loop_is_stale_after_several_periods_without_running() -> None:
    now = [1000.0]
    loops = LoopMonitor(clock=lambda: now[0])
    loops.register("crisis_outbox", 5)
    loops.register("checkin_prompts", 30)

    assert loops.status()["crisis_outbox"].seconds_since_last_run is None
    now[0] += 59
    assert not any(s.stale for s in loops.status().values())  # start-up grace
    loops.beat("crisis_outbox")
    loops.beat("checkin_prompts")
    now[0] += 100
    status = loops.status()
    assert status["crisis_outbox"].stale  # 100 s > 5 periods of 5 s (and > 60 s)
    assert not status["checkin_prompts"].stale  # 100 s < 5 periods of 30 s
    assert status["checkin_prompts"].seconds_since_last_run == 100


async def test_metrics_move_when_a_crisis_message_raises_a_card(env: simcord.Env) -> None:
    guild = env.create_guild("Support Circle")
    general = guild.create_text_channel("general")
    alerts = guild.create_text_channel("mod-alerts")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True)
    moderator = guild.add_member(env.create_user("mod"), roles=[mods])
    member = guild.add_member(env.create_user("robin"))
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)
    before = await metrics(env)
    assert value(before, "haven_alerts_total", severity="imminent", kind="self") == 0
    assert value(before, "haven_alerts_undelivered") == 0

    await member.send(general, "what a lovely day")
    await member.send(general, "I want to kill myself tonight")

    after = await metrics(env)
    assert value(after, "haven_messages_scanned_total", outcome="nothing") == 1
    assert value(after, "haven_messages_scanned_total", outcome="new") == 1
    assert value(after, "haven_alerts_total", severity="imminent", kind="self") == 1
    assert value(after, "haven_alert_card_seconds_count") == 1
    assert value(after, "haven_alerts_undelivered") == 0
    names = {name for name, _ in after}
    assert {"haven_event_loop_lag_seconds_count", "haven_event_loop_lag_max_seconds"} <= names
    # Privacy: no label ever carries member text, IDs or server names.
    body = (await get(env, "/metrics"))[2]
    for secret in ("kill myself", "lovely", "Support Circle", "robin", str(member.id), str(guild.id)):
        assert secret not in body


async def test_metrics_count_an_undelivered_alert_and_a_dm_failure(
    env: simcord.Env, clock: FakeClock
) -> None:
    guild = env.create_guild("Support Circle")
    general = guild.create_text_channel("general")
    alerts = guild.create_text_channel("mod-alerts")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True)
    moderator = guild.add_member(env.create_user("mod"), roles=[mods])
    member = guild.add_member(env.create_user("robin"))
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)
    env.inject_error("POST", f"/channels/{alerts.id}/messages", status=503, code=0, times=1)
    env.inject_error(
        "POST", f"/channels/{member.user.dm_channel.id}/messages", status=403, code=50007, times=1
    )

    await member.send(general, "I want to kill myself tonight")
    stuck = await metrics(env)
    clock.advance(seconds=10)
    await env.advance_time(10)  # the outbox retries the card
    delivered = await metrics(env)

    assert value(stuck, "haven_alerts_undelivered") == 1
    assert value(delivered, "haven_alerts_undelivered") == 0
    assert value(delivered, "haven_alerts_total", severity="imminent", kind="self") == 1
    assert (
        value(delivered, "haven_dm_failures_total", purpose="crisis_reply", status="403", code="50007") == 1
    )


async def test_metrics_move_when_a_check_in_prompt_is_sent_and_answered(
    env: simcord.Env, clock: FakeClock
) -> None:
    guild = env.create_guild("Support Circle")
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("robin"))
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    assert value(await metrics(env), "haven_checkin_prompts_sent_total") == 0

    clock.advance(hours=1, minutes=1)
    await tick(env)
    [prompt] = [m for m in member.user.dm_channel.history() if "check-in time" in m.content]
    await member.user.click(prompt, label="Good")

    after = await metrics(env)
    assert value(after, "haven_checkin_prompts_sent_total") == 1
    assert value(after, "haven_checkins_answered_total", source="prompt") == 1


def _block(seconds: float) -> None:
    time.sleep(seconds)


async def test_the_lag_sampler_records_how_late_the_loop_runs() -> None:
    metrics = Metrics()
    metrics.start_lag_sampler()
    await asyncio.sleep(0.3)
    _block(0.5)  # the event loop is stuck past the sampler's next wake-up (due within 0.25 s)
    await asyncio.sleep(0.4)
    await metrics.stop_lag_sampler()

    samples = {
        s.name: s.value for f in text_string_to_metric_families(metrics.render(0).decode()) for s in f.samples
    }
    assert samples["haven_event_loop_lag_seconds_count"] >= 2
    assert samples["haven_event_loop_lag_max_seconds"] >= 0.1
    assert samples["haven_alerts_undelivered"] == 0


async def test_the_endpoint_is_off_by_default(database: Database) -> None:
    bot = build_bot(database)

    await bot.start_health()

    assert bot.health_server is None


async def test_a_port_in_use_is_logged_and_the_bot_runs_on(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bot = build_bot(database, health_port=taken.getsockname()[1], sample_loop_lag=False)

        with caplog.at_level(logging.ERROR):
            await bot.start_health()

    assert bot.health_server is None
    assert "running without them" in caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("env", "host", "port"),
    [
        ({}, "127.0.0.1", None),
        ({"HEALTH_PORT": "9100"}, "127.0.0.1", 9100),
        ({"HEALTH_PORT": "0", "HEALTH_HOST": "::1"}, "::1", 0),
        ({"HEALTH_PORT": "8080", "HEALTH_HOST": "[::1]"}, "::1", 8080),
    ],
)
def test_health_settings(env: dict[str, str], host: str, port: int | None) -> None:
    settings = Settings.from_env({"DISCORD_TOKEN": TOKEN, **env}, base_dir=Path("/srv/haven"))

    assert (settings.health_host, settings.health_port) == (host, port)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"HEALTH_PORT": "http"}, "HEALTH_PORT must be a port number"),
        ({"HEALTH_PORT": "70000"}, "HEALTH_PORT must be a port number"),
        ({"HEALTH_PORT": "80", "HEALTH_HOST": "my host"}, "HEALTH_HOST must be an address"),
    ],
)
def test_bad_health_settings_are_explained(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DISCORD_TOKEN": TOKEN, **env}, base_dir=Path("/srv/haven"))

    assert len(caught.value.problems) == 1 and fragment in caught.value.problems[0]


class _SlowDatabase:
    """A repository whose database never answers (a network partition, a locked file)."""

    async def ping(self) -> None:
        await asyncio.sleep(30)

    async def undelivered_alerts(self) -> int:
        raise OSError("connection refused")


async def test_a_database_that_does_not_answer_in_time_is_not_ok() -> None:
    service = HealthService(cast(HealthRepository, _SlowDatabase()), timeout=0.05)

    assert await asyncio.wait_for(service.database_ok(), 5) is False
    assert await service.undelivered_alerts() is None
    assert "haven_alerts_undelivered NaN" in Metrics().render(None).decode()


async def test_metrics_count_pairs_made_on_joining_and_in_a_round(env: simcord.Env, clock: FakeClock) -> None:
    guild = env.create_guild("Support Circle")
    channel = guild.create_text_channel("general")
    members = [guild.add_member(env.create_user(name)) for name in ("ana", "ben", "cat", "dan")]
    for member in members:
        shown = await member.slash(channel, "buddy join", looking_for="both", timezone="Europe/Berlin")
        assert shown.response is not None
        await member.select(shown.response.message, ["Stress"])
        await env.advance_time(1)
    for member in members:  # everyone says hello, so the next round pairs them anew
        [intro] = [m for m in member.user.dm_channel.history() if "has a buddy for you" in m.content]
        await member.user.click(intro, label="Say hello")
    joined = await metrics(env)

    clock.advance(days=7, minutes=1)  # rounds are weekly by default
    await tick(env)
    after = await metrics(env)

    assert value(joined, "haven_buddy_pairs_made_total", trigger="join") == 2  # ana+ben, then cat+dan
    assert value(joined, "haven_buddy_pairs_made_total", trigger="round") == 0
    assert value(after, "haven_buddy_pairs_made_total", trigger="round") == 2


def test_pure_layers_never_import_prometheus_or_aiohttp() -> None:
    root = Path(__file__).resolve().parents[1] / "bot"
    offenders = [
        str(path.relative_to(root))
        for layer in ("domain", "services", "storage")
        for path in (root / layer).rglob("*.py")
        if re.search(
            r"^\s*(from|import)\s+(prometheus_client|aiohttp)\b", path.read_text(encoding="utf-8"), re.M
        )
    ]
    assert offenders == []


def _alert(message_id: int, created_at: datetime) -> Alert:
    return Alert(
        id=1, guild_id=1, member_id=2, channel_id=None, message_id=message_id, from_dm=True, kind=Kind.SELF,
        severity=Severity.HIGH, excerpt=None, matched="", status=Status.OPEN, hits=1, card_message_id=None,
        card_state=CardState.SENT, card_attempts=0, reply_state=ReplyState.NONE, owner_told=False, pings=0,
        next_ping_at=None, claimed_by=None, claimed_at=None, closed_by=None, closed_at=None,
        created_at=created_at, updated_at=created_at,
    )  # fmt: skip


@pytest.mark.parametrize("request_key", [7, -7])
def test_time_to_card_runs_from_the_message_or_from_the_request(request_key: int) -> None:
    now = datetime(2026, 12, 1, 12, 0, 3, tzinfo=UTC)
    metrics = Metrics()

    metrics.card_delivered(_alert(discord.utils.time_snowflake(now - timedelta(seconds=3)), now), now)
    metrics.card_delivered(_alert(request_key, now - timedelta(seconds=40)), now)

    samples = {
        (s.name, s.labels.get("le")): s.value
        for f in text_string_to_metric_families(metrics.render(0).decode())
        for s in f.samples
    }
    assert samples[("haven_alert_card_seconds_sum", None)] == pytest.approx(43, abs=0.01)
    assert samples[("haven_alert_card_seconds_bucket", "5.0")] == 1
    assert samples[("haven_alert_card_seconds_bucket", "60.0")] == 2
