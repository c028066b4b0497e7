"""Pairings: made, answered, activated, left, ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.buddy_states import OPEN, MemberStatus, PairingStatus, Response
from bot.storage.buddies._common import PM, M, P, requeued
from bot.storage.buddies.outbox import OutboxStore
from bot.storage.buddies.rows import (
    Conflict,
    PairingRow,
    PairMember,
)
from bot.storage.schema import (
    buddy_members,
    buddy_pair_members,
    buddy_pairings,
)


class PairingStore(OutboxStore):
    """Pairings: made, answered, activated, left, ended."""

    # --- pairings

    async def recent_pairs(self, guild_id: int, since_round: int) -> list[tuple[int, int]]:
        """Pairs (as user ids) who were put together in rounds since ``since_round``."""
        a, b = buddy_pair_members.alias("a"), buddy_pair_members.alias("b")
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(a.c.user_id, b.c.user_id)
                .join(b, and_(a.c.pairing_id == b.c.pairing_id, a.c.user_id < b.c.user_id))
                .join(buddy_pairings, P.id == a.c.pairing_id)
                .where(P.guild_id == guild_id, P.round_number >= since_round)
            )
            return [(r[0], r[1]) for r in rows]

    async def create_pairing(
        self,
        guild_id: int,
        round_number: int,
        user_ids: Sequence[int],
        seed: int,
        now: datetime,
        respond_by: datetime,
        halfway_at: datetime | None,
    ) -> int | None:
        """Pair waiting members and queue their introductions, in one transaction.

        Returns None when one of them is no longer waiting (someone else paired them first).
        """
        try:
            async with self._db.transaction() as conn:
                taken = await conn.execute(
                    update(buddy_members)
                    .where(
                        M.guild_id == guild_id,
                        M.user_id.in_(list(user_ids)),
                        M.status == MemberStatus.WAITING,
                    )
                    .values(status="paired", priority=False, updated_at=now)
                )
                if taken.rowcount != len(user_ids):
                    raise Conflict()
                pairing_id = (
                    await conn.execute(
                        insert(buddy_pairings)
                        .values(
                            guild_id=guild_id,
                            round_number=round_number,
                            status="pending",
                            seed=seed,
                            created_at=now,
                            respond_by=respond_by,
                            halfway_at=halfway_at,
                        )
                        .returning(P.id)
                    )
                ).scalar_one()
                await conn.execute(
                    insert(buddy_pair_members),
                    [{"pairing_id": pairing_id, "user_id": u, "guild_id": guild_id} for u in user_ids],
                )
                for user_id in user_ids:
                    await self._enqueue(conn, guild_id, user_id, pairing_id, "intro", now)
                return pairing_id
        except Conflict:
            return None

    async def pairing(self, pairing_id: int) -> PairingRow | None:
        """A pairing with its members."""
        async with self._db.read() as conn:
            return await self._pairing(conn, pairing_id)

    async def _pairing(self, conn: AsyncConnection, pairing_id: int) -> PairingRow | None:
        r = (await conn.execute(select(buddy_pairings).where(P.id == pairing_id))).mappings().first()
        if r is None:
            return None
        members = await conn.execute(
            select(PM.user_id, PM.response, PM.talked, PM.left)
            .where(PM.pairing_id == pairing_id)
            .order_by(PM.user_id)
        )
        return PairingRow(
            r["id"],
            r["guild_id"],
            r["round_number"],
            r["status"],
            r["seed"],
            r["thread_id"],
            r["created_at"],
            r["respond_by"],
            r["halfway_at"],
            bool(r["halfway_sent"]),
            tuple(PairMember(m[0], m[1], m[2], bool(m[3])) for m in members),
        )

    async def current_pairing(self, guild_id: int, user_id: int) -> PairingRow | None:
        """The member's open (pending or active) pairing, if any."""
        async with self._db.read() as conn:
            pairing_id = (
                await conn.execute(
                    select(P.id)
                    .join(buddy_pair_members, PM.pairing_id == P.id)
                    .where(
                        P.guild_id == guild_id,
                        P.status.in_(OPEN),
                        PM.user_id == user_id,
                        PM.left.is_(False),
                    )
                    .order_by(P.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            return await self._pairing(conn, pairing_id) if pairing_id is not None else None

    async def respond(self, pairing_id: int, user_id: int, response: str) -> bool:
        """Record a member's answer to an introduction, once."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(buddy_pair_members)
                .where(PM.pairing_id == pairing_id, PM.user_id == user_id, PM.response == Response.PENDING)
                .values(response=response)
            )
            return result.rowcount == 1

    async def close_pairing(
        self,
        pairing_id: int,
        from_statuses: Sequence[str],
        status: str,
        now: datetime,
        requeue: dict[int, dict[str, Any]],
        notices: Sequence[tuple[int, str]],
    ) -> bool:
        """Close a pairing, put its members back as ``requeue`` says, and queue DMs, in one transaction.

        ``requeue`` maps a member to the profile fields to set (status, priority, sit_out_round).
        """
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                update(buddy_pairings)
                .where(P.id == pairing_id, P.status.in_(list(from_statuses)))
                .values(status=status, ended_at=now)
            )
            if moved.rowcount != 1:
                return False
            guild_id = (await conn.execute(select(P.guild_id).where(P.id == pairing_id))).scalar_one()
            for user_id, values in requeue.items():
                await conn.execute(
                    update(buddy_members)
                    .where(M.guild_id == guild_id, M.user_id == user_id, M.status == MemberStatus.PAIRED)
                    .values(updated_at=now, **requeued(values, now))
                )
            for user_id, kind in notices:
                await self._enqueue(conn, guild_id, user_id, pairing_id, kind, now)
            return True

    async def activate(self, pairing_id: int, now: datetime, halfway_at: datetime) -> bool:
        """Everyone said yes: the pairing is active; queue "You're buddies!" for each."""
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                update(buddy_pairings)
                .where(P.id == pairing_id, P.status == PairingStatus.PENDING)
                .values(status=PairingStatus.ACTIVE, halfway_at=halfway_at)
            )
            if moved.rowcount != 1:
                return False
            pairing = await self._pairing(conn, pairing_id)
            assert pairing is not None
            for m in pairing.present:
                await self._enqueue(conn, pairing.guild_id, m.user_id, pairing_id, "active", now)
            return True

    async def leave_pairing(
        self, pairing_id: int, user_id: int, now: datetime, member_values: dict[str, Any] | None
    ) -> PairingRow | None:
        """Take one member out of a pairing. Returns the pairing as it was before, or None if they weren't in it."""
        async with self._db.transaction() as conn:
            before = await self._pairing(conn, pairing_id)
            result = await conn.execute(
                update(buddy_pair_members)
                .where(PM.pairing_id == pairing_id, PM.user_id == user_id, PM.left.is_(False))
                .values(left=True)
            )
            if result.rowcount != 1 or before is None:
                return None
            if member_values is not None:
                await conn.execute(
                    update(buddy_members)
                    .where(M.guild_id == before.guild_id, M.user_id == user_id)
                    .values(updated_at=now, **requeued(member_values, now))
                )
            return before

    async def expired(self, now: datetime) -> list[int]:
        """Pending pairings whose answer window has closed."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(P.id).where(P.status == PairingStatus.PENDING, P.respond_by <= now)
            )
            return [r[0] for r in rows]

    async def halfway_due(self, now: datetime) -> list[int]:
        """Active pairings due the halfway question; marks them asked and queues the DMs."""
        due: list[int] = []
        async with self._db.transaction() as conn:
            ids = [
                r[0]
                for r in await conn.execute(
                    select(P.id).where(
                        P.status == PairingStatus.ACTIVE, P.halfway_sent.is_(False), P.halfway_at <= now
                    )
                )
            ]
            for pairing_id in ids:
                moved = await conn.execute(
                    update(buddy_pairings)
                    .where(P.id == pairing_id, P.halfway_sent.is_(False))
                    .values(halfway_sent=True)
                )
                if moved.rowcount != 1:
                    continue
                pairing = await self._pairing(conn, pairing_id)
                assert pairing is not None
                for m in pairing.present:
                    await self._enqueue(conn, pairing.guild_id, m.user_id, pairing_id, "halfway", now)
                due.append(pairing_id)
        return due

    async def set_talked(self, pairing_id: int, user_id: int, answer: str) -> bool:
        """Record the answer to "did you two get a chance to talk?"."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(buddy_pair_members)
                .where(PM.pairing_id == pairing_id, PM.user_id == user_id)
                .values(talked=answer)
            )
            return result.rowcount == 1

    async def set_thread(self, pairing_id: int, thread_id: int) -> None:
        """Remember the private thread used for a pairing whose DMs were closed."""
        async with self._db.transaction() as conn:
            await conn.execute(update(buddy_pairings).where(P.id == pairing_id).values(thread_id=thread_id))

    async def open_pairings_of(self, guild_id: int, user_id: int) -> list[int]:
        """Ids of the member's open pairings."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(P.id)
                .join(buddy_pair_members, PM.pairing_id == P.id)
                .where(P.guild_id == guild_id, P.status.in_(OPEN), PM.user_id == user_id, PM.left.is_(False))
            )
            return [r[0] for r in rows]
