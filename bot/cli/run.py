"""``python -m bot run`` and ``sync``: the bot against the real Discord."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import discord

from bot.cli.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK
from bot.cli.lock import InstanceLock, lock_path
from bot.config import Settings
from bot.redaction import redact
from bot.wiring import build_bot, open_database

log = logging.getLogger("bot")

FIRST_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 30.0
TOKEN_REFUSED = "Discord refused the token. Copy it again from the developer portal's Bot page."  # noqa: S105 - a message
# What a network that can't reach Discord (or a Discord outage) raises while logging in.
UNREACHABLE = (OSError, aiohttp.ClientError, TimeoutError, discord.DiscordServerError)


class DiscordUnreachable(Exception):
    """Discord could not be reached within the retry budget."""


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact(text)[:200]


async def login_with_retry(
    bot: discord.Client,
    token: str,
    timeout: float,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Log in, retrying with backoff for up to ``timeout`` seconds while Discord can't be reached.

    Prints one line per failed try. Raises ``DiscordUnreachable`` when the time is up; a refused token
    (``discord.LoginFailure``) and other answers from Discord are raised at once.
    """
    deadline = clock() + timeout
    delay = FIRST_RETRY_DELAY
    attempt = 0
    while True:
        attempt += 1
        try:
            await bot.login(token)
            return
        except UNREACHABLE as exc:
            reason = _reason(exc)
            # A fresh HTTP session (and connector) for the next try; the failed one is closed.
            await bot.http.close()
            bot.http.connector = discord.utils.MISSING
            remaining = deadline - clock()
            if remaining <= 0:
                print(f"Can't reach Discord (try {attempt}: {reason}).", file=sys.stderr)
                raise DiscordUnreachable(
                    f"Haven couldn't reach Discord after {attempt} tries over {timeout:g} s. Check this machine's "
                    "internet connection, a firewall or proxy, and https://discordstatus.com, then start Haven "
                    "again."
                ) from None
            wait = min(delay, remaining)
            print(
                f"Can't reach Discord (try {attempt}: {reason}); trying again in {wait:.1f} s.",
                file=sys.stderr,
            )
            await sleep(wait)
            delay = min(delay * 2, MAX_RETRY_DELAY)


def _login_problem(exc: BaseException) -> int:
    """Print a plain message for a failed login and return the exit status."""
    if isinstance(exc, discord.LoginFailure):
        print(TOKEN_REFUSED, file=sys.stderr)
        return EXIT_CONFIG
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        print(
            "Discord refused Haven's intents. On the developer portal's Bot page, switch on "
            "'Message Content Intent' and 'Server Members Intent', then start Haven again.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if isinstance(exc, DiscordUnreachable):
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    assert isinstance(exc, discord.HTTPException)
    print(f"Discord said no ({exc.status}): {_reason(exc)}", file=sys.stderr)
    return EXIT_FAILED


_CLOSING: set[asyncio.Task[None]] = set()


def install_stop_signals(bot: discord.Client) -> asyncio.Event:
    """SIGTERM and Ctrl-C close the bot once: loops stop, writes finish, the database closes.

    Returns an event that is set when a stop signal arrived.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    tasks = _CLOSING

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
    """Hold the running-instance lock (``var/haven.lock``) while the bot runs; see ``run_bot``."""
    lock = InstanceLock(lock_path())
    locked = lock.acquire()
    if not locked and settings.is_sqlite:
        print(
            f"Haven is already running from this folder ({lock_path()} is held). "
            "Stop it before starting it again: two copies would answer every message twice.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if not locked:  # several processes may share one PostgreSQL database
        log.info("Another Haven runs from this folder; continuing, as the database is PostgreSQL")
    try:
        return await run_bot(settings)
    finally:
        lock.release()


async def run_bot(settings: Settings) -> int:
    """Open and migrate the database, then run the bot until SIGTERM or Ctrl-C."""
    assert settings.discord_token is not None
    db = await open_database(settings, migrate_now=True)
    bot = build_bot(
        db,
        dev_guild_id=settings.dev_guild_id,
        checkin_send_rate=settings.checkin_send_rate,
        health_host=settings.health_host,
        health_port=settings.health_port,
    )
    # The shipped data loaded at start (lexicon, helplines, city table) lives as long as the process: moving it out of
    # the collector's view keeps full collections from stalling the event loop (docs/PERFORMANCE.md, crisis).
    gc.collect()
    gc.freeze()
    install_stop_signals(bot)
    try:
        async with bot:
            await login_with_retry(bot, settings.discord_token.reveal(), settings.discord_connect_timeout)
            await bot.connect(reconnect=True)
    except (
        discord.LoginFailure,
        discord.PrivilegedIntentsRequired,
        DiscordUnreachable,
        discord.HTTPException,
    ) as exc:
        return _login_problem(exc)
    finally:
        await bot.close_resources()
        await _closing_done()
    log.info("Haven stopped cleanly")
    return EXIT_OK


async def _closing_done(timeout: float = 8.0) -> None:
    """Wait for the close a signal started, so nothing is left for asyncio to cancel on the way out."""
    pending = [task for task in _CLOSING if not task.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout)


async def cmd_sync(settings: Settings) -> int:
    """Register slash commands now, globally or to DEV_GUILD_ID."""
    assert settings.discord_token is not None
    db = await open_database(settings, migrate_now=True)
    bot = build_bot(db, dev_guild_id=settings.dev_guild_id)
    try:
        async with bot:
            # login runs setup_hook, which syncs only on change
            await login_with_retry(bot, settings.discord_token.reveal(), settings.discord_connect_timeout)
            await bot.sync_commands(force=True)
    except (discord.LoginFailure, DiscordUnreachable, discord.HTTPException) as exc:
        return _login_problem(exc)
    finally:
        await bot.close_resources()
    where = f"server {settings.dev_guild_id}" if settings.dev_guild_id else "every server (global)"
    print(f"Registered Haven's slash commands for {where}.")
    return EXIT_OK
