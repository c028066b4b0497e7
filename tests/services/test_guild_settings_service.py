"""Server settings service on a real database with a fake clock."""

from __future__ import annotations

import pytest

from bot.services.guild_settings import GuildSettingsService, MissingChannelPermissions
from bot.storage.engine import Database
from bot.storage.guild_settings import GuildSettingsRepository
from tests.conftest import FakeClock

ALL = {"view_channel", "send_messages", "embed_links", "read_message_history"}


async def test_saves_alerts_with_the_clock_time(database: Database, clock: FakeClock) -> None:
    service = GuildSettingsService(GuildSettingsRepository(database), clock)

    await service.set_alerts(1, 10, 20, ALL)

    saved = await service.get(1)
    assert (saved.alert_channel_id, saved.moderator_role_id, saved.updated_at) == (10, 20, clock.now)


async def test_changing_alerts_replaces_the_old_ones(database: Database, clock: FakeClock) -> None:
    service = GuildSettingsService(GuildSettingsRepository(database), clock)
    await service.set_alerts(1, 10, 20, ALL)
    clock.advance(hours=1)

    await service.set_alerts(1, 11, 21, ALL)

    saved = await service.get(1)
    assert (saved.alert_channel_id, saved.moderator_role_id, saved.updated_at) == (11, 21, clock.now)
    assert await service.alert_channels() == [(1, 11)]


async def test_missing_permissions_refuse_and_save_nothing(database: Database, clock: FakeClock) -> None:
    service = GuildSettingsService(GuildSettingsRepository(database), clock)

    with pytest.raises(MissingChannelPermissions) as caught:
        await service.set_alerts(1, 10, 20, {"view_channel"})

    assert caught.value.params["missing"] == ["send_messages", "embed_links", "read_message_history"]
    assert not (await service.get(1)).alerts_configured


async def test_servers_are_kept_apart(database: Database, clock: FakeClock) -> None:
    service = GuildSettingsService(GuildSettingsRepository(database), clock)
    await service.set_alerts(1, 10, 20, ALL)

    assert (await service.get(2)).alert_channel_id is None
