"""Pure rules: table-driven, no mocks."""

from __future__ import annotations

import pytest

from bot.domain.commands import command_set_hash, sync_scope
from bot.domain.guild_settings import ALERT_CHANNEL_PERMISSIONS, GuildSettings, missing_permissions


@pytest.mark.parametrize(
    ("granted", "missing"),
    [
        (set(ALERT_CHANNEL_PERMISSIONS), []),
        ({"view_channel", "send_messages"}, ["embed_links", "read_message_history"]),
        (set(), list(ALERT_CHANNEL_PERMISSIONS)),
        ({"administrator"}, list(ALERT_CHANNEL_PERMISSIONS)),  # the caller resolves admin into flags
    ],
)
def test_missing_permissions_keeps_the_required_order(granted: set[str], missing: list[str]) -> None:
    assert missing_permissions(ALERT_CHANNEL_PERMISSIONS, granted) == missing


def test_alerts_need_both_channel_and_role() -> None:
    assert not GuildSettings(1).alerts_configured
    assert not GuildSettings(1, alert_channel_id=2).alerts_configured
    assert GuildSettings(1, alert_channel_id=2, moderator_role_id=3).alerts_configured


def test_command_hash_ignores_order_but_not_content() -> None:
    a = {"name": "help", "description": "What Haven does"}
    b = {"name": "about", "description": "About Haven"}

    assert command_set_hash([a, b]) == command_set_hash([b, a])
    assert command_set_hash([a, b]) != command_set_hash([a, {**b, "description": "Changed"}])
    assert command_set_hash([a]) != command_set_hash([a, b])


def test_sync_scope_names_global_or_dev_guild() -> None:
    assert sync_scope(None) == "global"
    assert sync_scope(123) == "guild:123"
