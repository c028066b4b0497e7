"""At most one of something per key per period, remembering a bounded number of keys."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta


class Cooldown:
    """At most one event per key per ``period``; keeps at most ``size`` keys.

    When full, the key used longest ago is forgotten first: at worst that key gets one event early, and memory
    never grows with the number of people.
    """

    def __init__(self, period: timedelta, size: int = 10_000) -> None:
        self.period = period
        self.size = size
        self._last: OrderedDict[int, datetime] = OrderedDict()

    def allow(self, key: int, now: datetime) -> bool:
        """Whether ``key`` may have an event at ``now``; if so, it is counted from ``now``."""
        last = self._last.get(key)
        if last is not None and now - last < self.period:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        while len(self._last) > self.size:
            self._last.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._last)
