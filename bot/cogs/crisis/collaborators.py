"""What crisis scanning, alert delivery and the card buttons work with, handed over by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.domain.alerts import Alert
from bot.i18n import Catalogs
from bot.services.crisis import CrisisService
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import ResourceService
from bot.ui.collaborators import Collaborators


class AlertMasks(Protocol):
    """Who a card names: another feature (support) may stand an alias in for an anonymous member."""

    async def alias(self, alert: Alert) -> str | None:
        """The alias to show instead of the member, while nobody has revealed them; None to show the member."""
        ...

    async def reveal(self, alert: Alert, moderator_id: int) -> bool:
        """A moderator reveals the member behind the alias (recorded); False if there was nothing to reveal."""
        ...


class NoMasks:
    """Cards always name the member."""

    async def alias(self, alert: Alert) -> str | None:
        return None

    async def reveal(self, alert: Alert, moderator_id: int) -> bool:
        return False


@dataclass(frozen=True)
class CrisisCollaborators(Collaborators):
    """The crisis service, the server settings, help lines for the member's reply, and the delivery engine."""

    crisis: CrisisService
    guild_settings: GuildSettingsService
    resources: ResourceService
    engine: DeliveryEngine
    clock: Clock
    i18n: Catalogs
    masks: AlertMasks = field(default_factory=NoMasks)
