"""One place that hides anything token-like in text Haven prints about its settings.

Used for every settings problem message and every message the command line prints, so that a token pasted into
the wrong place (a bare line in ``.env``, ``DISCORD_TOKEN <token>`` without ``=``, a token in another setting)
never reaches the screen or a log.
"""

from __future__ import annotations

import re
from typing import Final

REDACTED: Final = "[redacted]"

# A Discord bot token: three base64url parts separated by dots (the first is the application ID in base64).
_DISCORD_TOKEN: Final = re.compile(r"[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{16,}")
# Long base64-ish runs (a part of a token, an API key): 24+ characters mixing letters and digits.
_BASE64ISH: Final = re.compile(r"(?<![A-Za-z0-9_\-+=])[A-Za-z0-9_\-+=]{24,}(?![A-Za-z0-9_\-+=])")
# Whatever follows the name DISCORD_TOKEN: always after '=' or ':'; after spaces, a word that looks like a token
# (a digit, an inner dot, or 20+ characters), so that Haven's own sentences ("DISCORD_TOKEN is missing") stay.
_AFTER_NAME: Final = re.compile(
    r"(DISCORD_TOKEN['\"]?)"
    r"(?:(\s*[=:]\s*)[^\s'\"`]+|(\s+)(?:(?=[^\s'\"`]*(?:[0-9]|\.[^\s'\"`]))[^\s'\"`]+|[^\s'\"`]{20,}))"
)


def _looks_random(run: str) -> bool:
    """A run mixing lower case, upper case and digits, unlike setting names or words."""
    return any(c.islower() for c in run) and any(c.isupper() for c in run) and any(c.isdigit() for c in run)


def redact(text: str) -> str:
    """``text`` with Discord tokens, long base64-ish runs and anything after ``DISCORD_TOKEN`` replaced."""
    text = _DISCORD_TOKEN.sub(REDACTED, text)
    text = _BASE64ISH.sub(lambda m: REDACTED if _looks_random(m.group(0)) else m.group(0), text)
    return _AFTER_NAME.sub(lambda m: f"{m.group(1)}{m.group(2) or m.group(3)}{REDACTED}", text)
