"""No member text and no token in the log at any level: every feature at DEBUG through the real bot."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
import simcord

from bot.logging_setup import SAFE_LEVELS, setup_logging
from bot.storage.engine import Database
from tests.helpers import haven, restore_root_logging

BOT_TOKEN = "MTA0.haven-test-bot-token.secret"


class HavenLog:
    """Everything Haven's logging setup writes (console and file), at DEBUG."""

    def __init__(self, console: io.StringIO, file: Path) -> None:
        self.console = console
        self.file = file
        self.markers: list[str] = []
        self.tokens: list[str] = []

    def marker(self, what: str) -> str:
        """A unique string to hide in member text."""
        made = f"{what}-{uuid.uuid4().hex[:10]}"
        self.markers.append(made)
        return made

    def text(self) -> str:
        for handler in logging.getLogger().handlers:
            handler.flush()
        return self.console.getvalue() + "\n" + self.file.read_text(encoding="utf-8")

    def leaks(self) -> list[str]:
        text = self.text()
        found = [m for m in self.markers if m in text]
        found += [f"interaction token {t[:6]}…" for t in self.tokens if t in text]
        if BOT_TOKEN in text:
            found.append("the bot token")
        return found


@pytest.fixture
def haven_log(tmp_path: Path) -> Iterator[HavenLog]:
    """Haven's own logging setup at DEBUG, restored afterwards."""
    root = logging.getLogger()
    saved_handlers = [h for h in root.handlers if not type(h).__module__.startswith("_pytest")]
    saved_level = root.level
    saved_levels = {name: logging.getLogger(name).level for name in SAFE_LEVELS}
    log_file = tmp_path / "var" / "haven.log"
    setup_logging("DEBUG", log_file, secrets=[BOT_TOKEN])
    console = io.StringIO()
    for handler in root.handlers:
        if type(handler) is logging.StreamHandler:
            handler.setStream(console)
    log = HavenLog(console, log_file)
    try:
        yield log
        assert not log.leaks(), f"member text or tokens in the log (teardown included): {log.leaks()}"
    finally:
        restore_root_logging(
            saved_handlers, saved_level, keep=lambda handler: type(handler).__module__.startswith("_pytest")
        )
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
async def database(haven_log: HavenLog, database: Database) -> Database:
    """The migrated database, opened after logging is set up (as the bot does)."""
    return database


