"""Repository for crisis alerts: the alert outbox, moderators' workflow, pings and reveals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.alerts import (
    CARD,
    EDIT,
    OWNER,
    REPING,
    REPLY,
    Alert,
    CardState,
    ReplyState,
    Status,
)
from bot.domain.crisis import Kind, Severity
from bot.storage.crisis.rules import CrisisRulesRepository
from bot.storage.delivery import enqueue
from bot.storage.engine import Database
from bot.storage.schema import (
    crisis_alerts,
    crisis_reveals,
    delivery_items,
)

ALERT = crisis_alerts.c  # the alert table's columns


class CrisisRepository(CrisisRulesRepository):
    """Reads and writes the crisis tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- alerts (the outbox)

    async def alert(self, alert_id: int) -> Alert | None:
        """One alert by id."""
        return await self._one(ALERT.id == alert_id)

    async def by_message(self, guild_id: int, message_id: int) -> Alert | None:
        """The alert raised for a message in a server, if any."""
        return await self._one(and_(ALERT.guild_id == guild_id, ALERT.message_id == message_id))

    async def active_for_member(self, guild_id: int, member_id: int) -> Alert | None:
        """The member's newest open or claimed alert in a server."""
        return await self._one(
            and_(
                ALERT.guild_id == guild_id,
                ALERT.member_id == member_id,
                ALERT.status.in_([Status.OPEN, Status.CLAIMED]),
            ),
            newest=True,
        )

    async def last_closed_for_member(self, guild_id: int, member_id: int) -> Alert | None:
        """The member's most recently closed alert in a server."""
        return await self._one(
            and_(
                ALERT.guild_id == guild_id,
                ALERT.member_id == member_id,
                ALERT.status.in_([Status.RESOLVED, Status.FALSE_ALARM]),
            ),
            newest=True,
        )

    async def insert_alert(self, values: dict[str, Any]) -> tuple[int, bool]:
        """Store a new ALERT. Returns (id, created); a message already alerted on returns its ALERT."""
        try:
            async with self._db.transaction() as conn:
                result = await conn.execute(insert(crisis_alerts).values(**values).returning(ALERT.id))
                alert_id = result.scalar_one()
                # The work it causes is written in the same transaction: the card, and the member's reply.
                now = values["created_at"]
                await enqueue(conn, CARD, alert_id, now, now)
                if values.get("reply_state") == ReplyState.PENDING.value:
                    await enqueue(conn, REPLY, alert_id, now, now)
                return alert_id, True
        except IntegrityError:
            existing = await self.by_message(values["guild_id"], values["message_id"])
            assert existing is not None
            return existing.id, False

    async def add_hit(
        self,
        alert_id: int,
        excerpt: str | None,
        matched: str,
        severity: Severity,
        now: datetime,
        from_dm: bool = False,
    ) -> None:
        """Fold a further detection into an alert: count it, keep the latest excerpt, mark the card for an edit.

        A hit from a DM marks the alert as from a DM for good, so the DM's words stay hidden until Reveal.
        """
        async with self._db.transaction() as conn:
            current = (await conn.execute(select(ALERT.severity).where(ALERT.id == alert_id))).scalar_one()
            worst = max(Severity.parse(current), severity)
            await conn.execute(
                update(crisis_alerts)
                .where(ALERT.id == alert_id)
                .values(
                    hits=ALERT.hits + 1,
                    excerpt=excerpt,
                    matched=matched,
                    **({"from_dm": True} if from_dm else {}),
                    severity=worst.label,
                    card_dirty=True,
                    updated_at=now,
                )
            )
            await enqueue(conn, EDIT, alert_id, now, now)

    async def due_deliveries(self, now: datetime, limit: int = 50) -> list[Alert]:
        """Alerts whose card must be sent or edited, or whose member reply is pending."""
        condition = or_(
            and_(
                ALERT.card_state == CardState.PENDING,
                or_(ALERT.next_attempt_at.is_(None), ALERT.next_attempt_at <= now),
            ),
            and_(ALERT.card_state == CardState.SENDING, ALERT.lease_until < now),
            and_(ALERT.card_state == CardState.SENT, ALERT.card_dirty.is_(True)),
            and_(ALERT.card_state == CardState.SENT, ALERT.reply_state == ReplyState.PENDING),
        )
        return await self._many(condition, limit=limit)

    async def lease(self, alert_id: int, now: datetime, seconds: int) -> bool:
        """Take the right to send an alert's card (so two workers or a restart never send it twice)."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(crisis_alerts)
                .where(
                    ALERT.id == alert_id,
                    or_(
                        ALERT.card_state == CardState.PENDING,
                        and_(ALERT.card_state == CardState.SENDING, ALERT.lease_until < now),
                    ),
                )
                .values(
                    card_state=CardState.SENDING, lease_until=now + timedelta(seconds=seconds), updated_at=now
                )
            )
            return result.rowcount == 1

    async def mark_sent(
        self, alert_id: int, card_message_id: int, next_ping_at: datetime | None, now: datetime
    ) -> None:
        """The card is in the alert channel."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(crisis_alerts)
                .where(ALERT.id == alert_id)
                .values(
                    card_state=CardState.SENT,
                    card_message_id=card_message_id,
                    lease_until=None,
                    next_ping_at=next_ping_at,
                    card_dirty=False,
                    updated_at=now,
                )
            )
            if next_ping_at is not None:
                await enqueue(conn, REPING, alert_id, next_ping_at, now)

    async def mark_failed(
        self, alert_id: int, next_attempt_at: datetime, now: datetime, *, tell_owner: bool = False
    ) -> None:
        """A delivery attempt failed: try again later. ``tell_owner``: the alert can't be posted at all (channel
        gone, permission lost), so queue the server owner's DM with it, unless they were told already."""
        async with self._db.transaction() as conn:
            if tell_owner:
                told = (await conn.execute(select(ALERT.owner_told).where(ALERT.id == alert_id))).scalar()
                if told is False:
                    await enqueue(conn, OWNER, alert_id, now, now)
            await conn.execute(
                update(crisis_alerts)
                .where(ALERT.id == alert_id)
                .values(
                    card_state=CardState.PENDING,
                    lease_until=None,
                    card_attempts=ALERT.card_attempts + 1,
                    next_attempt_at=next_attempt_at,
                    updated_at=now,
                )
            )

    async def set_fields(self, alert_id: int, now: datetime, **values: Any) -> None:
        """Update some delivery fields of an alert (reply state, dirty flag, owner told, pings)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(crisis_alerts).where(ALERT.id == alert_id).values(updated_at=now, **values)
            )

    async def requeue_unsent_cards(self, now: datetime) -> int:
        """A safety net: every alert whose card isn't sent has a card work item. Returns how many were added."""
        active = (
            select(delivery_items.c.id)
            .where(
                delivery_items.c.kind == CARD,
                delivery_items.c.ref == ALERT.id,
                delivery_items.c.state.in_(["pending", "leased"]),
            )
            .exists()
        )
        async with self._db.transaction() as conn:
            ids = list(
                (
                    await conn.execute(
                        select(ALERT.id).where(ALERT.card_state != CardState.SENT.value, ~active)
                    )
                ).scalars()
            )
            for alert_id in ids:
                await enqueue(conn, CARD, alert_id, now, now)
            return len(ids)

    async def mark_reply(self, alert_id: int, state: ReplyState, now: datetime) -> None:
        """Record how the member's reply went, and queue the card edit that shows it."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(crisis_alerts)
                .where(ALERT.id == alert_id)
                .values(reply_state=state.value, card_dirty=True, updated_at=now)
            )
            await enqueue(conn, EDIT, alert_id, now, now)

    async def take_dirty(self, alert_id: int, now: datetime) -> bool:
        """Clear an alert's pending card edit; returns whether there was one to do."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(crisis_alerts)
                .where(ALERT.id == alert_id, ALERT.card_dirty.is_(True))
                .values(card_dirty=False, updated_at=now)
            )
            return result.rowcount == 1

    async def due_pings(self, now: datetime, limit: int = 50) -> list[Alert]:
        """Open, unclaimed alerts whose re-ping time has come."""
        return await self._many(
            and_(ALERT.status == Status.OPEN, ALERT.card_state == CardState.SENT, ALERT.next_ping_at <= now),
            limit=limit,
        )

    async def record_ping(
        self, alert_id: int, expected_pings: int, next_ping_at: datetime | None, now: datetime
    ) -> bool:
        """Count a re-ping once (only if nobody else counted it first)."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(crisis_alerts)
                .where(ALERT.id == alert_id, ALERT.pings == expected_pings, ALERT.status == Status.OPEN)
                .values(pings=expected_pings + 1, next_ping_at=next_ping_at, updated_at=now)
            )
            if result.rowcount != 1:
                return False
            if next_ping_at is not None:
                await enqueue(conn, REPING, alert_id, next_ping_at, now)
            return True

    async def transition(
        self,
        alert_id: int,
        guild_id: int,
        allowed_from: tuple[Status, ...],
        to: Status,
        by: int,
        now: datetime,
    ) -> bool:
        """Move an alert to ``to`` if it is in one of ``allowed_from`` (so two moderators can't both claim it)."""
        values: dict[str, Any] = {"status": to, "updated_at": now, "card_dirty": True}
        if to is Status.CLAIMED:
            values.update(claimed_by=by, claimed_at=now, next_ping_at=None)
        else:
            values.update(closed_by=by, closed_at=now, next_ping_at=None)
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(crisis_alerts)
                .where(ALERT.id == alert_id, ALERT.guild_id == guild_id, ALERT.status.in_(list(allowed_from)))
                .values(**values)
            )
            if result.rowcount != 1:
                return False
            await enqueue(conn, EDIT, alert_id, now, now)
            return True

    async def alerts_since(self, guild_id: int, since: datetime) -> list[Alert]:
        """A server's alerts created since ``since``."""
        return await self._many(and_(ALERT.guild_id == guild_id, ALERT.created_at >= since), limit=100_000)

    async def active_alerts(self, guild_id: int, limit: int = 25) -> list[Alert]:
        """A server's open and claimed alerts, newest first."""
        return await self._many(
            and_(ALERT.guild_id == guild_id, ALERT.status.in_([Status.OPEN, Status.CLAIMED])),
            limit=limit,
            newest=True,
        )

    async def add_reveal(self, alert_id: int, moderator_id: int, now: datetime) -> int:
        """Record that a moderator revealed a DM excerpt; returns how many reveals the alert has."""
        async with self._db.transaction() as conn:
            await conn.execute(
                insert(crisis_reveals).values(alert_id=alert_id, moderator_id=moderator_id, revealed_at=now)
            )
            return (
                await conn.execute(
                    select(func.count())
                    .select_from(crisis_reveals)
                    .where(crisis_reveals.c.alert_id == alert_id)
                )
            ).scalar_one()

    async def purge_excerpts(self, guild_id: int, before: datetime) -> int:
        """Delete excerpts older than ``before`` in one server; counts stay. Returns how many."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(crisis_alerts)
                .where(ALERT.guild_id == guild_id, ALERT.created_at < before, ALERT.excerpt.is_not(None))
                .values(excerpt=None, matched="")
            )
        await self._db.scrub_deleted()
        return result.rowcount

    async def guilds_with_excerpts(self, before: datetime) -> list[int]:
        """Servers that have excerpts older than ``before``."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(ALERT.guild_id).where(ALERT.created_at < before, ALERT.excerpt.is_not(None)).distinct()
            )
            return [r.guild_id for r in rows]

    # --- helpers

    async def _one(self, condition: Any, *, newest: bool = False) -> Alert | None:
        rows = await self._many(condition, limit=1, newest=newest)
        return rows[0] if rows else None

    async def _many(self, condition: Any, *, limit: int, newest: bool = False) -> list[Alert]:
        order = ALERT.id.desc() if newest else ALERT.id
        async with self._db.read() as conn:
            rows = await conn.execute(select(crisis_alerts).where(condition).order_by(order).limit(limit))
            return [_alert(row) for row in rows.mappings()]


def _alert(row: Any) -> Alert:
    return Alert(
        id=row["id"],
        guild_id=row["guild_id"],
        member_id=row["member_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        from_dm=row["from_dm"],
        kind=Kind(row["kind"]),
        severity=Severity.parse(row["severity"]),
        excerpt=row["excerpt"],
        matched=row["matched"],
        status=Status(row["status"]),
        hits=row["hits"],
        card_message_id=row["card_message_id"],
        card_state=CardState(row["card_state"]),
        card_attempts=row["card_attempts"],
        reply_state=ReplyState(row["reply_state"]),
        owner_told=row["owner_told"],
        pings=row["pings"],
        next_ping_at=row["next_ping_at"],
        claimed_by=row["claimed_by"],
        claimed_at=row["claimed_at"],
        closed_by=row["closed_by"],
        closed_at=row["closed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
