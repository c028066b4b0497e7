"""Buddy settings and rounds, members and blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.buddy_states import MemberStatus, OutboxState, PairingStatus
from bot.storage._upsert import upsert
from bot.storage.buddies._common import BS, PM, SENDABLE, B, M, O, P
from bot.storage.buddies.outbox import OutboxStore
from bot.storage.buddies.rows import (
    MemberRow,
    SettingsRow,
    member_row,
    split_lines,
)
from bot.storage.schema import (
    buddy_blocks,
    buddy_members,
    buddy_outbox,
    buddy_pairings,
    buddy_settings,
)


class MemberStore(OutboxStore):
    """Buddy settings and rounds, members and blocks."""

    # --- settings

    async def settings(self, guild_id: int) -> SettingsRow | None:
        """A server's stored settings, if any."""
        async with self._db.read() as conn:
            r = (await conn.execute(select(buddy_settings).where(BS.guild_id == guild_id))).mappings().first()
        if r is None:
            return None
        return SettingsRow(
            r["guild_id"],
            split_lines(r["topics"]) if r["topics"] is not None else None,
            r["cadence"],
            r["channel_id"],
            r["listener_role_id"],
            r["odd_rule"],
            r["history_rounds"],
            r["round_number"],
            r["round_started_at"],
            r["next_round_at"],
        )

    async def save_settings(self, guild_id: int, values: dict[str, Any], now: datetime) -> None:
        """Store some of a server's settings."""
        if "topics" in values and values["topics"] is not None:
            values = {**values, "topics": "\n".join(values["topics"])}
        async with self._db.transaction() as conn:
            await upsert(
                conn, buddy_settings, {"guild_id": guild_id, "updated_at": now, **values}, ("guild_id",)
            )

    async def due_rounds(self, now: datetime) -> list[int]:
        """Servers whose next round is due."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(BS.guild_id).where(BS.next_round_at <= now).order_by(BS.next_round_at)
            )
            return [r[0] for r in rows]

    async def begin_round(
        self,
        guild_id: int,
        expected: int,
        started: datetime,
        next_at: datetime | None,
        completes_before: datetime,
    ) -> bool:
        """Move a server to round ``expected + 1``, closing the active pairings made before ``completes_before``
        (a pair made just before the round keeps going). False if already moved."""
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                update(buddy_settings)
                .where(BS.guild_id == guild_id, BS.round_number == expected)
                .values(round_number=expected + 1, round_started_at=started, next_round_at=next_at)
            )
            if moved.rowcount != 1:
                return False
            finishing = and_(
                P.guild_id == guild_id, P.status == PairingStatus.ACTIVE, P.created_at < completes_before
            )
            old = select(P.id).where(finishing).scalar_subquery()
            members = select(PM.user_id).where(PM.pairing_id.in_(old), PM.left.is_(False))
            finished = and_(M.guild_id == guild_id, M.status == MemberStatus.PAIRED, M.user_id.in_(members))
            await conn.execute(  # members who paused meanwhile stay paused until their date
                update(buddy_members)
                .where(finished, M.paused_until.is_not(None), M.paused_until > started)
                .values(status=MemberStatus.PAUSED, updated_at=started)
            )
            await conn.execute(
                update(buddy_members).where(finished).values(status=MemberStatus.WAITING, updated_at=started)
            )
            await conn.execute(
                update(buddy_pairings).where(finishing).values(status="completed", ended_at=started)
            )
            return True

    # --- members

    async def member(self, guild_id: int, user_id: int) -> MemberRow | None:
        """A member's profile."""
        async with self._db.read() as conn:
            r = (
                (
                    await conn.execute(
                        select(buddy_members).where(M.guild_id == guild_id, M.user_id == user_id)
                    )
                )
                .mappings()
                .first()
            )
        return member_row(r) if r is not None else None

    async def save_member(self, values: dict[str, Any], now: datetime) -> None:
        """Create or replace a member's profile (keeping their status if they're paired)."""
        values = {**values, "topics": "\n".join(values["topics"]), "updated_at": now}
        async with self._db.transaction() as conn:
            current = (
                await conn.execute(
                    select(M.status, M.joined_at).where(
                        M.guild_id == values["guild_id"], M.user_id == values["user_id"]
                    )
                )
            ).first()
            if current is None:
                await conn.execute(insert(buddy_members).values(joined_at=now, **values))
            else:
                # Decided in SQL, so a pairing made meanwhile by another process is never undone.
                values["status"] = case((M.status == MemberStatus.PAIRED, "paired"), else_=values["status"])
                await conn.execute(
                    update(buddy_members)
                    .where(M.guild_id == values["guild_id"], M.user_id == values["user_id"])
                    .values(**values)
                )

    async def set_member(self, guild_id: int, user_id: int, now: datetime, **values: Any) -> bool:
        """Change some fields of a member's profile."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(buddy_members)
                .where(M.guild_id == guild_id, M.user_id == user_id)
                .values(updated_at=now, **values)
            )
            return result.rowcount == 1

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        """Remove a member's profile (topics, timezone, intro) and any DM not yet sent to them.
        Pairing history and blocks stay."""
        async with self._db.transaction() as conn:
            await conn.execute(delete(buddy_members).where(M.guild_id == guild_id, M.user_id == user_id))
            await conn.execute(
                update(buddy_outbox)
                .where(O.guild_id == guild_id, O.user_id == user_id, O.state.in_(SENDABLE))
                .values(state=OutboxState.CANCELLED.value)
            )
        await self._db.scrub_deleted()

    async def pause_member(self, guild_id: int, user_id: int, until: datetime, now: datetime) -> bool:
        """No new pairings until ``until``; a member who is waiting stops waiting (decided in SQL, so a pairing
        made at the same moment stays as it is and the pause applies after it)."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(buddy_members)
                .where(M.guild_id == guild_id, M.user_id == user_id)
                .values(
                    paused_until=until,
                    status=case(
                        (M.status == MemberStatus.WAITING, MemberStatus.PAUSED.value), else_=M.status
                    ),
                    updated_at=now,
                )
            )
            return result.rowcount == 1

    async def resume_member(self, guild_id: int, user_id: int, now: datetime) -> None:
        """End a pause now (a paired member stays paired)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(buddy_members)
                .where(M.guild_id == guild_id, M.user_id == user_id)
                .values(
                    paused_until=None,
                    status=case(
                        (M.status == MemberStatus.PAUSED, MemberStatus.WAITING.value), else_=M.status
                    ),
                    updated_at=now,
                )
            )

    async def waiting(self, guild_id: int, round_number: int) -> list[MemberRow]:
        """Members waiting for a partner in this round."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(buddy_members).where(
                    M.guild_id == guild_id,
                    M.status == MemberStatus.WAITING,
                    or_(M.sit_out_round.is_(None), M.sit_out_round != round_number),
                )
            )
            return [member_row(r) for r in rows.mappings()]

    async def members_of(self, guild_id: int, user_ids: Sequence[int]) -> list[MemberRow]:
        """Profiles of some members."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(buddy_members).where(M.guild_id == guild_id, M.user_id.in_(list(user_ids)))
            )
            return [member_row(r) for r in rows.mappings()]

    async def resume_paused(self, now: datetime) -> int:
        """Paused members whose pause has ended wait again."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(buddy_members)
                .where(M.status == MemberStatus.PAUSED, M.paused_until <= now)
                .values(status=MemberStatus.WAITING, paused_until=None, updated_at=now)
            )
            return result.rowcount or 0

    async def take_notice(self, guild_id: int, user_id: int) -> str | None:
        """A private notice waiting for the member's next command (and clear it)."""
        async with self._db.transaction() as conn:
            notice = (
                await conn.execute(select(M.notice).where(M.guild_id == guild_id, M.user_id == user_id))
            ).scalar_one_or_none()
            if notice:
                await conn.execute(
                    update(buddy_members)
                    .where(M.guild_id == guild_id, M.user_id == user_id)
                    .values(notice=None)
                )
            return notice

    # --- blocks

    async def blocks(self, guild_id: int) -> list[tuple[int, int]]:
        """Every block in a server as (who, whom)."""
        async with self._db.read() as conn:
            rows = await conn.execute(select(B.user_id, B.blocked_id).where(B.guild_id == guild_id))
            return [(r[0], r[1]) for r in rows]

    async def add_block(self, guild_id: int, user_id: int, blocked_id: int, now: datetime) -> bool:
        """Block someone. False if already blocked."""
        try:
            async with self._db.transaction() as conn:
                await conn.execute(
                    insert(buddy_blocks).values(
                        guild_id=guild_id, user_id=user_id, blocked_id=blocked_id, created_at=now
                    )
                )
            return True
        except IntegrityError:
            return False

    async def remove_block(self, guild_id: int, user_id: int, blocked_id: int) -> bool:
        """Unblock someone. False if they weren't blocked."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                delete(buddy_blocks).where(
                    B.guild_id == guild_id, B.user_id == user_id, B.blocked_id == blocked_id
                )
            )
            return result.rowcount == 1