async def test_every_feature_at_debug_logs_no_member_text_and_no_token(
    env: simcord.Env, haven_log: HavenLog
) -> None:
    log = haven_log

    async def collect(interaction: discord.Interaction) -> None:
        log.tokens.append(interaction.token)

    haven(env).add_listener(collect, "on_interaction")
    guild = env.create_guild("Support Circle")
    general = guild.create_text_channel("general")
    alerts = guild.create_text_channel("mod-alerts")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True)
    moderator = guild.add_member(env.create_user("mod"), roles=[mods])
    robin = guild.add_member(env.create_user("robin"))
    sam = guild.add_member(env.create_user("sam"))
    kim = guild.add_member(env.create_user("kim"))
    await moderator.slash(general, "setup alerts", channel=alerts, role=mods)

    # Check-in with a note (buttons and a modal).
    shown = await robin.slash(general, "checkin now")
    assert shown.response is not None
    saved = await robin.click(shown.response.message, label="Good")
    assert saved.response is not None
    form = await robin.click(saved.response.message, label="Add a note")
    noted = await robin.submit_modal(form, {"note": log.marker("checkin-note")})
    assert noted.response is not None and "Note saved" in noted.response.content

    # Buddy join with an intro, a pairing, a worry and a report.
    for member, intro in ((robin, log.marker("buddy-intro")), (sam, log.marker("buddy-intro"))):
        joined = await member.slash(
            general, "buddy join", looking_for="both", timezone="Europe/Berlin", intro=intro
        )
        assert joined.response is not None
        await member.select(joined.response.message, ["Anxiety"])
        await env.advance_time(1)
    [introduction] = [m for m in robin.user.dm_channel.history() if "has a buddy for you" in m.content]
    await robin.user.click(introduction, label="Say hello")
    await robin.user.click(introduction, label="I'm worried about my buddy")
    reported = await sam.slash(general, "buddy report", member=robin.user, what=log.marker("buddy-report"))
    assert reported.response is not None and reported.response.ephemeral

    # Crisis: in a channel, an edit, and a DM; a moderator claims and reveals.
    await robin.send(general, f"I want to kill myself tonight {log.marker('crisis-channel')}")
    message = await sam.send(general, f"rough day {log.marker('crisis-edit-before')}")
    await sam.edit(message, f"rough day, i want to die {log.marker('crisis-edit')}")
    await kim.send_dm(f"i want to end my life {log.marker('crisis-dm')}")
    await env.advance_time(5)
    cards = [m for m in alerts.history() if m.embeds and "alert" in (m.embeds[0].title or "")]
    assert len(cards) >= 3
    await moderator.click(cards[0], label="I'm on it")
    dm_cards = [c for c in cards if f"<@{kim.id}>" in str(c.embeds[0].to_dict())]
    assert dm_cards, "no card for the DM"
    revealed = await moderator.click(dm_cards[0], label="Reveal")
    assert revealed.response is not None and "end my life" in revealed.response.content

    # A correction report for the resources (a modal).
    answer = await sam.slash(general, "resources", country="JP")
    assert answer.response is not None
    report_form = await sam.click(answer.response.message, label="Report a problem")
    done = await sam.submit_modal(report_form, {"details": log.marker("resource-report")})
    assert done.response is not None and "Thank you" in done.response.content
    await env.advance_time(60)

    text = log.text()
    assert " DEBUG " in text, "the log was not at DEBUG"
    assert log.tokens, "no interactions were seen"
    assert not log.leaks(), f"member text or tokens in the log: {log.leaks()}"


def _discord_py_lines(token: str, body: str) -> None:
    """Lines shaped like the ones discord.py writes for interaction callbacks and REST calls."""
    url = f"https://discord.com/api/v10/interactions/1234567890/{token}/callback?with_response=1"
    webhook = f"https://discord.com/api/v10/webhooks/1234567890/{token}/messages/@original"
    logging.getLogger("discord.webhook.async_").debug(
        "Webhook ID %s with %s %s has returned status code %s", 1234567890, "POST", url, 200
    )
    logging.getLogger("discord.http").debug("%s %s with %s has returned %s", "POST", url, body, 200)
    logging.getLogger("discord.http").warning(
        "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds.", "POST", webhook, 1.0
    )
    logging.getLogger("sqlalchemy.engine.Engine").info("[generated in 0.0001s] ('%s',)", body)
    logging.getLogger("aiosqlite").debug("executing %s", body)
    logging.getLogger("asyncpg").debug("query args %s", body)
    logging.getLogger("sqlalchemy.pool.impl.AsyncAdaptedQueuePool").debug("connection %s", body)
    try:
        raise RuntimeError(f"failed at {webhook}")
    except RuntimeError:
        logging.getLogger("bot.tree").exception("The interaction failed")


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING"])
def test_library_lines_are_dropped_and_url_tokens_redacted_at_any_level(
    haven_log: HavenLog, level: str
) -> None:
    setup_logging(level, None)  # LOG_LEVEL as set by the operator; the filter holds whatever it says
    console = io.StringIO()
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler:
            handler.setStream(console)
    token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDpzZWNyZXQ" + uuid.uuid4().hex
    body = haven_log.marker("request-body")
    # A library that turns its own logger up later is still filtered.
    logging.getLogger("aiosqlite").setLevel(logging.DEBUG)

    _discord_py_lines(token, body)

    text = console.getvalue()
    assert token not in text and body not in text
    assert "/webhooks/1234567890/[redacted]/messages" in text  # the warning itself is kept
    assert "failed at https://discord.com/api/v10/webhooks/1234567890/[redacted]" in text
