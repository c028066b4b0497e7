"""Repositories on both engines: each reads back what it wrote, keeps servers and members apart, and says when
there was nothing to change. (Retention, delivery and member data have their own files.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.crisis import Severity
from bot.storage.bot_state import BotStateRepository
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from bot.storage.guild_data import GuildDataRepository
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.health import HealthRepository
from bot.storage.member_locale import MemberLocaleRepository
from bot.storage.resources import ResourcesRepository
from tests.conftest import FakeClock

HERE, THERE = 1001, 2002
ROBIN, SAM = 11, 22


async def test_bot_state_keeps_one_value_per_key(database: Database, clock: FakeClock) -> None:
    repo = BotStateRepository(database)
    assert await repo.get("commands") is None
    await repo.set("commands", "abc", clock())
    await repo.set("commands", "def", clock())
    assert await repo.get("commands") == "def"
    assert await repo.get("other") is None


async def test_guild_settings_default_until_saved_and_per_server(
    database: Database, clock: FakeClock
) -> None:
    repo = GuildSettingsRepository(database)
    assert not (await repo.get(HERE)).alerts_configured
    await repo.set_alerts(HERE, 501, 601, clock())
    saved = await repo.get(HERE)
    assert (saved.alert_channel_id, saved.moderator_role_id) == (501, 601) and saved.alerts_configured
    assert not (await repo.get(THERE)).alerts_configured
    assert await repo.all_alert_channels() == [(HERE, 501)]
    assert (HERE, 501, "alert") in await repo.all_configured_channels()


async def test_member_locales_are_read_one_or_many_and_deleted(database: Database, clock: FakeClock) -> None:
    repo = MemberLocaleRepository(database)
    await repo.set(ROBIN, "de", clock())
    await repo.set(ROBIN, "es-ES", clock())
    assert await repo.get(ROBIN) == "es-ES"
    assert await repo.get_many([ROBIN, SAM]) == {ROBIN: "es-ES"}
    assert await repo.delete(ROBIN)
    assert not await repo.delete(ROBIN)
    assert await repo.get(ROBIN) is None


async def test_a_server_removal_keeps_its_first_date_and_can_be_cancelled(
    database: Database, clock: FakeClock
) -> None:
    repo = GuildDataRepository(database)
    later = clock() + timedelta(days=7)
    await repo.schedule_removal(HERE, clock(), later)
    await repo.schedule_removal(HERE, clock(), later + timedelta(days=3))  # an earlier note stays
    assert await repo.removal(HERE) == later
    assert await repo.pending_removals() == [HERE]
    assert await repo.due_removals(clock()) == []
    assert await repo.due_removals(later) == [HERE]
    assert await repo.cancel_removal(HERE)
    assert not await repo.cancel_removal(HERE)
    assert await repo.removal(HERE) is None


async def test_health_answers_and_counts_no_undelivered_alert_on_an_empty_database(
    database: Database,
) -> None:
    repo = HealthRepository(database)
    await repo.ping()
    assert await repo.undelivered_alerts() == 0


async def test_a_remembered_country_is_per_member_and_forgotten_once(
    database: Database, clock: FakeClock
) -> None:
    repo = ResourcesRepository(database)
    await repo.save_country(ROBIN, "DE", clock())
    await repo.save_country(ROBIN, "ES", clock())
    assert await repo.saved_country(ROBIN) == "ES"
    assert await repo.saved_country(SAM) is None
    assert await repo.forget_country(ROBIN)
    assert not await repo.forget_country(ROBIN)


async def test_crisis_settings_are_saved_per_server(database: Database, clock: FakeClock) -> None:
    repo = CrisisRepository(database)
    defaults = await repo.settings(HERE)
    changed = replace(defaults, scanning=not defaults.scanning, reping_seconds=defaults.reping_seconds + 60)
    await repo.save_settings(changed, clock())
    assert await repo.settings(HERE) == changed
    assert await repo.settings(THERE) == replace(defaults, guild_id=THERE)


async def test_crisis_phrases_allow_list_ignores_and_opt_outs(database: Database, clock: FakeClock) -> None:
    repo = CrisisRepository(database)
    assert await repo.add_phrase(HERE, "dark place", Severity.HIGH, allow=False, by=ROBIN, now=clock())
    assert not await repo.add_phrase(HERE, "dark place", Severity.HIGH, allow=False, by=ROBIN, now=clock())
    assert await repo.add_phrase(HERE, "kill the boss", Severity.WATCH, allow=True, by=ROBIN, now=clock())
    assert await repo.phrases(HERE, allow=False) == [("dark place", Severity.HIGH)]
    assert await repo.count_phrases(HERE, allow=True) == 1
    assert await repo.phrases(THERE, allow=False) == []
    assert await repo.remove_phrase(HERE, "dark place", allow=False)
    assert not await repo.remove_phrase(HERE, "dark place", allow=False)

    assert await repo.toggle_ignored(HERE, 77, "channel")
    assert await repo.ignored(HERE) == {77: "channel"}
    assert not await repo.toggle_ignored(HERE, 77, "channel")
    assert await repo.ignored(HERE) == {}

    await repo.set_optout(ROBIN, True, clock())
    await repo.set_optout(ROBIN, True, clock())
    assert await repo.opted_out(ROBIN) and not await repo.opted_out(SAM)
    await repo.set_optout(ROBIN, False, clock())
    assert not await repo.opted_out(ROBIN)
