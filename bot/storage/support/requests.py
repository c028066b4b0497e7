"""Support settings, listeners and requests (the queue, claiming, endings, reveals, counts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update

from bot.domain.support import (
    CARD,
    DEFAULT_TOPICS,
    REPING,
    REVEALED,
    RequestStatus,
    SupportRequest,
    SupportSettings,
    parse_topics,
)
from bot.storage._upsert import upsert
from bot.storage.delivery import enqueue
from bot.storage.schema import support_feedback, support_listeners, support_requests, support_settings
from bot.storage.support._rows import SETTING_COLUMNS, R, RepositoryBase, request_of


class RequestStore(RepositoryBase):
    """Settings, listeners and requests."""

    # --- settings and listeners

    async def settings(self, guild_id: int) -> SupportSettings:
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(support_settings).where(support_settings.c.guild_id == guild_id))
            ).first()
        if row is None:
            return SupportSettings(guild_id)
        topics = parse_topics(row.topics) if row.topics else DEFAULT_TOPICS
        return SupportSettings(guild_id, topics=topics, **{k: getattr(row, k) for k in SETTING_COLUMNS})

    async def save_settings(self, settings: SupportSettings, now: datetime) -> None:
        values = {k: getattr(settings, k) for k in SETTING_COLUMNS}
        values["topics"] = ", ".join(settings.topics)
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                support_settings,
                {"guild_id": settings.guild_id, "updated_at": now, **values},
                ("guild_id",),
            )

    async def set_listener(self, guild_id: int, user_id: int, values: dict[str, Any], now: datetime) -> None:
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                support_listeners,
                {"guild_id": guild_id, "user_id": user_id, "updated_at": now, **values},
                ("guild_id", "user_id"),
            )

    async def listeners(self, guild_id: int) -> list[Any]:
        """Every listener row of a server (available or away)."""
        async with self._db.read() as conn:
            query = select(support_listeners).where(support_listeners.c.guild_id == guild_id)
            return list(await conn.execute(query))

    # --- requests

    async def requests_since(self, guild_id: int, member_id: int, since: datetime) -> int:
        async with self._db.read() as conn:
            query = select(func.count()).where(
                R.guild_id == guild_id, R.member_id == member_id, R.created_at >= since
            )
            return int((await conn.execute(query)).scalar_one())

    async def open_for_member(self, member_id: int) -> SupportRequest | None:
        """The member's open request in any server (a member has at most one at a time)."""
        async with self._db.read() as conn:
            query = (
                select(support_requests)
                .where(R.member_id == member_id, R.status.in_(("waiting", "claimed")))
                .order_by(R.id.desc())
            )
            row = (await conn.execute(query)).first()
        return request_of(row) if row is not None else None

    async def by_thread(self, thread_id: int) -> SupportRequest | None:
        """The request a thread belongs to (the listener's thread, or the member's fallback thread)."""
        async with self._db.read() as conn:
            query = (
                select(support_requests)
                .where(or_(R.thread_id == thread_id, R.fallback_thread_id == thread_id))
                .order_by(R.id.desc())
            )
            row = (await conn.execute(query)).first()
        return request_of(row) if row is not None else None

    async def request(self, request_id: int) -> SupportRequest | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(support_requests).where(R.id == request_id))).first()
        return request_of(row) if row is not None else None

    async def waiting(self, guild_id: int) -> list[SupportRequest]:
        async with self._db.read() as conn:
            query = (
                select(support_requests).where(R.guild_id == guild_id, R.status == "waiting").order_by(R.id)
            )
            return [request_of(row) for row in await conn.execute(query)]

    async def insert_request(self, values: dict[str, Any], alias_of: Callable[[int], int]) -> int:
        """Store a request and queue its card (one transaction). ``alias_of(id)`` gives its alias."""
        now = values["created_at"]
        async with self._db.transaction() as conn:
            request_id = (
                await conn.execute(insert(support_requests).values(alias=0, **values).returning(R.id))
            ).scalar_one()
            await conn.execute(
                update(support_requests).where(R.id == request_id).values(alias=alias_of(request_id))
            )
            await enqueue(conn, CARD, request_id, now, now)
            return int(request_id)

    async def set_fields(self, request_id: int, **values: Any) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(update(support_requests).where(R.id == request_id).values(**values))

    async def card_sent(
        self, request_id: int, message_id: int, reping_at: datetime | None, now: datetime
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                update(support_requests).where(R.id == request_id).values(card_message_id=message_id)
            )
            if reping_at is not None:
                await enqueue(conn, REPING, request_id, reping_at, now)

    async def record_ping(self, request_id: int, pings: int, next_at: datetime | None, now: datetime) -> bool:
        """Count one re-ping exactly once (and queue the next one)."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(R.id == request_id, R.pings == pings, R.status == "waiting")
                .values(pings=pings + 1)
            )
            if not result.rowcount:
                return False
            if next_at is not None:
                await enqueue(conn, REPING, request_id, next_at, now)
            return True

    async def claim(self, request_id: int, guild_id: int, listener_id: int, now: datetime) -> bool:
        """One conditional UPDATE: of any number of listeners pressing at once, exactly one wins."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(R.id == request_id, R.guild_id == guild_id, R.status == "waiting")
                .values(status="claimed", listener_user_id=listener_id, claimed_at=now)
            )
            return bool(result.rowcount)

    async def release(self, request_id: int, listener_id: int, now: datetime) -> bool:
        """The member asked for someone else (or the listener left): back to waiting, a fresh card queued."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(R.id == request_id, R.status == "claimed", R.listener_user_id == listener_id)
                .values(
                    status="waiting",
                    listener_user_id=None,
                    thread_id=None,
                    claimed_at=None,
                    card_message_id=None,
                    pings=0,
                    created_at=now,
                )
            )
            if not result.rowcount:
                return False
            await enqueue(conn, CARD, request_id, now, now)
            return True

    async def claimed_by(self, guild_id: int, listener_id: int) -> list[SupportRequest]:
        """The conversations a listener is in, in one server."""
        async with self._db.read() as conn:
            query = select(support_requests).where(
                R.guild_id == guild_id, R.listener_user_id == listener_id, R.status == "claimed"
            )
            return [request_of(row) for row in await conn.execute(query)]

    async def end(self, request_id: int, status: RequestStatus, now: datetime) -> bool:
        """End an open request (only once)."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(R.id == request_id, R.status.in_(("waiting", "claimed")))
                .values(status=status.value, ended_at=now)
            )
            return bool(result.rowcount)

    async def anonymous_during(
        self, guild_id: int, member_id: int, start: datetime, end: datetime
    ) -> SupportRequest | None:
        """The member's anonymous conversation in this server that overlaps ``start``..``end``, if any."""
        query = (
            select(support_requests)
            .where(
                R.guild_id == guild_id,
                R.member_id == member_id,
                R.anonymous.is_(True),
                R.claimed_at.is_not(None),
                R.claimed_at <= end,
                or_(R.ended_at.is_(None), R.ended_at >= start),
            )
            .order_by(R.id.desc())
            .limit(1)
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return request_of(row) if row is not None else None

    async def set_fallback_thread(self, request_id: int, thread_id: int) -> bool:
        """The member's private thread (their DMs are closed); False if another was set first."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(R.id == request_id, R.fallback_thread_id.is_(None))
                .values(fallback_thread_id=thread_id)
            )
            return bool(result.rowcount)

    async def reveal_identity(self, request_id: int, moderator_id: int, now: datetime) -> bool:
        """Record who revealed the member and when (only once), and queue the listener's notice."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(R.id == request_id, R.identity_revealed_by.is_(None))
                .values(identity_revealed_by=moderator_id, identity_revealed_at=now)
            )
            if not result.rowcount:
                return False
            await enqueue(conn, REVEALED, request_id, now, now)
            return True

    async def give_feedback(self, request_id: int, member_id: int, helped: bool) -> bool:
        """Count one "Did this help?" answer per request; the answer itself is not kept with the request."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(support_requests)
                .where(R.id == request_id, R.member_id == member_id, R.feedback_given.is_(False))
                .values(feedback_given=True)
            )
            if not result.rowcount:
                return False
            guild_id = (await conn.execute(select(R.guild_id).where(R.id == request_id))).scalar_one()
            column = "helped" if helped else "not_helped"
            exists = (
                await conn.execute(
                    select(support_feedback.c.guild_id).where(support_feedback.c.guild_id == guild_id)
                )
            ).first()
            if exists is None:
                await conn.execute(insert(support_feedback).values(guild_id=guild_id, helped=0, not_helped=0))
            await conn.execute(
                update(support_feedback)
                .where(support_feedback.c.guild_id == guild_id)
                .values({column: support_feedback.c[column] + 1})
            )
            return True

    async def counts(self, guild_id: int, since: datetime) -> tuple[list[Any], tuple[int, int]]:
        """(created_at, claimed_at, status) of the server's requests since ``since``, and the feedback counts."""
        async with self._db.read() as conn:
            rows = list(
                await conn.execute(
                    select(R.created_at, R.claimed_at, R.status).where(
                        R.guild_id == guild_id, R.created_at >= since
                    )
                )
            )
            feedback = (
                await conn.execute(
                    select(support_feedback.c.helped, support_feedback.c.not_helped).where(
                        support_feedback.c.guild_id == guild_id
                    )
                )
            ).first()
        return rows, (feedback.helped, feedback.not_helped) if feedback is not None else (0, 0)
