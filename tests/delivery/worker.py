"""One delivery worker for the two-process tests: ``python -m tests.delivery.worker URL INSTANCE LOG [HANG_AFTER]``.

It runs a real DeliveryEngine against the shared database. Its handler plays Discord with ``enforce_nonce``: a send
appends ``nonce ref`` to LOG (one file both processes share, like a channel), and an attempt that may have reached
"Discord" before looks for its nonce there first. Each send then takes a moment before it is marked, so a kill lands
mid-delivery; with HANG_AFTER, the send after that many hangs once written (a kill then lands mid-delivery for
sure). SIGTERM stops it the way Haven stops (no new work, leases given back, exit 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from bot.clock import system_clock
from bot.delivery import DeliveryEngine
from bot.domain.delivery import DeliveryItem, Outcome
from bot.storage.delivery import DeliveryRepository
from bot.storage.engine import Database

KIND = "test.send"


def _sent(log: Path) -> set[str]:
    return {line.split()[0] for line in log.read_text().splitlines() if line} if log.exists() else set()


async def main(url: str, instance: str, log: Path, hang_after: int = 0) -> int:
    db = await Database.open(url, connect_timeout=5)
    engine = DeliveryEngine(DeliveryRepository(db), system_clock, instance_id=instance)
    sends = 0

    async def send(item: DeliveryItem) -> Outcome:
        if item.recovering and item.nonce in _sent(log):
            return Outcome.DONE  # Discord refuses the repeat; the earlier attempt got through
        nonlocal sends
        with log.open("a") as out:  # one short append: atomic between processes
            out.write(f"{item.nonce} {item.ref} {os.getpid()}\n")
        sends += 1
        if sends == hang_after:
            await asyncio.sleep(3600)  # "Discord" took it; the answer never comes back before the kill
        await asyncio.sleep(0.02)  # the answer is on its way back when a kill can land
        return Outcome.DONE

    engine.register(KIND, send)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await engine.start()
    print("ready", flush=True)
    while not stopping.is_set():
        await engine.tick()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), 0.05)
    await engine.stop()
    await db.close()
    return 0


if __name__ == "__main__":
    hang = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), hang)))
