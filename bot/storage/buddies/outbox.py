"""Queued buddy DMs: each written with the delivery item that sends it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.buddy_states import DM, OutboxState
from bot.storage.buddies._common import SENDABLE, O, Store
from bot.storage.buddies.rows import (
    OutboxRow,
    outbox_row,
)
from bot.storage.delivery import enqueue as enqueue_delivery
from bot.storage.schema import (
    buddy_outbox,
)


class OutboxStore(Store):
    """Queued buddy DMs: each written with the delivery item that sends it."""

    # --- the outbox

    async def _enqueue(
        self,
        conn: AsyncConnection,
        guild_id: int,
        user_id: int,
        pairing_id: int | None,
        kind: str,
        now: datetime,
        about_id: int | None = None,
    ) -> None:
        """Queue one DM and the delivery item that sends it (inside the caller's transaction)."""
        message_id = (
            await conn.execute(
                insert(buddy_outbox)
                .values(
                    guild_id=guild_id,
                    user_id=user_id,
                    pairing_id=pairing_id,
                    about_id=about_id,
                    kind=kind,
                    state=OutboxState.PENDING.value,
                    next_attempt_at=now,
                    created_at=now,
                )
                .returning(O.id)
            )
        ).scalar_one()
        await enqueue_delivery(conn, DM, message_id, now, now)

    async def enqueue(
        self, guild_id: int, user_id: int, pairing_id: int | None, kind: str, now: datetime
    ) -> None:
        """Queue one DM."""
        async with self._db.transaction() as conn:
            await self._enqueue(conn, guild_id, user_id, pairing_id, kind, now)

    async def due_messages(self, limit: int) -> list[OutboxRow]:
        """DMs not sent yet, oldest first (the delivery engine sends each one; this is for tests and diagnosis)."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(buddy_outbox).where(O.state.in_(SENDABLE)).order_by(O.id).limit(limit)
            )
            return [outbox_row(r) for r in rows.mappings()]

    async def message(self, message_id: int) -> OutboxRow | None:
        """One DM still to send (None once it is sent, undeliverable or cancelled)."""
        async with self._db.read() as conn:
            row = (
                (await conn.execute(select(buddy_outbox).where(O.id == message_id, O.state.in_(SENDABLE))))
                .mappings()
                .first()
            )
            return None if row is None else outbox_row(row)

    async def message_done(self, message_id: int, state: str) -> None:
        """A DM was sent (or can't be)."""
        async with self._db.transaction() as conn:
            await conn.execute(update(buddy_outbox).where(O.id == message_id).values(state=state))
