"""Composition root and command line: ``python -m bot [run|check|migrate|sync]``.

This is the only module that reads the environment, loads ``.env`` and wires settings, logging, the
database, the services and the bot together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import discord

from bot import __version__
from bot.app import HavenBot, Services, haven_intents, haven_permissions
from bot.clock import Clock, system_clock
from bot.config import Settings, merged_environment
from bot.domain.crisis import Lexicon
from bot.domain.resources import Directory
from bot.errors import ConfigError, DatabaseError, DomainError
from bot.i18n import Catalogs
from bot.logging_setup import setup_logging
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService
from bot.services.command_sync import CommandSyncService
from bot.services.crisis import CrisisService, load_lexicon
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import ResourceService, load_directory
from bot.storage import migrate
from bot.storage.bot_state import BotStateRepository
from bot.storage.buddies import BuddyRepository
from bot.storage.checkins import CheckinRepository
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.resources import ResourcesRepository

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
PORTAL_URL = "https://discord.com/developers/applications"


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
) -> HavenBot:
    """The bot with its services; the database must be open and migrated."""
    return HavenBot(
        db=db,
        services=build_services(db, clock),
        catalogs=catalogs or Catalogs.load(),
        dev_guild_id=dev_guild_id,
        checkin_send_rate=checkin_send_rate,
    )


async def open_database(settings: Settings, *, migrate_now: bool) -> Database:
    """Open the database (retrying briefly), refuse one newer than the code, and migrate if asked."""
    db = await Database.open(settings.database_url, connect_timeout=settings.database_connect_timeout)
    try:
        if migrate_now:
            state = await migrate.upgrade(db)
            log.info("Database at revision %s", state.current)
        else:
            await migrate.ensure_not_newer(db)
    except BaseException:
        await db.close()
        raise
    return db


def invite_url(application_id: int | str) -> str:
    """The invite link with exactly the permissions Haven needs."""
    return discord.utils.oauth_url(
        application_id, permissions=haven_permissions(), scopes=("bot", "applications.commands")
    )


def application_id_from_token(token: str) -> str | None:
    """A bot token's first part is its application's ID in base64."""
    import base64
    import binascii

    first = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=False).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if decoded.isdigit() else None


def token_help() -> str:
    """What a new operator needs to get a token and invite the bot."""
    return "\n".join(
        [
            "To run Haven you need a bot token from Discord:",
            f"  1. Open {PORTAL_URL}, create an application (or pick yours), and open its Bot page.",
            "  2. Press 'Reset Token', copy the token, and put it in a file named .env here:",
            "       DISCORD_TOKEN=your-token",
            "     (copy config.example.env to .env to see every setting).",
            "  3. On the same Bot page, under 'Privileged Gateway Intents', switch on",
            "     'Message Content Intent' (crisis-language scanning)",
            "     and 'Server Members Intent' (buddy pairing).",
            "  4. Invite Haven to your server with this link (put your application's ID in it):",
            f"       {invite_url('YOUR_APPLICATION_ID')}",
            "     It asks only for the permissions Haven uses. `python -m bot check` prints your exact link.",
            "Then run `make run` again.",
        ]
    )


def print_problems(problems: Sequence[str], *, token_missing: bool) -> None:
    """One message with every settings problem (to stderr)."""
    lines = ["Haven can't start: please fix these settings."]
    lines += [f"  - {p}" for p in problems]
    if token_missing:
        lines += ["", token_help()]
    print("\n".join(lines), file=sys.stderr)


def install_stop_signals(bot: discord.Client) -> asyncio.Event:
    """SIGTERM and Ctrl-C close the bot once: loops stop, writes finish, the database closes.

    Returns an event that is set when a stop signal arrived.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()

    def _stop(signame: str) -> None:
        if stopping.is_set():
            return
        log.info("%s received: finishing in-flight work and shutting down", signame)
        stopping.set()
        task = loop.create_task(bot.close())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows has no signal handlers
            loop.add_signal_handler(sig, _stop, sig.name)
    return stopping


