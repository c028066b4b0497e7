"""``python -m bot`` as an operator runs it: clear messages, exit codes, never a traceback."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "MTQ1NjA3NDQ0Mzk4MDgwMDAwMA.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456789AB"
OUR_SETTINGS = (
    "DISCORD_TOKEN",
    "DATABASE_URL",
    "DEV_GUILD_ID",
    "LOG_LEVEL",
    "LOG_FILE",
    "DATABASE_CONNECT_TIMEOUT",
    "DISCORD_CONNECT_TIMEOUT",
)


def run_cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` run in this process (cheap), as an operator would in ``cwd``.

    The environment holds none of Haven's settings but ``env``; stdout, stderr and the console log are captured; the
    working folder, the environment and the root logger are put back afterwards.
    """
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    out, err = io.StringIO(), io.StringIO()
    try:
        for name in list(os.environ):
            if name in OUR_SETTINGS or name.startswith("HAVEN_"):
                del os.environ[name]
        os.environ.update(env or {})
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = _main_outside_any_loop(list(args))
            except SystemExit as exc:  # argparse's own exits (--help, usage errors)
                code = exc.code if isinstance(exc.code, int) else 2
            except Exception:
                traceback.print_exc()  # shown as a traceback, which every test refuses
                code = 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for handler in list(root.handlers):
            if handler not in saved_handlers:
                root.removeHandler(handler)
                handler.close()
        for handler in saved_handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(saved_level)
    return subprocess.CompletedProcess(["python", "-m", "bot", *args], code, out.getvalue(), err.getvalue())


def _main_outside_any_loop(argv: list[str]) -> int:
    """``main`` runs its own event loop: from an async test it runs in a worker thread instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return main(argv)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(main, argv).result()


def run_process(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real ``python -m bot`` in a child process (kept for the entry point itself: it is slow)."""
    base = {k: v for k, v in os.environ.items() if k not in OUR_SETTINGS and not k.startswith("HAVEN_")}
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


def test_without_a_token_explains_how_to_get_one_and_exits_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path)

    assert result.returncode == 2
    assert_no_traceback(result)
    err = result.stderr
    assert "DISCORD_TOKEN is missing" in err
    assert "https://discord.com/developers/applications" in err
    assert "Message Content Intent" in err and "Server Members Intent" in err
    assert "permissions=343597632512" in err and "applications.commands" in err


def test_run_subcommand_is_the_default(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "run").stderr == run_cli(tmp_path).stderr


def test_python_dash_m_bot_is_the_command_line(tmp_path: Path) -> None:
    """The real entry point, in a child process: no token, so it explains and exits 2."""
    result = run_process(tmp_path)

    assert result.returncode == 2
    assert_no_traceback(result)
    assert result.stderr == run_cli(tmp_path).stderr


