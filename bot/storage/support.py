"""Repository for support requests and peer flags: settings, listeners, requests, the relay, flags, check-ons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.support import (
    CARD,
    CHECKON,
    DEFAULT_TOPICS,
    RELAY,
    REPING,
    REVEALED,
    RelayMessage,
    RequestStatus,
    SupportRequest,
    SupportSettings,
    parse_topics,
)
from bot.storage._upsert import upsert
from bot.storage.delivery import enqueue
from bot.storage.engine import Database
from bot.storage.schema import (
    support_blocks,
    support_checkons,
    support_feedback,
    support_flags,
    support_listeners,
    support_messages,
    support_requests,
    support_settings,
)

R = support_requests.c
M = support_messages.c
F = support_flags.c
SETTING_COLUMNS = (
    "listener_role_id",
    "channel_id",
    "reping_seconds",
    "store_text",
    "retention_days",
    "requests_per_day",
)


def _request(row: Any) -> SupportRequest:
    return SupportRequest(
        id=row.id,
        guild_id=row.guild_id,
        member_id=row.member_id,
        anonymous=row.anonymous,
        alias=row.alias,
        topic=row.topic,
        status=RequestStatus(row.status),
        created_at=row.created_at,
        first_message=row.first_message,
        listener_id=row.listener_user_id,
        thread_id=row.thread_id,
        fallback_thread_id=row.fallback_thread_id,
        card_message_id=row.card_message_id,
        pings=row.pings,
        claimed_at=row.claimed_at,
        ended_at=row.ended_at,
        feedback_given=row.feedback_given,
        identity_revealed_by=row.identity_revealed_by,
        identity_revealed_at=row.identity_revealed_at,
        origin_channel_id=row.origin_channel_id,
    )


class SupportRepository:
    """Reads and writes the support tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
        return _request(row) if row is not None else None

    async def by_thread(self, thread_id: int) -> SupportRequest | None:
        """The request a thread belongs to (the listener's thread, or the member's fallback thread)."""
        async with self._db.read() as conn:
            query = (
                select(support_requests)
                .where(or_(R.thread_id == thread_id, R.fallback_thread_id == thread_id))
                .order_by(R.id.desc())
            )
            row = (await conn.execute(query)).first()
        return _request(row) if row is not None else None

    async def request(self, request_id: int) -> SupportRequest | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(support_requests).where(R.id == request_id))).first()
        return _request(row) if row is not None else None

    async def waiting(self, guild_id: int) -> list[SupportRequest]:
        async with self._db.read() as conn:
            query = (
                select(support_requests).where(R.guild_id == guild_id, R.status == "waiting").order_by(R.id)
            )
            return [_request(row) for row in await conn.execute(query)]

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
            return [_request(row) for row in await conn.execute(query)]

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
        return _request(row) if row is not None else None

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
