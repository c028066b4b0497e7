"""The command line as an operator meets it, in-process: no traceback, no token, a plain message and an exit code.

These call ``bot.cli.main`` directly (fast); ``tests/test_cli.py`` keeps the few subprocess tests.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import discord
import pytest
from discord.http import Route

from bot.cli import main
from bot.config import OWN_PREFIX, SETTING_NAMES
from bot.redaction import REDACTED, redact
from tests.conftest import PG_ENV, PG_SKIP_REASON
from tests.helpers import restore_root_logging

TOKEN = "MTQ1NjA3NDQ0Mzk4MDgwMDAwMA.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456789AB"

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """Run ``python -m bot ARGS`` in-process in an empty folder; returns (exit status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name in SETTING_NAMES or name.startswith(OWN_PREFIX):
            monkeypatch.delenv(name)
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level

    def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        code = main(list(args))
        out = capsys.readouterr()
        assert "Traceback" not in out.out + out.err, out.err
        return code, out.out, out.err

    try:
        yield run
    finally:
        restore_root_logging(saved_handlers, saved_level)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- 1. nothing token-like is printed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"x {TOKEN} y",
        f"DISCORD_TOKEN {TOKEN}",
        f"DISCORD_TOKEN={TOKEN[:30]}",
        "DISCORD_TOKEN: hunter2",
        "DISCORD_TOKEN hunter2",
        "api key aGVsbG8gd29ybGQgdGhpcyBpcyBLZXk5OTk= here",
    ],
)
def test_redact_hides_anything_token_like(text: str) -> None:
    hidden = redact(text)

    assert REDACTED in hidden
    for secret in (TOKEN, TOKEN[:30], "hunter2", "aGVsbG8gd29ybGQgdGhpcyBpcyBLZXk5OTk="):
        assert secret not in hidden


@pytest.mark.parametrize(
    "text",
    [
        "DISCORD_TOKEN is missing.",
        "Not checked: logging in to Discord (DISCORD_TOKEN isn't set).",
        "line 1: [redacted] has no '=value'. If it is your bot token, put `DISCORD_TOKEN=` in front of it.",
        "DISCORD_TOKEN does not look like a bot token (three parts separated by dots).",
        "DATABASE_CONNECT_TIMEOUT must be a number (got 'abc').",
        "Database reachable: sqlite+aiosqlite:////tmp/pytest-of-root/pytest-3/test_check0/var/haven.db",
    ],
)
def test_redact_leaves_plain_messages_alone(text: str) -> None:
    assert redact(text) == text


def test_a_bare_token_line_in_dotenv_is_not_echoed(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"{TOKEN}\n")

    code, out, err = cli("check")

    assert code == 2
    assert "line 1: [redacted] has no '=value'" in err
    assert "put `DISCORD_TOKEN=` in front of it" in err
    assert TOKEN not in out + err and TOKEN[:12] not in out + err


def test_a_token_without_equals_sign_is_not_echoed(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"LOG_LEVEL=INFO\nDISCORD_TOKEN {TOKEN}\n")

    code, _, err = cli("check")

    assert code == 2
    assert "line 2 can't be read: 'DISCORD_TOKEN [redacted]'. Use NAME=value." in err
    assert TOKEN[:12] not in err


def test_a_token_pasted_into_another_setting_is_not_echoed(cli: Cli) -> None:
    code, _, err = cli("check", env={"DEV_GUILD_ID": TOKEN})

    assert code == 2
    assert "DEV_GUILD_ID must be a Discord ID" in err
    assert TOKEN[:12] not in err


# --- 5. --env-file ---------------------------------------------------------------------------------------------


def test_env_file_after_the_command(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "prod.env").write_text("LOG_LEVL=DEBUG\n")

    code, _, err = cli("check", "--env-file", "prod.env")

    assert code == 2
    assert "LOG_LEVL is not a Haven setting" in err


def test_env_file_before_the_command_still_works(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "prod.env").write_text("LOG_LEVL=DEBUG\n")

    code, _, err = cli("--env-file", "prod.env", "check")

    assert code == 2
    assert "LOG_LEVL is not a Haven setting" in err


def test_a_named_env_file_that_is_missing_is_an_error(cli: Cli) -> None:
    code, out, err = cli("check", "--env-file", "nope.env")

    assert code == 2
    assert "the settings file nope.env doesn't exist" in err
    assert out == ""


# --- 3. crisis-eval on a file that isn't UTF-8 -------------------------------------------------------------------


