"""What scanning a message gives back, the lexicon shipped in bot/data, and the crisis service's limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from bot.domain.crisis import (
    Detection,
    Lexicon,
    parse_lexicon,
)
from bot.errors import DomainError

LEXICON_PATH = Path(__file__).resolve().parents[2] / "data" / "crisis_lexicon.json"
DETECTOR_CACHE = 512
CACHE_SECONDS = 30
# Texts longer than this are analysed in a worker thread, so a long message never holds the event loop.
THREAD_TEXT = 500
DIRECT_REPLY_COOLDOWN = timedelta(minutes=10)  # one kind reply per person when no moderators can be told


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read the shipped lexicon once, at start-up."""
    with path.open(encoding="utf-8") as fh:
        return parse_lexicon(json.load(fh))


class ScanOutcome(StrEnum):
    """What scanning one message led to."""

    SKIPPED = "skipped"  # not scanned (turned off, ignored, opted out)
    NOTHING = "nothing"  # scanned; nothing for moderators
    NEW = "new"  # a new alert card is on its way
    UPDATED = "updated"  # folded into the member's open card


@dataclass(frozen=True)
class ScanResult:
    """The outcome of scanning one message, with the detection for explanation."""

    outcome: ScanOutcome
    detection: Detection | None = None
    alert_id: int | None = None


@dataclass(frozen=True)
class MessageToScan:
    """A message as the scanner sees it: ids, text, the author's role ids."""

    guild_id: int
    member_id: int
    channel_id: int | None
    message_id: int
    text: str
    role_ids: Sequence[int] = ()
    from_dm: bool = False
    edited: bool = False


class NotAlertModerator(DomainError):
    """Only moderators can act on an alert card."""

    key = "crisis.error.not_moderator"
