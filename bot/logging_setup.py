"""Logging for the bot: console plus a rotating file under var/, with secrets and member text kept out.

Two defences, whatever ``LOG_LEVEL`` says (DEBUG included):

- Third-party loggers that write SQL parameters or request bodies (member text) or URLs holding interaction and
  webhook tokens are set to a safe level, and records below that level are also dropped by the filter on every
  handler (so a library that turns its own logger up later still can't leak).
- One filter on the root handlers replaces the bot token and any ``/webhooks/<id>/<token>`` or
  ``/interactions/<id>/<token>`` in a line (tracebacks included) with ``[redacted]``.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import Iterable
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
REDACTED = "[redacted]"

# The least level each library may log at. Below it they write SQL parameters (check-in notes, alert excerpts,
# buddy intros), request bodies (message text) or URLs with interaction tokens.
SAFE_LEVELS: dict[str, int] = {
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "sqlalchemy.engine": logging.WARNING,
    "sqlalchemy.pool": logging.WARNING,
    "sqlalchemy.dialects": logging.WARNING,
    "sqlalchemy.orm": logging.WARNING,
    "discord.http": logging.INFO,
    "discord.webhook": logging.INFO,
    "discord.gateway": logging.INFO,
}

_TOKEN_URL = re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/\s?#'\"]+")


def redact_tokens(text: str) -> str:
    """``text`` with the token in any webhook or interaction URL replaced."""
    return _TOKEN_URL.sub(rf"\1{REDACTED}", text)


def _safe_level(name: str) -> int:
    while name:
        if name in SAFE_LEVELS:
            return SAFE_LEVELS[name]
        name = name.rpartition(".")[0]
    return logging.NOTSET


class RedactFilter(logging.Filter):
    """Drops too-chatty library records and replaces secrets and URL tokens with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]
        self._formatter = logging.Formatter()

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return redact_tokens(text)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < _safe_level(record.name):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep the template only, never the arguments
            message = str(record.msg)
        cleaned = self._clean(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


class DiscordNoiseFilter(logging.Filter):
    """Drops discord.py's "PyNaCl/davey is not installed, voice will NOT be supported": Haven has no voice.

    Also turns discord.py's "Attempting a reconnect" (logged with a whole traceback while the gateway can't be
    reached) into one line with the reason: the operator sees what happens, not a traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "voice will NOT be supported" in message:
            return False
        if (
            message.startswith("Attempting a reconnect")
            and record.exc_info
            and record.exc_info[1] is not None
        ):
            exc = record.exc_info[1]
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            record.msg = f"Discord connection lost ({reason[:200]}); {message[0].lower()}{message[1:]}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


NOISE_FILTER = DiscordNoiseFilter()


def quiet_voice_warnings() -> None:
    """Haven never joins voice: silence discord.py's warnings about the voice libraries it doesn't need."""
    client_logger = logging.getLogger("discord.client")
    if NOISE_FILTER not in client_logger.filters:
        client_logger.addFilter(NOISE_FILTER)
    logging.getLogger("discord.voice_client").setLevel(logging.ERROR)


def quiet_libraries(level: int) -> None:
    """Set each chatty library's logger to its safe level, or to ``level`` when that is stricter."""
    for name, safe in SAFE_LEVELS.items():
        logging.getLogger(name).setLevel(max(safe, level))


def setup_logging(level: str, log_file: Path | None, secrets: Iterable[str] = ()) -> None:
    """Configure the root logger once, in the composition root."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(level)
    redact = RedactFilter(secrets)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(
                logging.handlers.RotatingFileHandler(
                    log_file, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
                )
            )
        except OSError as exc:
            print(
                f"Haven: can't write the log file {log_file} ({exc.strerror}); logging to the console only."
            )
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(redact)
        root.addHandler(handler)
    quiet_libraries(root.level)
    quiet_voice_warnings()
