"""Detection never holds the event loop: long messages and a server's detector build run in a worker thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from bot.domain.crisis import Detector, Severity
from bot.services.crisis import THREAD_TEXT, CrisisService, MessageToScan, ScanOutcome, load_lexicon
from bot.services.crisis import service as crisis_module
from bot.storage.crisis import CrisisRepository
from bot.storage.engine import Database
from tests.conftest import FakeClock

LEXICON = load_lexicon()
FILLER = "We went to the lake on Saturday and the weather was lovely, then had pizza and watched a film. "


@pytest.fixture
def crisis(database: Database, clock: FakeClock) -> CrisisService:
    return CrisisService(LEXICON, CrisisRepository(database), clock)


async def test_a_long_message_is_analysed_off_the_event_loop(
    crisis: CrisisService, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    detect = Detector.detect

    def recording(self: Detector, text: str) -> Any:
        threads.append(threading.get_ident())
        return detect(self, text)

    monkeypatch.setattr(Detector, "detect", recording)
    long_text = FILLER * 30 + "I want to kill myself tonight."
    assert len(long_text) > THREAD_TEXT

    result = await crisis.scan(MessageToScan(1, 7, 50, 1, long_text), alerts_configured=True)
    short = await crisis.scan(MessageToScan(1, 8, 50, 2, "good morning everyone"), alerts_configured=True)

    assert result.outcome is ScanOutcome.NEW
    assert short.outcome is ScanOutcome.NOTHING
    assert threads[0] != threading.get_ident()  # the long one, in a worker thread
    assert threads[1] == threading.get_ident()  # a short one costs microseconds: no thread needed


async def test_a_servers_detector_is_built_off_the_event_loop(
    crisis: CrisisService, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []

    class Recording(Detector):
        def __init__(self, *args: Any) -> None:
            threads.append(threading.get_ident())
            super().__init__(*args)

    await crisis.add_phrase(1, "yeet myself", Severity.HIGH, by=9)
    monkeypatch.setattr(crisis_module, "Detector", Recording)

    detection = await crisis.test(1, "gonna yeet myself")

    assert detection.alert
    assert threads and threads[0] != threading.get_ident()


async def test_a_phrase_added_during_a_build_is_never_lost(
    crisis: CrisisService, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    started = threading.Event()

    class Slow(Detector):
        def __init__(self, *args: Any) -> None:
            started.set()
            release.wait(5)
            super().__init__(*args)

    await crisis.add_phrase(1, "yeet myself", Severity.HIGH, by=9)
    monkeypatch.setattr(crisis_module, "Detector", Slow)
    building = asyncio.create_task(crisis.detector_for(1))
    await asyncio.to_thread(started.wait, 5)
    await crisis.add_phrase(1, "bridgeday", Severity.MODERATE, by=9)  # while the old build is running
    release.set()
    await building

    assert (await crisis.test(1, "tomorrow is my bridgeday")).alert
