"""Repository for support requests and peer flags: settings, listeners, requests, the relay, flags, check-ons.

Split in parts (requests.py, relay.py) that share one database; ``SupportRepository`` is all of them.
"""

from __future__ import annotations

from bot.storage.support.relay import RelayStore
from bot.storage.support.requests import RequestStore

__all__ = ["SupportRepository"]


class SupportRepository(RequestStore, RelayStore):
    """Reads and writes the support tables."""