def test_crisis_eval_names_the_expected_encoding(cli: Cli, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,label\nje suis épuisé,not_crisis\n".encode("latin-1"))

    code, _, err = cli("crisis-eval", str(latin))

    assert code == 2
    assert "must be UTF-8" in err
    assert "byte 19 (0xe9, line 2)" in err


# --- 4. check without a token ------------------------------------------------------------------------------------


def test_check_without_a_token_lists_what_it_could_not_check(cli: Cli) -> None:
    assert cli("migrate")[0] == 0

    code, out, _ = cli("check")

    assert code == 0
    assert "All good" not in out
    assert "[--]  Not checked: logging in to Discord (DISCORD_TOKEN isn't set)." in out
    assert "privileged intents" in out and "configured channel(s)" in out
    assert out.rstrip().endswith("Checked what could be checked; 4 things were not checked (marked [--]).")


def test_check_with_a_token_when_discord_is_unreachable(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{closed_port()}/api/v10")

    code, out, err = cli("check", env={"DISCORD_TOKEN": TOKEN})

    assert code == 1
    assert "[FIX] Couldn't reach Discord" in out
    assert "Not checked: privileged intents" in out
    assert TOKEN not in out + err


# --- 2. run and sync while Discord can't be reached --------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "sync"])
def test_run_and_sync_retry_then_exit_plainly_when_discord_is_unreachable(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{closed_port()}/api/v10")
    # discord.py warns about the voice libraries once per process: make this run the first.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)

    code, out, err = cli(command, env={"DISCORD_TOKEN": TOKEN, "DISCORD_CONNECT_TIMEOUT": "0.6"})

    assert code == 1
    tries = [line for line in err.splitlines() if line.startswith("Can't reach Discord (try ")]
    assert len(tries) >= 2, err
    assert "trying again in" in tries[0]
    assert "Haven couldn't reach Discord after" in err
    assert "aiohttp" not in err
    # 7. discord.py's voice warnings are silenced: Haven has no voice features.
    assert "voice will NOT be supported" not in err
    log = (tmp_path / "var" / "haven.log").read_text()
    assert "voice will NOT be supported" not in log
    assert TOKEN not in out + err + log


def test_voice_warnings_are_silenced_after_logging_setup(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.logging_setup import quiet_voice_warnings

    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    quiet_voice_warnings()
    with caplog.at_level(logging.WARNING):
        discord.Client(intents=discord.Intents.none())

    assert "voice will NOT be supported" not in caplog.text


# --- 6. PostgreSQL: a database or role that doesn't exist --------------------------------------------------------


def _pg_server() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    assert url, PG_SKIP_REASON  # the engine fixture leaves these tests out without a server
    return url.split("://", 1)[1].rpartition("@")[2].rsplit("/", 1)[0]  # host:port


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("engine")
def test_a_missing_postgres_database_is_reported_at_once_with_the_sql(cli: Cli) -> None:
    host = _pg_server()
    url = f"postgresql://postgres@{host}/haven_missing_db_xyz"

    code, _, err = cli("migrate", env={"DATABASE_URL": url, "DATABASE_CONNECT_TIMEOUT": "30"})

    assert code == 1
    assert "The PostgreSQL database 'haven_missing_db_xyz' doesn't exist" in err
    assert 'CREATE DATABASE "haven_missing_db_xyz" OWNER "postgres";' in err
    assert "retrying" not in err and "Can't reach" not in err


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("engine")
def test_a_missing_postgres_role_is_reported_at_once_with_the_sql(cli: Cli) -> None:
    host = _pg_server()
    url = f"postgresql://haven_missing_role_xyz:pw@{host}/postgres"

    code, _, err = cli("migrate", env={"DATABASE_URL": url, "DATABASE_CONNECT_TIMEOUT": "30"})

    assert code == 1
    assert "The PostgreSQL role 'haven_missing_role_xyz' doesn't exist" in err
    assert 'CREATE ROLE "haven_missing_role_xyz" LOGIN' in err
    assert "pw@" not in err
    assert "retrying" not in err


async def test_login_retry_backs_off_and_stops_at_the_time_limit(capsys: pytest.CaptureFixture[str]) -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    from bot.cli.run import DiscordUnreachable, login_with_retry

    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    async def login(token: str) -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    async def close() -> None:
        return None

    bot = SimpleNamespace(login=login, http=SimpleNamespace(close=close, connector=None))

    with pytest.raises(DiscordUnreachable, match="after 9 tries over 120 s"):
        await login_with_retry(cast(Any, bot), TOKEN, 120, sleep=sleep, clock=lambda: now[0])

    assert waits == [1, 2, 4, 8, 16, 30, 30, 29]
    err = capsys.readouterr().err
    assert err.count("Can't reach Discord (try ") == 9
    assert TOKEN not in err


def test_gateway_reconnects_are_one_line_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    from bot.logging_setup import quiet_voice_warnings

    quiet_voice_warnings()
    with caplog.at_level(logging.INFO):
        try:
            raise OSError(111, "Connect call failed")
        except OSError:
            logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 4.2)

    assert (
        "Discord connection lost ([Errno 111] Connect call failed); attempting a reconnect in 4.20s"
        in caplog.text
    )
    assert "Traceback" not in caplog.text
