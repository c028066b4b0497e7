"""``python -m bot check``, ``migrate`` and ``reports``: an operator's maintenance commands."""

from __future__ import annotations

from bot.cli.common import EXIT_FAILED, EXIT_OK
from bot.config import Settings
from bot.storage import migrate
from bot.wiring import build_services, migrate_with_backup, open_database


async def cmd_migrate(settings: Settings) -> int:
    """Bring the database up to the newest revision."""
    db = await open_database(settings, migrate_now=False, with_key=False)
    try:
        before = await migrate.migration_state(db)
        after = await migrate_with_backup(db)
    finally:
        await db.close()
    if before.pending:
        print(f"Migrated the database from {before.current or 'empty'} to {after.current}.")
    else:
        print(f"The database is up to date (revision {after.current}).")
    return EXIT_OK


async def cmd_check(settings: Settings) -> int:
    """Print a plain-words checklist: settings, database, migrations, and Discord when a token is set."""
    from bot.cli.diagnosis import Checklist, ConfiguredChannel, check_database, diagnose_discord, skip_discord
    from bot.cli.keys import check_data_key

    checklist = Checklist()
    checklist.ok(f"Settings are valid (database: {settings.database_url.split('://', 1)[0]}).")
    db, up_to_date = await check_database(settings, checklist)
    try:
        channels: list[ConfiguredChannel] | None = None
        if db is not None:
            await check_data_key(settings, db, checklist)
        if db is not None and up_to_date:
            rows = await build_services(db).guild_settings.configured_channels()
            channels = [ConfiguredChannel(*row) for row in rows]
        elif db is not None:
            checklist.skip("which channels the servers configured", "the database isn't migrated yet")
        if settings.discord_token is None:
            checklist.skip("logging in to Discord", "DISCORD_TOKEN isn't set")
            skip_discord(checklist, "they need DISCORD_TOKEN", channels)
        else:
            await diagnose_discord(settings.discord_token.reveal(), channels, checklist)
    finally:
        if db is not None:
            await db.close()
    print(checklist.render())
    return EXIT_OK if checklist.passed else EXIT_FAILED


async def cmd_reports(settings: Settings) -> int:
    """Print the newest correction reports about listed helplines, for maintainers."""
    db = await open_database(settings, migrate_now=True)
    try:
        reports = await build_services(db).resources.recent_reports()
    finally:
        await db.close()
    if not reports:
        print("No correction reports yet.")
        return EXIT_OK
    for report in reports:
        when = report["created_at"].strftime("%Y-%m-%d %H:%M UTC")  # type: ignore[union-attr]
        print(
            f"#{report['id']}  {when}  country {report['country_code'] or '-'}  topic {report['topic']}  "
            f"lines {report['line_ids'] or '-'}\n    {report['text']}"
        )
    return EXIT_OK
