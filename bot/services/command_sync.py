"""Remember which command set was registered with Discord, so start-up syncs only on change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.clock import Clock
from bot.domain.commands import command_set_hash
from bot.storage.bot_state import BotStateRepository

_KEY = "command_hash:"


class CommandSyncService:
    """Decides whether the command set changed since the last sync, and records syncs."""

    def __init__(self, repo: BotStateRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    async def needs_sync(self, scope: str, payloads: Sequence[dict[str, Any]]) -> bool:
        """Whether ``payloads`` differ from what was last registered under ``scope``."""
        return await self._repo.get(_KEY + scope) != command_set_hash(payloads)

    async def record_sync(self, scope: str, payloads: Sequence[dict[str, Any]]) -> None:
        """Remember that ``payloads`` were registered under ``scope``."""
        await self._repo.set(_KEY + scope, command_set_hash(payloads), self._clock())
