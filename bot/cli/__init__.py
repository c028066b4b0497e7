"""The command line: ``python -m bot COMMAND`` (run, check, migrate, sync, reports, backup, restore, copy-database,
keygen, rotate-key, crisis-eval, demo).

This package and ``bot/wiring.py`` are the composition root: the only code that reads the environment, loads
``.env`` and wires settings, logging, the database, the services and the bot together.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot import __version__
from bot.cli.backup import cmd_backup, cmd_copy_database, cmd_restore
from bot.cli.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, print_problems
from bot.cli.evaluate import crisis_eval
from bot.cli.keys import cmd_keygen, cmd_rotate_key, new_key_text
from bot.cli.maintenance import cmd_check, cmd_migrate, cmd_reports
from bot.cli.run import cmd_run, cmd_sync
from bot.config import Settings, merged_environment
from bot.errors import ConfigError, DatabaseError, DataKeyError
from bot.logging_setup import setup_logging
from bot.redaction import redact

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


def _settings_only(command: Callable[[Settings], Coroutine[Any, Any, int]]) -> Command:
    """A command that takes no arguments besides the settings."""
    return lambda settings, _args: command(settings)


COMMANDS: dict[str, Command] = {
    "run": _settings_only(cmd_run),
    "check": _settings_only(cmd_check),
    "migrate": _settings_only(cmd_migrate),
    "sync": _settings_only(cmd_sync),
    "reports": _settings_only(cmd_reports),
    "backup": cmd_backup,
    "restore": cmd_restore,
    "copy-database": cmd_copy_database,
    "rotate-key": cmd_rotate_key,
}
NEEDS_TOKEN = {"run", "sync"}
DEFAULT_ENV_FILE = ".env"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command and its options; ``run`` when none is given."""
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Haven, a peer-support bot for Discord."
    )
    parser.add_argument("--version", action="version", version=f"Haven {__version__}")
    env_help = f"settings file to read (default: {DEFAULT_ENV_FILE}; a file named here must exist)"
    parser.add_argument("--env-file", default=None, help=env_help)
    # The same option after the command (`python -m bot check --env-file x.env`); SUPPRESS keeps the one given
    # before the command when it is not repeated after it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--env-file", default=argparse.SUPPRESS, help=env_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[common], help="start the bot (the default)")
    sub.add_parser(
        "check",
        parents=[common],
        help="check settings, database, migrations and (with a token) Discord access",
    )
    sub.add_parser("migrate", parents=[common], help="bring the database up to date")
    sub.add_parser(
        "sync", parents=[common], help="register slash commands now (globally, or to DEV_GUILD_ID)"
    )
    sub.add_parser(
        "reports", parents=[common], help="list members' correction reports about listed helplines"
    )
    backup = sub.add_parser(
        "backup", parents=[common], help="copy the database safely, even while Haven runs"
    )
    backup.add_argument("path", nargs="?", help="file or folder for the backup (default: var/backups/)")
    restore = sub.add_parser(
        "restore", parents=[common], help="replace the SQLite database with a backup (Haven must be stopped)"
    )
    restore.add_argument("path", help="a backup made by `backup`")
    copy = sub.add_parser(
        "copy-database", parents=[common], help="copy every table into a new, empty database"
    )
    copy.add_argument(
        "from_url", metavar="FROM_URL", help="the database to copy, e.g. sqlite:///var/haven.db"
    )
    copy.add_argument(
        "to_url", metavar="TO_URL", help="an empty database, e.g. postgresql://haven@host/haven"
    )
    sub.add_parser("keygen", help="print a new data key for DATA_KEY (encryption of members' text at rest)")
    rotate = sub.add_parser(
        "rotate-key",
        parents=[common],
        help="re-encrypt members' text under a new data key, safely while Haven runs (see docs/PRIVACY.md)",
    )
    rotate.add_argument("--batch-size", type=int, default=500, help="values per transaction (default: 500)")
    evaluate = sub.add_parser(
        "crisis-eval", help="measure the crisis detector on a labelled CSV (text,label)"
    )
    evaluate.add_argument(
        "file", help="CSV with columns text,label (crisis or not_crisis) and optional severity"
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    demo = sub.add_parser(
        "demo", help="watch Haven work in a simulated Discord (no token, no network; needs the demo extra)"
    )
    demo.add_argument(
        "--out", default=None, help="folder for the transcript and the mood chart (default: var/demo)"
    )
    args = parser.parse_args(list(argv))
    args.command = args.command or "run"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "crisis-eval":
        return crisis_eval(args.file, as_json=args.json)
    if args.command == "keygen":  # needs no settings: it only prints a new key
        return cmd_keygen()
    if args.command == "demo":  # needs no settings: its own throwaway database, no token
        from bot.demo import main as demo_main

        return demo_main(Path(args.out) if args.out else None)
    base_dir = Path.cwd()
    env_file = base_dir / (args.env_file or DEFAULT_ENV_FILE)
    if args.env_file is not None and not env_file.is_file():
        print(f"Haven can't start: the settings file {args.env_file} doesn't exist.", file=sys.stderr)
        return EXIT_CONFIG
    env, dotenv_keys, problems = merged_environment(os.environ, env_file)
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
    setup_logging(settings.log_level, settings.log_file, secrets=[token, *_key_secrets(settings)])
    try:
        return asyncio.run(COMMANDS[args.command](settings, args))
    except DataKeyError as exc:
        print(f"Haven can't use its data key: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseError as exc:
        print(redact(f"Haven can't use its database: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK


def _key_secrets(settings: Settings) -> list[str]:
    """The data keys (DATA_KEY's parts, NEW_DATA_KEY's), for the logs' redaction."""
    texts = [settings.data_key.reveal() if settings.data_key else "", new_key_text()]
    return [part.strip() for text in texts for part in [text, *text.split(",")] if part.strip()]
