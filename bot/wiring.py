"""The composition root's wiring: services, the bot and the database, built from settings.

Only the command line (``bot/cli``) and tests call these; nothing else builds services.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter

from bot.app import HavenBot, Services
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.delivery import DeliveryEngine
from bot.delivery.instance import stable_instance_id
from bot.domain.crisis import Lexicon
from bot.domain.delivery import DM_SEND_RATE
from bot.domain.resources import Directory
from bot.errors import DataKeyError
from bot.i18n import Catalogs
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService
from bot.services.command_sync import CommandSyncService
from bot.services.crisis import CrisisService, load_lexicon
from bot.services.guild_settings import GuildSettingsService
from bot.services.health import HealthService
from bot.services.member_locale import MemberLocaleService
from bot.services.privacy import PrivacyService
from bot.services.resources import ResourceService, load_directory
from bot.services.retention import RetentionService
from bot.services.support import SupportService
from bot.storage import migrate
from bot.storage.backup import backup_before_migration
from bot.storage.bot_state import BotStateRepository
from bot.storage.buddies import BuddyRepository
from bot.storage.checkins import CheckinRepository
from bot.storage.crisis import CrisisRepository
from bot.storage.crypto import Keyring, generate_key, read_key_file, write_key_file
from bot.storage.delivery import DeliveryRepository
from bot.storage.encryption import PLAIN, key_census, reencrypt, sample_values
from bot.storage.engine import Database, safe_url
from bot.storage.guild_data import GuildDataRepository
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.health import HealthRepository
from bot.storage.member_data import MemberDataRepository
from bot.storage.member_locale import MemberLocaleRepository
from bot.storage.resources import ResourcesRepository
from bot.storage.retention import RetentionRepository
from bot.storage.support import SupportRepository

log = logging.getLogger("bot")


def build_services(db: Database, clock: Clock = system_clock, directory: Directory | None = None) -> Services:
    """Every service, wired to its repositories. Shipped data loads once here."""
    crisis = CrisisService(shipped_lexicon(), CrisisRepository(db), clock)
    guild_settings = GuildSettingsService(GuildSettingsRepository(db), clock)
    resources = ResourceService(directory or shipped_directory(), ResourcesRepository(db), clock)
    checkins = CheckinService(CheckinRepository(db), clock)
    buddies = BuddyService(BuddyRepository(db), crisis, clock)
    privacy = PrivacyService(
        MemberDataRepository(db),
        GuildDataRepository(db),
        guild_settings=guild_settings,
        crisis=crisis,
        checkins=checkins,
        buddies=buddies,
        resources=resources,
        clock=clock,
    )
    return Services(
        guild_settings=guild_settings,
        command_sync=CommandSyncService(BotStateRepository(db), clock),
        resources=resources,
        crisis=crisis,
        checkins=checkins,
        buddies=buddies,
        health=HealthService(HealthRepository(db)),
        privacy=privacy,
        delivery=DeliveryEngine(
            DeliveryRepository(db), clock, instance_id=stable_instance_id(safe_url(str(db.engine.url)))
        ),
        clock=clock,
        locales=MemberLocaleService(MemberLocaleRepository(db), clock),
        retention=RetentionService(RetentionRepository(db), crisis, clock),
        support=SupportService(SupportRepository(db), crisis, clock),
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
    checkin_send_rate: float = DM_SEND_RATE,
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


async def open_database(settings: Settings, *, migrate_now: bool, with_key: bool = True) -> Database:
    """Open the database (retrying briefly), refuse one newer than the code, and migrate if asked.

    ``with_key``: load the data key (``load_keyring``) and use it for members' text; after a migration, legacy
    plain text is encrypted too. A wrong or missing key raises ``DataKeyError`` before anything is written.
    """
    db = await Database.open(settings.database_url, connect_timeout=settings.database_connect_timeout)
    try:
        if migrate_now:
            state = await migrate_with_backup(db)
            log.info("Database at revision %s", state.current)
        else:
            await migrate.ensure_not_newer(db)
        if with_key:
            keyring = await load_keyring(settings, db, create=migrate_now)
            db.use_keyring(keyring)
            if migrate_now:
                await encrypt_plain_text(db, keyring)
    except BaseException:
        await db.close()
        raise
    return db


async def migrate_with_backup(db: Database) -> migrate.MigrationState:
    """Migrate to the newest revision; an existing SQLite database is backed up first when that changes it."""
    await migrate.ensure_not_newer(db)
    await backup_before_migration(db)
    return await migrate.upgrade(db)


def configured_keyring(settings: Settings) -> Keyring | None:
    """The keyring from DATA_KEY, else from the key file; ``None`` when neither exists yet."""
    if settings.data_key is not None:
        return Keyring.from_text(settings.data_key.reveal())
    keyring = read_key_file(settings.key_file)
    if keyring is not None and settings.key_file.stat().st_mode & 0o077:
        log.warning(
            "The data key file %s can be read by other users; make it private: chmod 600 %s",
            settings.key_file,
            settings.key_file,
        )
    return keyring


async def load_keyring(settings: Settings, db: Database, *, create: bool) -> Keyring:
    """The data key for ``db``, proven to open every encrypted value there (or a new one for a new database).

    Raises:
        DataKeyError: no key while the database holds encrypted text, or a key that doesn't open it.
    """
    census = await key_census(db)
    keyring = configured_keyring(settings)
    if keyring is None:
        encrypted = sum(n for kid, n in census.items() if kid != PLAIN)
        if encrypted or not create:
            raise DataKeyError(missing_key_message(settings, encrypted))
        write_key_file(settings.key_file, [generate_key()])
        keyring = configured_keyring(settings)
        assert keyring is not None
        log.warning(
            "Created the data key file %s (key id %s). Back it up now, apart from the database backups: "
            "without it, members' notes and excerpts can't be read.",
            settings.key_file,
            keyring.current_id,
        )
    await verify_keyring(db, keyring, census)
    return keyring


def missing_key_message(settings: Settings, encrypted: int) -> str:
    """What to do when there is no key."""
    if encrypted:
        return (
            f"The database holds {encrypted} encrypted value(s), but DATA_KEY is empty and there is no key file "
            f"{settings.key_file}. Set DATA_KEY to the key from your backup, or put it in that file. "
            "Nothing was changed."
        )
    return f"There is no data key yet: Haven creates {settings.key_file} when it first starts."


async def verify_keyring(db: Database, keyring: Keyring, census: Counter[str]) -> None:
    """Every key id in the database is in the keyring, and one value under each really opens."""
    unknown = sorted(kid for kid in census if kid != PLAIN and kid not in keyring.ids)
    if unknown:
        raise DataKeyError(
            f"The data key doesn't match the database: {sum(census[k] for k in unknown)} value(s) are encrypted "
            f"with key id(s) {', '.join(unknown)}, and the key Haven has is {', '.join(keyring.ids)}. Set "
            "DATA_KEY (or the key file) to the key that was in use; during a rotation give both, newest first. "
            "Nothing was changed."
        )
    for value in (await sample_values(db, set(census) - {PLAIN})).values():
        keyring.decrypt(value)


async def encrypt_plain_text(db: Database, keyring: Keyring) -> None:
    """Encrypt text stored before encryption existed (once; later starts find none)."""
    progress = await reencrypt(db, keyring, only_plain=True)
    if progress.rewritten:
        log.info("Encrypted %d stored text value(s) that were kept in plain text", progress.rewritten)
