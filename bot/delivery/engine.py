"""The delivery engine: lease due work items, run the handler registered for their kind, mark them, retry.

Pure of discord: features register a handler per kind (the Discord side lives in their cogs). One loop
(bot/cogs/delivery.py) calls ``tick``; tests call ``tick`` themselves. Every send is leased first (short leases, renewed while the
send is in progress), so two workers, or the immediate path and the loop, never send the same item.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.delivery.instance import pid_alive, this_host
from bot.domain.delivery import HEARTBEAT_SECONDS, RENEW_SECONDS, DeliveryItem, Outcome, backoff
from bot.storage.delivery import DeliveryRepository

log = logging.getLogger(__name__)

Handler = Callable[[DeliveryItem], Awaitable[Outcome]]
Periodic = Callable[[], Awaitable[object]]
BATCH = 25
STOP_GRACE_SECONDS = 5.0


@dataclass
class _Upkeep:
    """One upkeep task the loop runs at most once per ``seconds`` (``last``: when it last ran, monotonic)."""

    seconds: float
    function: Periodic
    last: float = float("-inf")

    @property
    def name(self) -> str:
        """How health pages and tests name it: the function's qualified name."""
        return getattr(self.function, "__qualname__", repr(self.function))


@dataclass
class _Renewal:
    """One send's lease renewer: whether the send has finished, and whether a renewal write is under way."""

    finished: bool = False
    writing: bool = False


