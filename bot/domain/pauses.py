"""How far ahead a member may pause check-ins or buddy pairing: one limit for both."""

from __future__ import annotations

from datetime import date, timedelta

MAX_PAUSE = timedelta(days=365)  # a pause ends within a year; stopping (or leaving) is there for longer


def latest_pause_day(today: date) -> date:
    """The last day a pause starting ``today`` may run to."""
    return today + MAX_PAUSE
