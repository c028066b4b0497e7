"""Stopping background loops without cutting a database call in half (what logged a traceback at shutdown)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from discord.ext import tasks

STOP_GRACE_SECONDS = 5.0


async def stop_loop(
    loop: tasks.Loop[Any], grace: float = STOP_GRACE_SECONDS, *, started: bool = True
) -> None:
    """Stop a ``tasks`` loop: cancelled at once while it sleeps or (``started`` False) still waits for the gateway to
    be ready before its first iteration; else its iteration in progress finishes first."""
    task = loop.get_task()
    if task is None or task.done():
        return
    handle = getattr(loop, "_handle", None)  # discord.py's sleep between iterations
    if not started or (handle is not None and not handle.done()):
        loop.cancel()
    else:
        loop.stop()
        await asyncio.wait({task}, timeout=grace)
        if not task.done():
            loop.cancel()
    await asyncio.wait({task}, timeout=1.0)


async def finish_tasks(work: Iterable[asyncio.Task[Any]], grace: float = STOP_GRACE_SECONDS) -> None:
    """Let tasks in progress finish for up to ``grace`` seconds, then cancel and wait briefly for the rest."""
    pending = {t for t in work if not t.done()}
    if not pending:
        return
    _, late = await asyncio.wait(pending, timeout=grace)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late, timeout=1.0)
