"""The delivery engine's lease renewer: it keeps a long send's lease, and stops the moment the send is done.

A renewer that slept out its period after the send (as it once did) kept every send "in progress" for three more
seconds: harmless for Discord, but it held simulated Discord's settling, and a clean stop, for those seconds.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.delivery import engine as engine_module
from bot.delivery.engine import DeliveryEngine
from bot.domain.delivery import DeliveryItem, ItemState, Outcome

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
PERIOD = 0.02  # the renewal period for these tests (3 s in Haven)


class FakeRepo:
    """Just what ``run_now`` uses: one pending item, and a log of renewals (each may be made slow)."""

    def __init__(self) -> None:
        self.renewals = 0
        self.renewals_finished = 0
        self.renew_gate: asyncio.Event | None = None
        self.renewal_started = asyncio.Event()
        self.finished: list[int] = []

    async def pending_id(self, kind: str, ref: int) -> int | None:
        return 1

    async def claim(self, item_id: int, owner: str, now: datetime) -> DeliveryItem | None:
        return DeliveryItem(1, "test", 7, now, 1, ItemState.LEASED, owner, now, "nonce")

    async def renew(self, item_id: int, owner: str, now: datetime) -> bool:
        self.renewals += 1
        self.renewal_started.set()
        if self.renew_gate is not None:
            await self.renew_gate.wait()
        self.renewals_finished += 1
        return True

    async def finish(self, item_id: int, owner: str, now: datetime) -> None:
        self.finished.append(item_id)

    async def retry_at(self, item_id: int, owner: str, due_at: datetime, now: datetime) -> None:
        raise AssertionError("the send succeeded")


@pytest.fixture
def fast_renewals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "RENEW_SECONDS", PERIOD)


def engine_with(repo: FakeRepo) -> DeliveryEngine:
    return DeliveryEngine(repo, lambda: NOW, instance_id="test")  # type: ignore[arg-type]


@pytest.mark.usefixtures("fast_renewals")
async def test_a_long_send_keeps_its_lease_and_the_renewer_stops_when_it_is_done() -> None:
    repo = FakeRepo()
    engine = engine_with(repo)

    async def slow_send(item: Any) -> Outcome:
        await asyncio.sleep(PERIOD * 3.5)
        return Outcome.DONE

    engine.register("test", slow_send)
    assert await engine.run_now("test", 7)
    assert repo.renewals >= 2  # renewed while the send was in progress
    assert repo.finished == [1]
    await asyncio.sleep(0)  # the cancelled renewer's last turn
    assert all(task.done() for task in engine._renewals)  # nothing left waiting out its period
    renewed = repo.renewals
    await asyncio.sleep(PERIOD * 3)
    assert repo.renewals == renewed  # and no renewal after the send


@pytest.mark.usefixtures("fast_renewals")
async def test_a_renewal_write_under_way_when_the_send_ends_is_never_cut_off() -> None:
    repo = FakeRepo()
    repo.renew_gate = asyncio.Event()
    engine = engine_with(repo)
    renewing = asyncio.Event()

    async def send_until_a_renewal_starts(item: Any) -> Outcome:
        await repo.renewal_started.wait()
        renewing.set()
        return Outcome.DONE

    engine.register("test", send_until_a_renewal_starts)
    assert await engine.run_now("test", 7)
    assert renewing.is_set() and repo.renewals == 1 and repo.renewals_finished == 0
    repo.renew_gate.set()  # the write that was under way completes
    for _ in range(5):
        await asyncio.sleep(0)
    assert repo.renewals_finished == 1
    assert all(task.done() for task in engine._renewals)
    await asyncio.sleep(PERIOD * 3)
    assert repo.renewals == 1  # it ended after that write, without another
