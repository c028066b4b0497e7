"""What /privacy and its buttons work with, handed over by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.resources import Directory
from bot.i18n import Catalogs
from bot.services.crisis import CrisisService
from bot.services.privacy import PrivacyService
from bot.services.retention import RetentionService
from bot.ui.collaborators import Collaborators


@dataclass(frozen=True)
class PrivacyCollaborators(Collaborators):
    """Members' data and choices, how long things are kept, and the directory (to name a saved country)."""

    privacy: PrivacyService
    retention: RetentionService
    crisis: CrisisService
    directory: Directory
    i18n: Catalogs
