"""Time as a parameter: services take a ``Clock`` so tests can control it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)