def test_all_settings_problems_in_one_message_and_no_token_echo(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN=Bot {TOKEN}\nLOG_LEVL=DEBUG\nthis is not a setting\n")

    result = run_cli(tmp_path, env={"DATABASE_URL": "mysql://x/y"})

    assert result.returncode == 2
    assert_no_traceback(result)
    err = result.stderr
    assert err.count("\n  - ") == 4, err
    assert "line 3" in err
    assert "Did you mean LOG_LEVEL?" in err
    assert "DATABASE_URL must use sqlite:// or postgresql://" in err
    assert TOKEN not in result.stdout + err


def test_migrate_creates_the_database_under_var(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate")

    assert result.returncode == 0, result.stderr
    assert "Migrated the database from empty" in result.stdout
    assert (tmp_path / "var" / "haven.db").exists()
    again = run_cli(tmp_path, "migrate")
    assert "up to date" in again.stdout


def test_check_without_token_reports_database_and_migrations(tmp_path: Path) -> None:
    pending = run_cli(tmp_path, "check")
    assert pending.returncode == 0, pending.stdout + pending.stderr
    assert "Database reachable" in pending.stdout
    assert "migration(s) pending" in pending.stdout
    assert "Not checked: logging in to Discord (DISCORD_TOKEN isn't set)." in pending.stdout

    run_cli(tmp_path, "migrate")
    done = run_cli(tmp_path, "check")
    assert "Database schema up to date" in done.stdout
    # Without a token Discord wasn't checked, so the verdict must not say "All good".
    assert "All good" not in done.stdout
    assert done.stdout.rstrip().endswith("4 things were not checked (marked [--]).")


def test_database_newer_than_code_refuses_with_a_plain_message(tmp_path: Path) -> None:
    import sqlite3

    run_cli(tmp_path, "migrate")
    with sqlite3.connect(tmp_path / "var" / "haven.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")

    result = run_cli(tmp_path, "migrate")

    assert result.returncode == 1
    assert_no_traceback(result)
    assert "newer Haven" in result.stderr
    check = run_cli(tmp_path, "check")
    assert check.returncode == 1
    assert "[FIX]" in check.stdout


def test_unreachable_postgres_is_retried_then_explained(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path,
        "migrate",
        env={"DATABASE_URL": "postgresql://haven:pw@127.0.0.1:1/haven", "DATABASE_CONNECT_TIMEOUT": "1"},
    )

    assert result.returncode == 1
    assert_no_traceback(result)
    assert "Can't reach the database at postgresql+asyncpg://haven:***@127.0.0.1:1/haven" in result.stderr
    assert "retrying" in result.stderr  # the log says it is trying again


def test_database_path_that_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")

    result = run_cli(tmp_path, "migrate", env={"DATABASE_URL": "sqlite:///blocker/haven.db"})

    assert result.returncode == 1
    assert_no_traceback(result)
    assert "Can't create the folder for the database file" in result.stderr


@pytest.mark.parametrize("command", ["run", "sync"])
def test_token_commands_refuse_a_newer_database_before_touching_discord(tmp_path: Path, command: str) -> None:
    import sqlite3

    run_cli(tmp_path, "migrate")
    with sqlite3.connect(tmp_path / "var" / "haven.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")

    result = run_cli(tmp_path, command, env={"DISCORD_TOKEN": TOKEN})

    assert result.returncode == 1
    assert_no_traceback(result)
    assert "newer Haven" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    log = (tmp_path / "var" / "haven.log").read_text()
    assert TOKEN not in log


def test_reports_lists_correction_reports_for_maintainers(tmp_path: Path) -> None:
    empty = run_cli(tmp_path, "reports")
    assert empty.returncode == 0, empty.stderr
    assert "No correction reports yet." in empty.stdout

    import sqlite3

    with sqlite3.connect(tmp_path / "var" / "haven.db") as conn:
        conn.execute(
            "INSERT INTO resource_reports (guild_id, country_code, topic, line_ids, text, created_at) "
            "VALUES (1, 'JP', 'suicide_crisis', 'jp-a,jp-b', 'Number rang out', '2026-11-22 10:00:00.000000')"
        )

    result = run_cli(tmp_path, "reports")

    assert "#1  2026-11-22 10:00 UTC  country JP  topic suicide_crisis  lines jp-a,jp-b" in result.stdout
    assert "Number rang out" in result.stdout


CORPUS = ROOT / "tests" / "data" / "crisis_corpus.csv"


def test_crisis_eval_prints_figures_by_category_and_severity(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "crisis-eval", str(CORPUS))

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("group")
    for part in (
        "overall",
        "by category",
        "by severity",
        "misses (",
        "false alarms (",
        "third_person_concern",
    ):
        assert part in out


def test_crisis_eval_json_has_the_documented_keys(tmp_path: Path) -> None:
    import json

    result = run_cli(tmp_path, "crisis-eval", str(CORPUS), "--json")

    data = json.loads(result.stdout)
    assert {"recall", "precision", "false_positive_rate", "n"} <= set(data)
    assert data["n"] == sum(1 for _ in CORPUS.open(encoding="utf-8")) - 1


def test_crisis_eval_reports_pinged_cards_apart_from_any_card(tmp_path: Path) -> None:
    import json

    corpus = tmp_path / "two.csv"
    corpus.write_text(
        "text,label,category\n"
        "i want to kill myself tonight,crisis,explicit\n"  # high or above: a card that pings
        "everyone would be better off without me,crisis,burden\n"  # moderate: a quiet card
        "good morning everyone,not_crisis,everyday\n",
        encoding="utf-8",
    )

    data = json.loads(run_cli(tmp_path, "crisis-eval", str(corpus), "--json").stdout)
    text = run_cli(tmp_path, "crisis-eval", str(corpus)).stdout

    assert (data["recall"], data["false_positive_rate"]) == (1.0, 0.0)
    ping = data["ping"]
    assert {"recall", "precision", "false_positive_rate", "n", "by_category"} <= set(ping)
    assert (ping["recall"], ping["precision"], ping["n"]) == (0.5, 1.0, 3)
    assert ping["by_category"]["burden"]["recall"] == 0.0
    assert "pinged cards" in text and "by category (pinged cards)" in text


def test_crisis_eval_explains_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,maybe\n")

    result = run_cli(tmp_path, "crisis-eval", str(bad))

    assert result.returncode == 2
    assert_no_traceback(result)
    assert "Line 2: the label must be crisis or not_crisis" in result.stderr
    missing = run_cli(tmp_path, "crisis-eval", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "Can't read" in missing.stderr
