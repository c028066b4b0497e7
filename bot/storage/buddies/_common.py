"""What the buddy repository's parts share: table aliases, the one-at-a-time lock, and the base store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.buddy_states import MemberStatus, OutboxState
from bot.storage.engine import Database
from bot.storage.schema import (
    buddy_blocks,
    buddy_members,
    buddy_outbox,
    buddy_pair_members,
    buddy_pairings,
    buddy_reports,
    buddy_settings,
)

BS = buddy_settings.c
M = buddy_members.c
P = buddy_pairings.c
PM = buddy_pair_members.c
B = buddy_blocks.c
R = buddy_reports.c
O = buddy_outbox.c  # noqa: E741

SENDABLE = (
    OutboxState.PENDING.value,
    "sending",
)  # "sending": a row a version before the delivery engine left


def requeued(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Profile values for a member going back in the queue: a member who paused meanwhile stays paused."""
    if values.get("status") != MemberStatus.WAITING:
        return values
    still_paused = and_(M.paused_until.is_not(None), M.paused_until > now)
    return {
        **values,
        "status": case((still_paused, MemberStatus.PAUSED.value), else_=MemberStatus.WAITING.value),
    }


async def one_at_a_time(conn: AsyncConnection, guild_id: int, user_id: int) -> None:
    """Take one member's requests (reports, worries, nudges) one at a time until the transaction ends.
    SQLite's write transactions already run one at a time; PostgreSQL takes an advisory lock."""
    if conn.dialect.name == "postgresql":
        key = (guild_id * 31 + user_id) % (1 << 62)
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


class Store:
    """The database the parts of the buddy repository read and write."""

    def __init__(self, db: Database) -> None:
        self._db = db
