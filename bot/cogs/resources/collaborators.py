"""What /resources, its answers and their buttons work with, handed over by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Catalogs
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import ResourceService
from bot.ui.collaborators import Collaborators


@dataclass(frozen=True)
class ResourceCollaborators(Collaborators):
    """The helpline directory service, the server settings (for correction reports) and the catalogs."""

    resources: ResourceService
    guild_settings: GuildSettingsService
    i18n: Catalogs
