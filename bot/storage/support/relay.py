"""Relayed messages, peer flags, check-ons and blocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.support import CHECKON, RELAY, RelayMessage
from bot.storage.delivery import enqueue
from bot.storage.schema import (
    support_blocks,
    support_checkons,
    support_flags,
    support_messages,
    support_requests,
)
from bot.storage.support._rows import F, M, R, RepositoryBase


class RelayStore(RepositoryBase):
    """The relay, flags, check-ons and blocks."""

    # --- the relay

    async def add_message(
        self, request_id: int, from_member: bool, source_id: int, text: str, images: int, now: datetime
    ) -> int | None:
        """Keep one message to relay and queue it (one transaction). None if it was already taken (a replay)."""
        try:
            async with self._db.transaction() as conn:
                message_id = (
                    await conn.execute(
                        insert(support_messages)
                        .values(
                            request_id=request_id,
                            from_member=from_member,
                            source_id=source_id,
                            text=text,
                            images=images,
                            state="pending",
                            created_at=now,
                        )
                        .returning(M.id)
                    )
                ).scalar_one()
                await enqueue(conn, RELAY, message_id, now, now)
                return int(message_id)
        except IntegrityError:
            return None

    async def message(self, message_id: int) -> RelayMessage | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(support_messages).where(M.id == message_id))).first()
        if row is None:
            return None
        return RelayMessage(
            row.id, row.request_id, row.from_member, row.text, row.images, row.parts_sent, row.state
        )

    async def part_sent(self, message_id: int, parts: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(update(support_messages).where(M.id == message_id).values(parts_sent=parts))

    async def finish_message(self, message_id: int, state: str, keep_text: bool, now: datetime) -> None:
        values: dict[str, Any] = {
            "state": state,
            "sent_at": now,
            "parts_sent": M.parts_sent + int(state == "sent"),
        }
        if not keep_text:
            values["text"] = None
        async with self._db.transaction() as conn:
            await conn.execute(update(support_messages).where(M.id == message_id).values(**values))

    async def purge_text(self, guild_id: int, before: datetime) -> int:
        """Wipe relayed text older than the server's retention period."""
        mine = select(R.id).where(R.guild_id == guild_id).scalar_subquery()
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_messages)
                .where(
                    M.request_id.in_(mine), M.created_at < before, M.text.is_not(None), M.state != "pending"
                )
                .values(text=None)
            )
            return result.rowcount or 0

    async def purge_first_messages(self, guild_id: int, before: datetime) -> int:
        """Clear the first message of requests that ended before ``before``."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(
                    R.guild_id == guild_id,
                    R.status.in_(("ended", "cancelled")),
                    R.ended_at < before,
                    R.first_message.is_not(None),
                )
                .values(first_message=None)
            )
            return result.rowcount or 0

    async def guilds_with_text(self) -> list[int]:
        firsts = select(R.guild_id).where(R.first_message.is_not(None)).distinct()
        async with self._db.read() as conn:
            found = {int(row[0]) for row in await conn.execute(firsts)}
        return sorted(found | set(await self._guilds_with_relayed_text()))

    async def _guilds_with_relayed_text(self) -> list[int]:
        query = (
            select(R.guild_id)
            .join(support_messages, M.request_id == R.id)
            .where(M.text.is_not(None))
            .distinct()
        )
        async with self._db.read() as conn:
            return [int(row[0]) for row in await conn.execute(query)]

    # --- flags, check-ons, blocks

    async def flags_since(self, guild_id: int, reporter_id: int, since: datetime, *, bad_faith: bool) -> int:
        conditions = [F.guild_id == guild_id, F.reporter_id == reporter_id, F.created_at >= since]
        if bad_faith:
            conditions.append(F.bad_faith.is_(True))
        async with self._db.read() as conn:
            return int((await conn.execute(select(func.count()).where(*conditions))).scalar_one())

    async def insert_flag(self, values: dict[str, Any]) -> int:
        async with self._db.transaction() as conn:
            return int(
                (await conn.execute(insert(support_flags).values(**values).returning(F.id))).scalar_one()
            )

    async def set_flag_alert(self, flag_id: int, alert_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(update(support_flags).where(F.id == flag_id).values(alert_id=alert_id))

    async def mark_bad_faith(self, flag_id: int, guild_id: int, moderator_id: int) -> bool:
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_flags)
                .where(F.id == flag_id, F.guild_id == guild_id, F.bad_faith.is_(False))
                .values(bad_faith=True, marked_by=moderator_id)
            )
            return bool(result.rowcount)

    async def checkons_since(self, guild_id: int, member_id: int, since: datetime) -> int:
        c = support_checkons.c
        async with self._db.read() as conn:
            query = select(func.count()).where(
                c.guild_id == guild_id, c.member_id == member_id, c.created_at >= since
            )
            return int((await conn.execute(query)).scalar_one())

    async def insert_checkon(self, guild_id: int, member_id: int, moderator_id: int, now: datetime) -> int:
        """Record a check-on and queue its DM (one transaction)."""
        c = support_checkons.c
        async with self._db.transaction() as conn:
            checkon_id = (
                await conn.execute(
                    insert(support_checkons)
                    .values(
                        guild_id=guild_id,
                        member_id=member_id,
                        sent_by=moderator_id,
                        state="pending",
                        created_at=now,
                    )
                    .returning(c.id)
                )
            ).scalar_one()
            await enqueue(conn, CHECKON, checkon_id, now, now)
            return int(checkon_id)

    async def checkon(self, checkon_id: int) -> Any:
        async with self._db.read() as conn:
            return (
                await conn.execute(select(support_checkons).where(support_checkons.c.id == checkon_id))
            ).first()

    async def finish_checkon(self, checkon_id: int, state: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                update(support_checkons)
                .where(support_checkons.c.id == checkon_id)
                .values(state=state, sent_at=now)
            )

    async def block(self, guild_id: int, user_id: int, blocked_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                delete(support_blocks).where(
                    support_blocks.c.guild_id == guild_id,
                    support_blocks.c.user_id == user_id,
                    support_blocks.c.blocked_id == blocked_id,
                )
            )
            await conn.execute(
                insert(support_blocks).values(
                    guild_id=guild_id, user_id=user_id, blocked_id=blocked_id, created_at=now
                )
            )

    async def blocked_pairs(self, guild_id: int, user_id: int) -> set[int]:
        """Everyone ``user_id`` blocked or was blocked by, in one server."""
        b = support_blocks.c
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(b.user_id, b.blocked_id).where(
                    b.guild_id == guild_id, or_(b.user_id == user_id, b.blocked_id == user_id)
                )
            )
            return {row.blocked_id if row.user_id == user_id else row.user_id for row in rows}
