"""Logging for the bot: console plus a rotating file under var/, with secrets scrubbed."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterable
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


class RedactFilter(logging.Filter):
    """Replaces any secret that slipped into a log line with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "[redacted]")
            record.msg = message
            record.args = None
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
    # discord.py's HTTP debug lines can include request bodies (message text): keep them out.
    logging.getLogger("discord.http").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("discord.gateway").setLevel(max(logging.INFO, logging.getLevelName(level)))
    quiet_voice_warnings()
