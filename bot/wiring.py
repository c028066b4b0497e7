"""The composition root's wiring: services, the bot and the database, built from settings.

Only the command line (``bot/cli``) and tests call these; nothing else builds services.
"""

from __future__ import annotations

import functools
import logging

from bot.app import HavenBot, Services
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.domain.crisis import Lexicon
from bot.domain.resources import Directory
from bot.i18n import Catalogs
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService
from bot.services.command_sync import CommandSyncService
from bot.services.crisis import CrisisService, load_lexicon
from bot.services.guild_settings import GuildSettingsService
from bot.services.health import HealthService
from bot.services.member_locale import MemberLocaleService
from bot.services.resources import ResourceService, load_directory
from bot.storage import migrate
from bot.storage.backup import backup_before_migration
from bot.storage.bot_state import BotStateRepository
from bot.storage.buddies import BuddyRepository
from bot.storage.checkins import CheckinRepository
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.health import HealthRepository
from bot.storage.member_locale import MemberLocaleRepository
from bot.storage.resources import ResourcesRepository

log = logging.getLogger("bot")


def build_services(db: Database, clock: Clock = system_clock, directory: Directory | None = None) -> Services:
    """Every service, wired to its repositories. Shipped data loads once here."""
    crisis = CrisisService(shipped_lexicon(), CrisisRepository(db), clock)
    return Services(
        guild_settings=GuildSettingsService(GuildSettingsRepository(db), clock),
        command_sync=CommandSyncService(BotStateRepository(db), clock),
        resources=ResourceService(directory or shipped_directory(), ResourcesRepository(db), clock),
        crisis=crisis,
        checkins=CheckinService(CheckinRepository(db), clock),
        buddies=BuddyService(BuddyRepository(db), crisis, clock),
        health=HealthService(HealthRepository(db)),
        locales=MemberLocaleService(MemberLocaleRepository(db), clock),
    )


@functools.cache
def shipped_lexicon() -> Lexicon:
    """The crisis lexicon from bot/data, read once per process."""
    return load_lexicon()


@functools.cache
def shipped_directory() -> Directory:
    """The helpline directory from bot/data, read once per process."""
    return load_directory()


def build_bot(
    db: Database,
    *,
    dev_guild_id: int | None = None,
    clock: Clock = system_clock,
    catalogs: Catalogs | None = None,
    checkin_send_rate: float = 40.0,
    health_host: str = "127.0.0.1",
    health_port: int | None = None,
    sample_loop_lag: bool = True,
) -> HavenBot:
    """The bot with its services; the database must be open and migrated. ``health_port``: see HEALTH_PORT."""
    return HavenBot(
        db=db,
        services=build_services(db, clock),
        catalogs=catalogs or Catalogs.load(),
        dev_guild_id=dev_guild_id,
        checkin_send_rate=checkin_send_rate,
        health_host=health_host,
        health_port=health_port,
        sample_loop_lag=sample_loop_lag,
    )


async def open_database(settings: Settings, *, migrate_now: bool) -> Database:
    """Open the database (retrying briefly), refuse one newer than the code, and migrate if asked."""
    db = await Database.open(settings.database_url, connect_timeout=settings.database_connect_timeout)
    try:
        if migrate_now:
            state = await migrate_with_backup(db)
            log.info("Database at revision %s", state.current)
        else:
            await migrate.ensure_not_newer(db)
    except BaseException:
        await db.close()
        raise
    return db


async def migrate_with_backup(db: Database) -> migrate.MigrationState:
    """Migrate to the newest revision; an existing SQLite database is backed up first when that changes it."""
    await migrate.ensure_not_newer(db)
    await backup_before_migration(db)
    return await migrate.upgrade(db)