async def cmd_run(settings: Settings) -> int:
    """Open and migrate the database, then run the bot until SIGTERM or Ctrl-C."""
    assert settings.discord_token is not None
    db = await open_database(settings, migrate_now=True)
    bot = build_bot(db, dev_guild_id=settings.dev_guild_id, checkin_send_rate=settings.checkin_send_rate)
    install_stop_signals(bot)
    try:
        async with bot:
            await bot.start(settings.discord_token.reveal())
    except discord.LoginFailure:
        print(
            "Discord refused the token. Copy it again from the developer portal's Bot page.", file=sys.stderr
        )
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        print(
            "Discord refused Haven's intents. On the developer portal's Bot page, switch on "
            "'Message Content Intent' and 'Server Members Intent', then start Haven again.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    finally:
        await bot.close_resources()
    log.info("Haven stopped cleanly")
    return EXIT_OK


async def cmd_migrate(settings: Settings) -> int:
    """Bring the database up to the newest revision."""
    db = await open_database(settings, migrate_now=False)
    try:
        before = await migrate.migration_state(db)
        after = await migrate.upgrade(db)
    finally:
        await db.close()
    if before.pending:
        print(f"Migrated the database from {before.current or 'empty'} to {after.current}.")
    else:
        print(f"The database is up to date (revision {after.current}).")
    return EXIT_OK


async def cmd_sync(settings: Settings) -> int:
    """Register slash commands now, globally or to DEV_GUILD_ID."""
    assert settings.discord_token is not None
    db = await open_database(settings, migrate_now=True)
    bot = build_bot(db, dev_guild_id=settings.dev_guild_id)
    try:
        async with bot:
            await bot.login(settings.discord_token.reveal())  # runs setup_hook, which syncs only on change
            await bot.sync_commands(force=True)
    except discord.LoginFailure:
        print(
            "Discord refused the token. Copy it again from the developer portal's Bot page.", file=sys.stderr
        )
        return EXIT_CONFIG
    finally:
        await bot.close_resources()
    where = f"server {settings.dev_guild_id}" if settings.dev_guild_id else "every server (global)"
    print(f"Registered Haven's slash commands for {where}.")
    return EXIT_OK


async def cmd_check(settings: Settings) -> int:
    """Print a plain-words checklist: settings, database, migrations, and Discord when a token is set."""
    from bot.checks import Checklist, check_database, check_discord

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


COMMANDS = {
    "run": cmd_run,
    "check": cmd_check,
    "migrate": cmd_migrate,
    "sync": cmd_sync,
    "reports": cmd_reports,
}
NEEDS_TOKEN = {"run", "sync"}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Haven, a peer-support bot for Discord."
    )
    parser.add_argument("--version", action="version", version=f"Haven {__version__}")
    parser.add_argument("--env-file", default=".env", help="settings file to read (default: .env)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="start the bot (the default)")
    sub.add_parser("check", help="check settings, database, migrations and (with a token) Discord access")
    sub.add_parser("migrate", help="bring the database up to date")
    sub.add_parser("sync", help="register slash commands now (globally, or to DEV_GUILD_ID)")
    sub.add_parser("reports", help="list members' correction reports about listed helplines")
    evaluate = sub.add_parser(
        "crisis-eval", help="measure the crisis detector on a labelled CSV (text,label)"
    )
    evaluate.add_argument(
        "file", help="CSV with columns text,label (crisis or not_crisis) and optional severity"
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(list(argv))
    args.command = args.command or "run"
    return args


def crisis_eval(path: str, *, as_json: bool) -> int:
    """Evaluate the detector with default server settings on a labelled CSV. Needs no settings or database."""
    import json

    from bot.domain.crisis import Detector
    from bot.domain.crisis_eval import evaluate, format_report, read_examples

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"Can't read {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_CONFIG
    catalogs = Catalogs.load()
    try:
        examples = read_examples(text)
    except DomainError as exc:
        print(catalogs.text(exc.key, None, **exc.params), file=sys.stderr)
        return EXIT_CONFIG
    detector = Detector(shipped_lexicon())

    def predict(message: str) -> tuple[bool, str]:
        detection = detector.detect(message)
        return detection.is_crisis, "; ".join(detection.explain())

    report = evaluate(examples, predict)
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else format_report(report))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "crisis-eval":
        return crisis_eval(args.file, as_json=args.json)
    base_dir = Path.cwd()
    env, dotenv_keys, problems = merged_environment(os.environ, base_dir / args.env_file)
    settings: Settings | None = None
    try:
        settings = Settings.from_env(
            env, base_dir=base_dir, require_token=args.command in NEEDS_TOKEN, dotenv_keys=dotenv_keys
        )
    except ConfigError as exc:
        problems = problems + exc.problems
    if problems or settings is None:
        print_problems(
            problems, token_missing=any(p.startswith("DISCORD_TOKEN is missing") for p in problems)
        )
        return EXIT_CONFIG
    token = settings.discord_token.reveal() if settings.discord_token else ""
    setup_logging(settings.log_level, settings.log_file, secrets=[token])
    try:
        return asyncio.run(COMMANDS[args.command](settings))
    except DatabaseError as exc:
        print(f"Haven can't use its database: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
