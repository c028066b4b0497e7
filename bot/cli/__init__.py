"""The command line: ``python -m bot [run|check|migrate|sync|reports|crisis-eval]``.

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
from bot.cli.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, print_problems
from bot.cli.evaluate import crisis_eval
from bot.cli.maintenance import cmd_check, cmd_migrate, cmd_reports
from bot.cli.run import cmd_run, cmd_sync
from bot.config import Settings, merged_environment
from bot.errors import ConfigError, DatabaseError
from bot.logging_setup import setup_logging
from bot.redaction import redact

Command = Callable[[Settings], Coroutine[Any, Any, int]]

COMMANDS: dict[str, Command] = {
    "run": cmd_run,
    "check": cmd_check,
    "migrate": cmd_migrate,
    "sync": cmd_sync,
    "reports": cmd_reports,
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "crisis-eval":
        return crisis_eval(args.file, as_json=args.json)
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
    setup_logging(settings.log_level, settings.log_file, secrets=[token])
    try:
        return asyncio.run(COMMANDS[args.command](settings))
    except DatabaseError as exc:
        print(redact(f"Haven can't use its database: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK
