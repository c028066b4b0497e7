"""Rules about the slash-command set: when it needs registering again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any


def command_set_hash(payloads: Sequence[dict[str, Any]]) -> str:
    """A stable hash of the command payloads Discord would receive (order of commands ignored)."""
    canonical = sorted(json.dumps(p, sort_keys=True, separators=(",", ":"), default=str) for p in payloads)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


def sync_scope(dev_guild_id: int | None) -> str:
    """The key a sync is remembered under: global, or one development server."""
    return "global" if dev_guild_id is None else f"guild:{dev_guild_id}"
