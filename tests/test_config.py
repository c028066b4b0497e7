"""Settings: every problem at once, defaults under var/, and the example file kept in step."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.config import SETTINGS, Secret, Settings, merged_environment, read_dotenv
from bot.errors import ConfigError
from bot.logging_setup import RedactFilter

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "MTQ1NjA3NDQ0Mzk4MDgwMDAwMA.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456789AB"


def settings(env: dict[str, str], **kwargs: object) -> Settings:
    return Settings.from_env(env, base_dir=Path("/srv/haven"), **kwargs)  # type: ignore[arg-type]


def problems(env: dict[str, str], **kwargs: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        settings(env, **kwargs)
    return caught.value.problems


def test_defaults_keep_runtime_files_under_var() -> None:
    s = settings({"DISCORD_TOKEN": TOKEN})

    assert s.database_url == "sqlite+aiosqlite:////srv/haven/var/haven.db"
    assert s.log_file == Path("/srv/haven/var/haven.log")
    assert s.log_level == "INFO"
    assert s.dev_guild_id is None
    assert s.database_connect_timeout == 30


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"DATABASE_URL": "mysql://x/y", "LOG_LEVEL": "LOUD", "DEV_GUILD_ID": "abc"})

    assert len(found) == 4
    assert any("DISCORD_TOKEN is missing" in p for p in found)
    assert any("DATABASE_URL" in p for p in found)
    assert any("LOG_LEVEL" in p for p in found)
    assert any("DEV_GUILD_ID" in p for p in found)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/h.db", "sqlite+aiosqlite:////srv/haven/data/h.db"),
        ("sqlite:////abs/h.db", "sqlite+aiosqlite:////abs/h.db"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite+aiosqlite:////srv/haven/var/x.db"),
        ("postgresql://haven@db:5432/haven", "postgresql+asyncpg://haven@db:5432/haven"),
        ("postgres://haven@db/haven", "postgresql+asyncpg://haven@db/haven"),
        ("postgresql+asyncpg://u:p@h/d", "postgresql+asyncpg://u:p@h/d"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(url: str, expected: str) -> None:
    assert settings({"DISCORD_TOKEN": TOKEN, "DATABASE_URL": url}).database_url == expected


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql://h/d", "sqlite://", "sqlite:///:memory:", "postgresql://host", "postgresql:///db"],
)
def test_invalid_database_urls_are_explained(url: str) -> None:
    found = problems({"DISCORD_TOKEN": TOKEN, "DATABASE_URL": url})

    assert len(found) == 1
    assert found[0].startswith("DATABASE_URL")


@pytest.mark.parametrize(
    ("token", "fragment"),
    [("Bot " + TOKEN, "without the word 'Bot'"), ("hunter2", "does not look like a bot token")],
)
def test_malformed_tokens_are_explained_without_echoing_them(token: str, fragment: str) -> None:
    found = problems({"DISCORD_TOKEN": token})

    assert any(fragment in p for p in found)
    assert not any(token in p for p in found)


def test_token_is_optional_when_not_required() -> None:
    assert settings({}, require_token=False).discord_token is None


def test_unknown_names_in_dotenv_get_a_suggestion() -> None:
    found = problems({"DISCORD_TOKEN": TOKEN, "DISCORD_TOKN": "x"}, dotenv_keys=frozenset({"DISCORD_TOKN"}))

    assert found == [
        "DISCORD_TOKN is not a Haven setting. Did you mean DISCORD_TOKEN? (Known settings: see config.example.env.)"
    ]


def test_unknown_haven_prefixed_names_in_the_environment_are_reported() -> None:
    found = problems({"DISCORD_TOKEN": TOKEN, "HAVEN_DEBUG": "1"})

    assert found[0].startswith("HAVEN_DEBUG is not a Haven setting")


def test_other_programs_environment_is_ignored() -> None:
    settings({"DISCORD_TOKEN": TOKEN, "PATH": "/usr/bin", "HOME": "/root"})


def test_empty_log_file_means_console_only() -> None:
    assert settings({"DISCORD_TOKEN": TOKEN, "LOG_FILE": ""}).log_file is None


def test_secret_never_shows_itself() -> None:
    s = settings({"DISCORD_TOKEN": TOKEN})

    assert TOKEN not in repr(s)
    assert TOKEN not in str(s.discord_token)
    assert isinstance(s.discord_token, Secret) and s.discord_token.reveal() == TOKEN


def test_log_lines_never_contain_the_token() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "connecting with %s", (TOKEN,), None)

    RedactFilter([TOKEN]).filter(record)

    assert TOKEN not in record.getMessage()
    assert "[redacted]" in record.getMessage()


def test_dotenv_real_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("LOG_LEVEL=DEBUG\nDEV_GUILD_ID=123456789012345678\n")

    merged, keys, found = merged_environment({"LOG_LEVEL": "ERROR"}, dotenv)

    assert merged["LOG_LEVEL"] == "ERROR"
    assert merged["DEV_GUILD_ID"] == "123456789012345678"
    assert keys == {"LOG_LEVEL", "DEV_GUILD_ID"}
    assert found == []


def test_malformed_dotenv_lines_are_reported_by_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"LOG_LEVEL=INFO\nthis line is broken\nDISCORD_TOKEN='{TOKEN}\n")

    _, found = read_dotenv(dotenv)

    assert any("line 2" in p for p in found)
    assert not any(TOKEN in p for p in found)


def test_missing_dotenv_is_fine(tmp_path: Path) -> None:
    assert read_dotenv(tmp_path / ".env") == ({}, [])


def test_config_example_lists_exactly_the_settings_each_with_a_comment() -> None:
    lines = (ROOT / "config.example.env").read_text().splitlines()
    names: list[str] = []
    for index, line in enumerate(lines):
        match = re.match(r"^([A-Z_]+)=", line)
        if match:
            names.append(match.group(1))
            assert index > 0 and lines[index - 1].startswith("#"), (
                f"{match.group(1)} needs a comment above it"
            )

    assert sorted(names) == sorted(s.name for s in SETTINGS)
    assert len(names) == len(set(names))


def test_readme_settings_table_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()

    for spec in SETTINGS:
        assert f"`{spec.name}`" in readme, spec.name


def test_discord_connect_timeout_defaults_to_two_minutes_and_is_checked() -> None:
    assert settings({"DISCORD_TOKEN": TOKEN}).discord_connect_timeout == 120
    assert settings({"DISCORD_TOKEN": TOKEN, "DISCORD_CONNECT_TIMEOUT": "5"}).discord_connect_timeout == 5
    found = problems({"DISCORD_TOKEN": TOKEN, "DISCORD_CONNECT_TIMEOUT": "soon"})
    assert found == ["DISCORD_CONNECT_TIMEOUT must be a number (got 'soon')."]


def test_settings_problems_never_echo_a_token() -> None:
    found = problems({"DISCORD_TOKEN": TOKEN, "LOG_LEVEL": TOKEN, "DATABASE_URL": f"sqlite:{TOKEN}"})

    assert len(found) == 2
    assert all(TOKEN[:12] not in p for p in found)


def test_a_dotenv_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_bytes("LOG_LEVEL=INFO # café\n".encode("latin-1"))

    _, found = read_dotenv(dotenv)

    assert found == [".env isn't UTF-8 text (byte 20). Save it as UTF-8 and try again."]
