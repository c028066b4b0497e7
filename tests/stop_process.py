"""A real Haven process for the SIGTERM test: ``python -m tests.stop_process DB_URL``.

It builds the real bot (cogs loaded, delivery handlers registered, the engine started), runs the delivery engine
with a send in progress, installs Haven's own stop signals (``bot.cli.run.install_stop_signals``) and waits. The one
thing it lacks is a gateway connection (no Discord without a token; the tests use no network). On SIGTERM it closes
the bot the way ``python -m bot`` does and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime

from bot.cli.run import _CLOSING, install_stop_signals  # pyright: ignore[reportPrivateUsage]
from bot.composition import load_cogs
from bot.domain.delivery import DeliveryItem, Outcome
from bot.storage import migrate
from bot.storage.engine import Database
from bot.wiring import build_bot


async def main(url: str) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    db = await Database.open(url, connect_timeout=5)
    await migrate.upgrade(db)
    bot = build_bot(db)
    await bot._async_setup_hook()  # what discord.py's login does first  # pyright: ignore[reportPrivateUsage]
    engine = bot.services.delivery
    await engine.start()
    await load_cogs(bot)

    async def slow_send(item: DeliveryItem) -> Outcome:
        await asyncio.sleep(1.0)  # a send in progress when SIGTERM comes
        return Outcome.DONE

    engine.register("test.slow", slow_send)
    now = datetime.now(UTC)
    for ref in range(3):
        await engine._repo.add("test.slow", ref, now, now)  # pyright: ignore[reportPrivateUsage]
    stopping = install_stop_signals(bot)

    async def loop() -> None:
        while not stopping.is_set():
            await engine.tick()
            await asyncio.sleep(0.05)

    ticking = asyncio.get_running_loop().create_task(loop())
    await asyncio.sleep(0.2)  # the first send is in progress
    print("ready", flush=True)
    await stopping.wait()
    await asyncio.gather(*_CLOSING)
    await ticking
    return 0 if bot.db.writes_in_flight == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
