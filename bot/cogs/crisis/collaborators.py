"""What crisis scanning, alert delivery and the card buttons work with, handed over by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import Catalogs
from bot.services.crisis import CrisisService
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import ResourceService
from bot.ui.collaborators import Collaborators


@dataclass(frozen=True)
class CrisisCollaborators(Collaborators):
    """The crisis service, the server settings, help lines for the member's reply, and the delivery engine."""

    crisis: CrisisService
    guild_settings: GuildSettingsService
    resources: ResourceService
    engine: DeliveryEngine
    clock: Clock
    i18n: Catalogs