class DeliveryEngine:
    """Runs work items through their handlers, each under a lease this process holds."""

    def __init__(self, repo: DeliveryRepository, clock: Clock, *, instance_id: str) -> None:
        self._repo = repo
        self._clock = clock
        self.instance_id = instance_id
        self._handlers: dict[str, Handler] = {}
        self._periodic: list[_Upkeep] = []
        self._busy = 0
        self._renewals: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._accepting = True
        self._started = False
        self._last_heartbeat: datetime | None = None

    # --- set-up

    def register(self, kind: str, handler: Handler) -> None:
        """The handler that sends items of ``kind`` (a feature registers its own at load)."""
        self._handlers[kind] = handler

    def every(self, seconds: float, function: Periodic) -> None:
        """Run ``function`` from the loop at most once per ``seconds`` (purges and other upkeep)."""
        self._periodic.append(_Upkeep(float(seconds), function))

    def upkeep_periods(self) -> dict[str, float]:
        """Each upkeep function registered with ``every`` and its period in seconds (for health pages and tests)."""
        return {task.name: task.seconds for task in self._periodic}

    def make_due(self, names: Iterable[str]) -> None:
        """Let the named upkeep tasks (as ``upkeep_periods`` names them) run at the loop's next pass, whenever they
        last ran: for tests, which would otherwise wait out each period in simulated time, loop pass by loop pass."""
        wanted = set(names)
        for task in self._periodic:
            if task.name in wanted:
                task.last = float("-inf")

    async def start(self) -> int:
        """Record this process and take back at once the leases its own previous run held. Returns how many."""
        host, pid = this_host(), os.getpid()
        previous = await self._repo.instance(self.instance_id)
        if previous is not None and previous[0] == host and previous[1] != pid and pid_alive(previous[1]):
            # Another live Haven on this host uses the same id: keep ours apart; its leases expire on their own.
            self.instance_id = f"{self.instance_id[:50]}-{pid}"
        now = self._clock()
        await self._repo.register(self.instance_id, host, pid, now)
        self._last_heartbeat = now
        taken = await self._repo.release_all(self.instance_id, now)
        if taken:
            log.info("Took back %d delivery lease(s) held before the restart", taken)
        self._started = True
        self._accepting = True
        return taken

    # --- running work

    async def tick(self, now: datetime | None = None) -> int:
        """Lease every due item (up to a batch), send them, and run due upkeep. Returns how many items ran."""
        if not self._accepting:
            return 0
        if not self._started:
            await self.start()
        now = now or self._clock()
        self._enter()  # upkeep counts as work in progress too: a stop waits for it before the database closes
        try:
            await self._heartbeat(now)
            await self._run_periodic()
            if not self._accepting:
                return 0
            items = await self._repo.claim_due(self.instance_id, now, BATCH)
            for item in items:
                if not self._accepting:
                    break  # stopping: the rest of the batch is given back with this process's leases
                await self._run(item)
        finally:
            self._leave()
        return len(items)

    async def run_now(self, kind: str, ref: int) -> bool:
        """The immediate path: lease the pending item of ``kind`` about ``ref`` and send it. False if not ours."""
        if not self._accepting:
            return False  # stopping: the item stays for the next start
        item_id = await self._repo.pending_id(kind, ref)
        if item_id is None:
            return False
        self._enter()
        try:
            item = await self._repo.claim(item_id, self.instance_id, self._clock())
            if item is None:
                return False  # the loop (or another process) holds it
            await self._run(item)
        finally:
            self._leave()
        return True

    def _enter(self) -> None:
        self._busy += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()

    async def _run(self, item: DeliveryItem) -> None:
        handler = self._handlers.get(item.kind)
        lease = _Renewal()
        renewing = asyncio.ensure_future(self._renew(item, lease))
        self._renewals.add(renewing)
        renewing.add_done_callback(self._renewals.discard)
        outcome = Outcome.RETRY
        try:
            if handler is None:
                log.warning("No handler for delivery item kind %s yet; will retry", item.kind)
            else:
                outcome = await handler(item)
        except Exception:
            log.exception("Delivery item #%d (%s) failed; will retry", item.id, item.kind)
        finally:
            lease.finished = True
            if not lease.writing:
                renewing.cancel()  # asleep between renewals: stop now (a renewal write is never cut off)
        now = self._clock()
        if outcome is Outcome.DONE:
            await self._repo.finish(item.id, self.instance_id, now)
        else:
            await self._repo.retry_at(item.id, self.instance_id, now + backoff(item.attempts), now)

    async def _renew(self, item: DeliveryItem, lease: _Renewal) -> None:
        """Keep the lease while the send is in progress (a renewal write is never cut off half-way)."""
        while not lease.finished:  # checked again after each write: a send that ended during it ends this too
            await asyncio.sleep(RENEW_SECONDS)
            if lease.finished:
                return
            lease.writing = True
            try:
                if not await self._repo.renew(item.id, self.instance_id, self._clock()):
                    log.warning("Lost the lease on delivery item #%d (%s)", item.id, item.kind)
                    return
            except Exception:
                log.warning("Couldn't renew the lease on delivery item #%d; will try again", item.id)
            finally:
                lease.writing = False

    async def _heartbeat(self, now: datetime) -> None:
        if self._last_heartbeat is None or now - self._last_heartbeat >= timedelta(seconds=HEARTBEAT_SECONDS):
            self._last_heartbeat = now
            await self._repo.heartbeat(self.instance_id, now)

    async def _run_periodic(self) -> None:
        for task in self._periodic:
            if not self._accepting:
                return  # stopping: upkeep waits for the next start
            if time.monotonic() - task.last >= task.seconds:
                task.last = time.monotonic()
                await task.function()

    # --- stopping

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Take no new work, let sends in progress finish for up to ``grace`` seconds, give back every lease."""
        self._accepting = False
        if self._busy:
            try:
                await asyncio.wait_for(self._idle.wait(), grace)
            except TimeoutError:
                log.warning(
                    "Delivery sends still in progress after %.0f s; their leases are given back", grace
                )
        if self._started:
            try:
                released = await self._repo.release_all(self.instance_id, self._clock())
            except Exception:
                log.warning("Couldn't give back the delivery leases; they expire on their own")
            else:
                if released:
                    log.info("Gave back %d delivery lease(s)", released)
        self._started = False
