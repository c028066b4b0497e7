"""Crisis escalation: scanning messages, the alert outbox, the moderators' workflow, settings and stats."""

from __future__ import annotations

from bot.services.crisis.outcomes import CACHE_SECONDS as CACHE_SECONDS
from bot.services.crisis.outcomes import DETECTOR_CACHE as DETECTOR_CACHE
from bot.services.crisis.outcomes import DIRECT_REPLY_COOLDOWN as DIRECT_REPLY_COOLDOWN
from bot.services.crisis.outcomes import LEXICON_PATH as LEXICON_PATH
from bot.services.crisis.outcomes import THREAD_TEXT as THREAD_TEXT
from bot.services.crisis.outcomes import MessageToScan as MessageToScan
from bot.services.crisis.outcomes import NotAlertModerator as NotAlertModerator
from bot.services.crisis.outcomes import ScanOutcome as ScanOutcome
from bot.services.crisis.outcomes import ScanResult as ScanResult
from bot.services.crisis.outcomes import load_lexicon as load_lexicon
from bot.services.crisis.service import CrisisService as CrisisService
