"""Table definitions (SQLAlchemy Core), one module per feature; every name is importable from here as before.

Migrations under ``migrations/`` create them. The modules are imported in the order the tables were always
defined, so ``metadata.tables`` keeps its order."""

from __future__ import annotations

# Imported in the order the tables were always defined, so metadata.tables keeps that order.
# isort: off
from bot.storage.schema.core import (
    bot_state,
    guild_settings,
    local_resources,
    member_country,
    member_locale,
    metadata,
    resource_reports,
)
from bot.storage.schema.crisis import (
    crisis_alerts,
    crisis_ignored,
    crisis_phrases,
    crisis_reveals,
    crisis_settings,
    scan_optout,
)
from bot.storage.schema.checkin import (
    checkin_members,
    checkin_prompts,
    checkin_schedules,
    checkin_settings,
    checkins,
)
from bot.storage.schema.buddies import (
    buddy_blocks,
    buddy_members,
    buddy_outbox,
    buddy_pair_members,
    buddy_pairings,
    buddy_reports,
    buddy_settings,
)
from bot.storage.schema.operations import (
    delivery_instances,
    delivery_items,
    guild_removals,
    member_departures,
)
from bot.storage.schema.support import (
    support_blocks,
    support_checkons,
    support_feedback,
    support_flags,
    support_listeners,
    support_messages,
    support_requests,
    support_settings,
)
# isort: on

__all__ = [
    "bot_state",
    "buddy_blocks",
    "buddy_members",
    "buddy_outbox",
    "buddy_pair_members",
    "buddy_pairings",
    "buddy_reports",
    "buddy_settings",
    "checkin_members",
    "checkin_prompts",
    "checkin_schedules",
    "checkin_settings",
    "checkins",
    "crisis_alerts",
    "crisis_ignored",
    "crisis_phrases",
    "crisis_reveals",
    "crisis_settings",
    "delivery_instances",
    "delivery_items",
    "guild_removals",
    "guild_settings",
    "local_resources",
    "member_country",
    "member_departures",
    "member_locale",
    "metadata",
    "resource_reports",
    "scan_optout",
    "support_blocks",
    "support_checkons",
    "support_feedback",
    "support_flags",
    "support_listeners",
    "support_messages",
    "support_requests",
    "support_settings",
]
