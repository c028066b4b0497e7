"""Repository for crisis escalation: settings, phrases, ignores, opt-outs, the alert outbox and reveals."""

from __future__ import annotations

from bot.storage.crisis.alerts import CrisisRepository as CrisisRepository
from bot.storage.crisis.rules import CrisisRulesRepository as CrisisRulesRepository
