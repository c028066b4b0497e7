"""``python -m bot check``, ``migrate`` and ``reports``: an operator's maintenance commands."""

from __future__ import annotations

import discord

from bot.app import haven_intents
from bot.cli.common import EXIT_FAILED, EXIT_OK, invite_url
from bot.config import Settings
from bot.storage import migrate
from bot.wiring import build_services, migrate_with_backup, open_database


async def cmd_migrate(settings: Settings) -> int:
    """Bring the database up to the newest revision."""
    db = await open_database(settings, migrate_now=False)
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
    from bot.cli.diagnosis import Checklist, check_database, check_discord

    checklist = Checklist()
    checklist.ok(f"Settings are valid (database: {settings.database_url.split('://', 1)[0]}).")
    db = await check_database(settings, checklist)
    try:
        if settings.discord_token is None:
            checklist.note("No DISCORD_TOKEN set, so Discord wasn't checked.")
        else:
            channels = await build_services(db).guild_settings.alert_channels() if db is not None else []
            client = discord.Client(intents=haven_intents())
            try:
                await client.login(settings.discord_token.reveal())
                await check_discord(client, channels, checklist)
                checklist.note(f"Invite link: {invite_url(client.application_id or 0)}")
            except discord.LoginFailure:
                checklist.fail(
                    "Discord refused the token. Copy it again from the developer portal's Bot page."
                )
            except (discord.HTTPException, OSError) as exc:
                checklist.fail(f"Couldn't reach Discord: {exc}")
            finally:
                await client.close()
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
