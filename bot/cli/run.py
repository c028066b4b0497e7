"""``python -m bot run`` and ``sync``: the bot against the real Discord."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import discord

from bot.cli.common import EXIT_CONFIG, EXIT_OK
from bot.config import Settings
from bot.wiring import build_bot, open_database

log = logging.getLogger("bot")


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
