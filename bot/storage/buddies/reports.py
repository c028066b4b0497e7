"""Worries, reports, "let my buddy know", forgetting and stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from bot.domain.buddy_states import OPEN, MemberStatus, OutboxState, PairingStatus
from bot.storage.buddies._common import BS, PM, M, O, P, R, one_at_a_time
from bot.storage.buddies.outbox import OutboxStore
from bot.storage.schema import (
    buddy_members,
    buddy_outbox,
    buddy_pair_members,
    buddy_pairings,
    buddy_reports,
)


class ReportStore(OutboxStore):
    """Worries, reports, "let my buddy know", forgetting and stats."""

    # --- reports

    async def nudge(
        self,
        guild_id: int,
        user_id: int,
        pairing_id: int,
        buddies: Sequence[int],
        since: datetime,
        now: datetime,
    ) -> bool:
        """Queue "your buddy is having a hard day" to ``buddies``, at most once since ``since`` (one member's
        requests taken one at a time, like reports). False if they already did."""
        async with self._db.transaction() as conn:
            await one_at_a_time(conn, guild_id, user_id)
            done = (
                await conn.execute(
                    select(func.count())
                    .select_from(buddy_reports)
                    .where(
                        R.guild_id == guild_id,
                        R.reporter_id == user_id,
                        R.kind == "nudge",
                        R.created_at >= since,
                    )
                )
            ).scalar_one()
            if done:
                return False
            await conn.execute(
                insert(buddy_reports).values(
                    guild_id=guild_id,
                    pairing_id=pairing_id,
                    reporter_id=user_id,
                    subject_id=buddies[0],
                    kind="nudge",
                    created_at=now,
                )
            )
            for buddy in buddies:
                await self._enqueue(conn, guild_id, buddy, pairing_id, "nudge", now, about_id=user_id)
            return True

    async def open_report(self, values: dict[str, Any], since: datetime, limit: int) -> int | None:
        """Record a worry or a report, unless the member already raised ``limit`` since ``since``.

        One reporter's requests are taken one at a time (SQLite: the write lock; PostgreSQL: an advisory lock),
        and a recent report whose alert card was never raised (a crash, a database blip) is returned again
        instead of counting against the limit, so pressing twice raises one card and pressing again after a
        failure raises the card that was missed.
        """
        async with self._db.transaction() as conn:
            await one_at_a_time(conn, values["guild_id"], values["reporter_id"])
            rows = (
                await conn.execute(
                    select(R.id, R.alert_id)
                    .where(
                        R.guild_id == values["guild_id"],
                        R.reporter_id == values["reporter_id"],
                        R.kind == values["kind"],
                        R.created_at >= since,
                    )
                    .order_by(R.id)
                )
            ).all()
            unraised = [r[0] for r in rows if r[1] is None]
            if unraised:
                return unraised[0]
            if len(rows) >= limit:
                return None
            return (await conn.execute(insert(buddy_reports).values(**values).returning(R.id))).scalar_one()

    async def set_report_alert(self, report_id: int, alert_id: int) -> None:
        """Link a report to the alert card raised for it."""
        async with self._db.transaction() as conn:
            await conn.execute(update(buddy_reports).where(R.id == report_id).values(alert_id=alert_id))

    # --- stats

    async def purge(
        self, now: datetime, messages_before: datetime, pairings_before: datetime, nudges_before: datetime
    ) -> int:
        """Forget what is no longer needed: sent DMs, the record of "let my buddy know" (kept only for its daily
        limit), and closed pairings older than both the no-repeat history (the server's last N rounds) and
        ``pairings_before``. Worries and reports stay with the moderators' records."""
        async with self._db.transaction() as conn:
            gone = (
                await conn.execute(
                    delete(buddy_outbox).where(
                        O.state.in_((OutboxState.SENT, OutboxState.UNDELIVERABLE, OutboxState.CANCELLED)),
                        O.created_at < messages_before,
                    )
                )
            ).rowcount or 0
            gone += (
                await conn.execute(
                    delete(buddy_reports).where(R.kind == "nudge", R.created_at < nudges_before)
                )
            ).rowcount or 0
            history = (
                select(BS.round_number - BS.history_rounds)
                .where(BS.guild_id == P.guild_id)
                .correlate(buddy_pairings)
                .scalar_subquery()
            )
            old = select(P.id).where(
                P.status.not_in(OPEN), P.ended_at < pairings_before, P.round_number < history
            )
            ids = [r[0] for r in await conn.execute(old)]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                await conn.execute(delete(buddy_pair_members).where(PM.pairing_id.in_(chunk)))
                await conn.execute(delete(buddy_pairings).where(P.id.in_(chunk)))
        await self._db.scrub_deleted()
        return gone + len(ids)

    async def stats(self, guild_id: int, since: datetime) -> dict[str, int]:
        """Aggregated counts only: nobody's own answers."""
        async with self._db.read() as conn:
            waiting = (
                await conn.execute(
                    select(func.count())
                    .select_from(buddy_members)
                    .where(M.guild_id == guild_id, M.status == MemberStatus.WAITING)
                )
            ).scalar_one()
            active = (
                await conn.execute(
                    select(func.count())
                    .select_from(buddy_pairings)
                    .where(P.guild_id == guild_id, P.status == PairingStatus.ACTIVE)
                )
            ).scalar_one()
            recent = select(P.id).where(P.guild_id == guild_id, P.created_at >= since)
            responses = dict(
                (r[0], r[1])
                for r in await conn.execute(
                    select(PM.response, func.count()).where(PM.pairing_id.in_(recent)).group_by(PM.response)
                )
            )
            asked = (
                await conn.execute(
                    select(func.count())
                    .select_from(buddy_pairings)
                    .where(P.guild_id == guild_id, P.created_at >= since, P.halfway_sent.is_(True))
                )
            ).scalar_one()
            talked = (
                await conn.execute(
                    select(func.count(func.distinct(PM.pairing_id))).where(
                        PM.pairing_id.in_(recent), PM.talked == "yes"
                    )
                )
            ).scalar_one()
            pairings = (
                await conn.execute(
                    select(func.count())
                    .select_from(buddy_pairings)
                    .where(P.guild_id == guild_id, P.created_at >= since)
                )
            ).scalar_one()
        return {
            "waiting": waiting,
            "active": active,
            "pairings": pairings,
            "accepted": responses.get("accepted", 0),
            "declined": responses.get("declined", 0),
            "no_answer": responses.get("pending", 0),
            "asked_halfway": asked,
            "talked": talked,
        }
