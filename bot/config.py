"""Settings: read once in the composition root, validated all at once.

``Settings.from_env`` is pure: it takes a mapping (the process environment merged with ``.env``) and
returns settings or raises one ``ConfigError`` that lists every problem. Nothing here reads the
environment at import time.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.domain.delivery import DM_SEND_RATE
from bot.errors import ConfigError
from bot.redaction import redact


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its name, its default (``None`` when it has none) and what it is for."""

    name: str
    default: str | None
    help: str


SETTINGS: Final[tuple[SettingSpec, ...]] = (
    SettingSpec(
        "DISCORD_TOKEN",
        None,
        "The bot's token from the Discord developer portal (Bot page). Required to run. Keep it secret.",
    ),
    SettingSpec(
        "DATABASE_URL",
        "sqlite:///var/haven.db",
        "Where Haven keeps its data: sqlite:///path/to/file.db, or postgresql://user@host:5432/dbname.",
    ),
    SettingSpec(
        "DATABASE_CONNECT_TIMEOUT",
        "30",
        "Seconds to keep retrying an unreachable database at start-up before giving up.",
    ),
    SettingSpec(
        "DATA_KEY",
        "",
        "The key that encrypts members' text at rest (`python -m bot keygen`); during a rotation `new,old`. "
        "Empty: the key file var/data.key, made at the first start. Keep it secret and back it up apart.",
    ),
    SettingSpec(
        "DISCORD_CONNECT_TIMEOUT",
        "120",
        "Seconds to keep retrying when Discord can't be reached at start-up (run, sync) before giving up.",
    ),
    SettingSpec(
        "DEV_GUILD_ID",
        "",
        "A server ID to register slash commands to instantly while developing. Empty: register globally.",
    ),
    SettingSpec(
        "CHECKIN_SEND_RATE",
        "40",
        "Check-in prompts sent per second at most (below Discord's global limit of 50 requests a second).",
    ),
    SettingSpec(
        "HEALTH_HOST",
        "127.0.0.1",
        "The address the health and metrics endpoint listens on (only when HEALTH_PORT is set).",
    ),
    SettingSpec(
        "HEALTH_PORT",
        "",
        "The port for /healthz and /metrics over HTTP. Empty: no endpoint (the default).",
    ),
    SettingSpec("LOG_LEVEL", "INFO", "How much to log: DEBUG, INFO, WARNING, ERROR or CRITICAL."),
    SettingSpec("LOG_FILE", "var/haven.log", "A log file (rotated). Empty: log to the console only."),
)
SETTING_NAMES: Final[frozenset[str]] = frozenset(s.name for s in SETTINGS)
_DEFAULTS: Final[dict[str, str | None]] = {s.name: s.default for s in SETTINGS}
# Unknown names with this prefix in the real environment are treated as typos of ours.
OWN_PREFIX: Final = "HAVEN_"
DATA_KEY_BYTES: Final = 32
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN_RE: Final = re.compile(r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value, for the one place that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Validated settings for one run of the bot."""

    discord_token: Secret | None
    database_url: str
    database_connect_timeout: float
    dev_guild_id: int | None
    log_level: str
    log_file: Path | None
    checkin_send_rate: float = DM_SEND_RATE
    discord_connect_timeout: float = 120.0
    health_host: str = "127.0.0.1"
    health_port: int | None = None  # None: no health endpoint
    data_key: Secret | None = None  # None: the key file
    key_file: Path = Path("var/data.key")  # used when DATA_KEY is empty

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        base_dir: Path,
        require_token: bool = True,
        dotenv_keys: frozenset[str] = frozenset(),
    ) -> Settings:
        """Build settings from ``env``; raise one ``ConfigError`` listing every problem.

        Args:
            env: the process environment merged with ``.env`` (the real environment wins).
            base_dir: the folder relative paths (the default ``var/`` files) are resolved against.
            require_token: whether a missing ``DISCORD_TOKEN`` is a problem (``run`` and ``sync``).
            dotenv_keys: the names that came from ``.env``; unknown ones there are reported.
        """
        problems: list[str] = []
        problems.extend(_unknown_names(env, dotenv_keys))

        def raw(name: str) -> str:
            value = env.get(name)
            if value is None or value.strip() == "":
                return _DEFAULTS[name] or ""
            return value.strip()

        token = _parse_token(raw("DISCORD_TOKEN"), require_token, problems)
        database_url = _parse_database_url(raw("DATABASE_URL"), base_dir, problems)
        timeout = _parse_float("DATABASE_CONNECT_TIMEOUT", raw("DATABASE_CONNECT_TIMEOUT"), 0, 600, problems)
        discord_timeout = _parse_float(
            "DISCORD_CONNECT_TIMEOUT", raw("DISCORD_CONNECT_TIMEOUT"), 0, 3600, problems
        )
        dev_guild = _parse_snowflake("DEV_GUILD_ID", raw("DEV_GUILD_ID"), problems)
        send_rate = _parse_float("CHECKIN_SEND_RATE", raw("CHECKIN_SEND_RATE"), 1, 50, problems)
        health_host = _parse_host(raw("HEALTH_HOST"), problems)
        health_port = _parse_port("HEALTH_PORT", raw("HEALTH_PORT"), problems)
        data_key = _parse_data_key(raw("DATA_KEY"), problems)
        level = raw("LOG_LEVEL").upper()
        if level not in LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {raw('LOG_LEVEL')!r}).")
        log_file_raw = env.get("LOG_FILE")
        log_file_text = _DEFAULTS["LOG_FILE"] if log_file_raw is None else log_file_raw.strip()
        log_file = _resolve(Path(log_file_text), base_dir) if log_file_text else None

        if problems:
            raise ConfigError([redact(p) for p in problems])
        return cls(
            discord_token=token,
            database_url=database_url,
            database_connect_timeout=timeout,
            dev_guild_id=dev_guild,
            log_level=level,
            log_file=log_file,
            checkin_send_rate=send_rate,
            discord_connect_timeout=discord_timeout,
            health_host=health_host,
            health_port=health_port,
            data_key=data_key,
            key_file=base_dir / "var" / "data.key",
        )

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is an SQLite file."""
        return self.database_url.startswith("sqlite")


def _unknown_names(env: Mapping[str, str], dotenv_keys: frozenset[str]) -> list[str]:
    problems: list[str] = []
    suspects = set(dotenv_keys) | {k for k in env if k.startswith(OWN_PREFIX)}
    for name in sorted(suspects - SETTING_NAMES):
        close = difflib.get_close_matches(name, sorted(SETTING_NAMES), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        problems.append(f"{name} is not a Haven setting.{hint} (Known settings: see config.example.env.)")
    return problems


def _parse_token(value: str, required: bool, problems: list[str]) -> Secret | None:
    if not value:
        if required:
            problems.append("DISCORD_TOKEN is missing.")
        return None
    if value.lower().startswith("bot "):
        problems.append("DISCORD_TOKEN should be the token alone, without the word 'Bot' in front.")
        return None
    if not _TOKEN_RE.match(value):
        problems.append(
            "DISCORD_TOKEN does not look like a bot token (three parts separated by dots). "
            "Copy it again from the developer portal's Bot page."
        )
        return None
    return Secret(value)


def _parse_data_key(value: str, problems: list[str]) -> Secret | None:
    """DATA_KEY: one key, or several separated by commas (newest first); the value is never echoed."""
    if not value:
        return None
    for number, part in enumerate((p.strip() for p in value.split(",")), start=1):
        try:
            size = len(base64.urlsafe_b64decode(part.encode("ascii"))) if part else 0
        except (binascii.Error, ValueError, UnicodeEncodeError):
            size = 0
        if size != DATA_KEY_BYTES:
            problems.append(
                f"DATA_KEY key {number} is not a Haven data key (44 characters, as `python -m bot keygen` "
                "prints; several keys are separated by commas, newest first)."
            )
            return None
    return Secret(value)


def _parse_database_url(value: str, base_dir: Path, problems: list[str]) -> str:
    scheme, sep, rest = value.partition("://")
    if not sep:
        problems.append(
            f"DATABASE_URL must look like sqlite:///var/haven.db or postgresql://host/db (got {value!r})."
        )
        return ""
    scheme = scheme.lower()
    if scheme in ("sqlite", "sqlite+aiosqlite"):
        path_text = rest[1:] if rest.startswith("/") else rest
        if not path_text or path_text == ":memory:" or "mode=memory" in path_text:
            problems.append(
                "DATABASE_URL must name an SQLite file; an in-memory database would lose everything."
            )
            return ""
        path_text = path_text.split("?", 1)[0]
        path = _resolve(Path(path_text), base_dir)
        return f"sqlite+aiosqlite:///{path}"
    if scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
        host_part = rest.split("/", 1)[0]
        if not host_part or "/" not in rest or not rest.split("/", 1)[1].split("?", 1)[0]:
            problems.append(
                "DATABASE_URL for PostgreSQL must name a host and a database: postgresql://user@host/db."
            )
            return ""
        return f"postgresql+asyncpg://{rest}"
    problems.append(f"DATABASE_URL must use sqlite:// or postgresql:// (got {scheme}://).")
    return ""


def parse_database_url(value: str, base_dir: Path) -> str:
    """A database URL as DATABASE_URL takes it, normalised for Haven's drivers (for commands taking URLs).

    Raises:
        ConfigError: when the URL can't be used, with the same wording as for DATABASE_URL.
    """
    problems: list[str] = []
    url = _parse_database_url(value.strip(), base_dir, problems)
    if problems:
        raise ConfigError([p.replace("DATABASE_URL", "The database URL", 1) for p in problems])
    return url


def _parse_float(name: str, value: str, low: float, high: float, problems: list[str]) -> float:
    try:
        number = float(value)
    except ValueError:
        problems.append(f"{name} must be a number (got {value!r}).")
        return 0.0
    if not low <= number <= high:
        problems.append(f"{name} must be between {low:g} and {high:g} (got {value}).")
    return number


def _parse_snowflake(name: str, value: str, problems: list[str]) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 15 <= len(value) <= 20:
        problems.append(f"{name} must be a Discord ID, 15 to 20 digits (got {value!r}).")
        return None
    return int(value)


def _parse_host(value: str, problems: list[str]) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", value):
        problems.append(f"HEALTH_HOST must be an address such as 127.0.0.1 or ::1 (got {value!r}).")
    return value.strip("[]")


def _parse_port(name: str, value: str, problems: list[str]) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        problems.append(f"{name} must be a port number from 0 to 65535, or empty for none (got {value!r}).")
        return None
    return int(value)


def _resolve(path: Path, base_dir: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (base_dir / path)


def read_dotenv(path: Path) -> tuple[dict[str, str], list[str]]:
    """Read a ``.env`` file. Returns its values and a problem per line that can't be read.

    A missing file is not a problem: the real environment may hold every setting.
    """
    from dotenv.parser import parse_stream

    if not path.is_file():
        return {}, []
    values: dict[str, str] = {}
    problems: list[str] = []
    try:
        bindings = list(parse_stream(io.StringIO(path.read_bytes().decode("utf-8"))))
    except UnicodeDecodeError as exc:
        return {}, [f"{path.name} isn't UTF-8 text (byte {exc.start}). Save it as UTF-8 and try again."]
    except OSError as exc:
        return {}, [f"Can't read {path}: {exc.strerror}."]
    for binding in bindings:
        line = binding.original.line
        if binding.error:
            # Redact the whole line before shortening it, so that no part of a token can show.
            first = (binding.original.string.strip().splitlines() or [""])[0]
            snippet = redact(first)[:60]
            problems.append(f"{path.name} line {line} can't be read: {snippet!r}. Use NAME=value.")
        elif binding.key is not None:
            if binding.value is None:
                name = redact(binding.key)
                hint = (
                    " If it is your bot token, put `DISCORD_TOKEN=` in front of it."
                    if name != binding.key
                    else ""
                )
                problems.append(f"{path.name} line {line}: {name} has no '=value'.{hint}")
            else:
                values[binding.key] = binding.value
    return values, problems


def merged_environment(
    process_env: Mapping[str, str], dotenv_path: Path
) -> tuple[dict[str, str], frozenset[str], list[str]]:
    """Merge ``.env`` under the real environment (the real one wins).

    Returns the merged mapping, the names that came from ``.env``, and problems reading it.
    """
    file_values, problems = read_dotenv(dotenv_path)
    merged = dict(file_values)
    merged.update(process_env)
    return merged, frozenset(file_values), problems
