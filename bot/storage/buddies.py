"""Repository for buddy pairing: settings, members, pairings, blocks, reports and the DM outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.buddy_states import DM, OPEN, OutboxState
from bot.storage._upsert import upsert
from bot.storage.delivery import enqueue as enqueue_delivery
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


def _requeued(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Profile values for a member going back in the queue: a member who paused meanwhile stays paused."""
    if values.get("status") != "waiting":
        return values
    still_paused = and_(M.paused_until.is_not(None), M.paused_until > now)
    return {**values, "status": case((still_paused, "paused"), else_="waiting")}


async def _one_at_a_time(conn: AsyncConnection, guild_id: int, user_id: int) -> None:
    """Take one member's requests (reports, worries, nudges) one at a time until the transaction ends.
    SQLite's write transactions already run one at a time; PostgreSQL takes an advisory lock."""
    if conn.dialect.name == "postgresql":
        key = (guild_id * 31 + user_id) % (1 << 62)
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


class Conflict(Exception):
    """Someone else changed the rows first (two presses at once, two workers)."""


@dataclass(frozen=True)
class SettingsRow:
    """A server's buddy settings as stored."""

    guild_id: int
    topics: tuple[str, ...] | None
    cadence: str
    channel_id: int | None
    listener_role_id: int | None
    odd_rule: str
    history_rounds: int
    round_number: int
    round_started_at: datetime | None
    next_round_at: datetime | None


@dataclass(frozen=True)
class MemberRow:
    """A member in the buddy programme."""

    guild_id: int
    user_id: int
    topics: tuple[str, ...]
    timezone: str
    looking_for: str
    intro: str | None
    status: str
    paused_until: datetime | None
    priority: bool
    sit_out_round: int | None
    joined_at: datetime


@dataclass(frozen=True)
class PairMember:
    """One person in a pairing."""

    user_id: int
    response: str
    talked: str | None
    left: bool


@dataclass(frozen=True)
class PairingRow:
    """A pairing (two people, or three) with its members."""

    id: int
    guild_id: int
    round_number: int
    status: str
    seed: int
    thread_id: int | None
    created_at: datetime
    respond_by: datetime
    halfway_at: datetime | None
    halfway_sent: bool
    members: tuple[PairMember, ...]

    def member(self, user_id: int) -> PairMember | None:
        """The member with this id, if they are in the pairing."""
        return next((m for m in self.members if m.user_id == user_id), None)

    @property
    def present(self) -> tuple[PairMember, ...]:
        """Members who haven't left."""
        return tuple(m for m in self.members if not m.left)


@dataclass(frozen=True)
class OutboxRow:
    """A DM to send."""

    id: int
    guild_id: int
    user_id: int
    pairing_id: int | None
    kind: str
    attempts: int
    about_id: int | None = None


def _outbox(r: Any) -> OutboxRow:
    return OutboxRow(
        r["id"], r["guild_id"], r["user_id"], r["pairing_id"], r["kind"], r["attempts"], r["about_id"]
    )


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(t for t in (text or "").split("\n") if t)


def _member(r: Any) -> MemberRow:
    return MemberRow(
        r["guild_id"],
        r["user_id"],
        _lines(r["topics"]),
        r["timezone"],
        r["looking_for"],
        r["intro"],
        r["status"],
        r["paused_until"],
        bool(r["priority"]),
        r["sit_out_round"],
        r["joined_at"],
    )


class BuddyRepository:
    """Reads and writes the buddy tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- settings

    async def settings(self, guild_id: int) -> SettingsRow | None:
        """A server's stored settings, if any."""
        async with self._db.read() as conn:
            r = (await conn.execute(select(buddy_settings).where(BS.guild_id == guild_id))).mappings().first()
        if r is None:
            return None
        return SettingsRow(
            r["guild_id"],
            _lines(r["topics"]) if r["topics"] is not None else None,
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
            finishing = and_(P.guild_id == guild_id, P.status == "active", P.created_at < completes_before)
            old = select(P.id).where(finishing).scalar_subquery()
            members = select(PM.user_id).where(PM.pairing_id.in_(old), PM.left.is_(False))
            finished = and_(M.guild_id == guild_id, M.status == "paired", M.user_id.in_(members))
            await conn.execute(  # members who paused meanwhile stay paused until their date
                update(buddy_members)
                .where(finished, M.paused_until.is_not(None), M.paused_until > started)
                .values(status="paused", updated_at=started)
            )
            await conn.execute(
                update(buddy_members).where(finished).values(status="waiting", updated_at=started)
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
        return _member(r) if r is not None else None

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
                values["status"] = case((M.status == "paired", "paired"), else_=values["status"])
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
                    status=case((M.status == "waiting", "paused"), else_=M.status),
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
                    status=case((M.status == "paused", "waiting"), else_=M.status),
                    updated_at=now,
                )
            )

    async def waiting(self, guild_id: int, round_number: int) -> list[MemberRow]:
        """Members waiting for a partner in this round."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(buddy_members).where(
                    M.guild_id == guild_id,
                    M.status == "waiting",
                    or_(M.sit_out_round.is_(None), M.sit_out_round != round_number),
                )
            )
            return [_member(r) for r in rows.mappings()]

    async def members_of(self, guild_id: int, user_ids: Sequence[int]) -> list[MemberRow]:
        """Profiles of some members."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(buddy_members).where(M.guild_id == guild_id, M.user_id.in_(list(user_ids)))
            )
            return [_member(r) for r in rows.mappings()]

    async def resume_paused(self, now: datetime) -> int:
        """Paused members whose pause has ended wait again."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(buddy_members)
                .where(M.status == "paused", M.paused_until <= now)
                .values(status="waiting", paused_until=None, updated_at=now)
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
                    .where(M.guild_id == guild_id, M.user_id.in_(list(user_ids)), M.status == "waiting")
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
                .where(PM.pairing_id == pairing_id, PM.user_id == user_id, PM.response == "pending")
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
                    .where(M.guild_id == guild_id, M.user_id == user_id, M.status == "paired")
                    .values(updated_at=now, **_requeued(values, now))
                )
            for user_id, kind in notices:
                await self._enqueue(conn, guild_id, user_id, pairing_id, kind, now)
            return True

    async def activate(self, pairing_id: int, now: datetime, halfway_at: datetime) -> bool:
        """Everyone said yes: the pairing is active; queue "You're buddies!" for each."""
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                update(buddy_pairings)
                .where(P.id == pairing_id, P.status == "pending")
                .values(status="active", halfway_at=halfway_at)
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
                    .values(updated_at=now, **_requeued(member_values, now))
                )
            return before

    async def expired(self, now: datetime) -> list[int]:
        """Pending pairings whose answer window has closed."""
        async with self._db.read() as conn:
            rows = await conn.execute(select(P.id).where(P.status == "pending", P.respond_by <= now))
            return [r[0] for r in rows]

    async def halfway_due(self, now: datetime) -> list[int]:
        """Active pairings due the halfway question; marks them asked and queues the DMs."""
        due: list[int] = []
        async with self._db.transaction() as conn:
            ids = [
                r[0]
                for r in await conn.execute(
                    select(P.id).where(P.status == "active", P.halfway_sent.is_(False), P.halfway_at <= now)
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
            return [_outbox(r) for r in rows.mappings()]

    async def message(self, message_id: int) -> OutboxRow | None:
        """One DM still to send (None once it is sent, undeliverable or cancelled)."""
        async with self._db.read() as conn:
            row = (
                (await conn.execute(select(buddy_outbox).where(O.id == message_id, O.state.in_(SENDABLE))))
                .mappings()
                .first()
            )
            return None if row is None else _outbox(row)

    async def message_done(self, message_id: int, state: str) -> None:
        """A DM was sent (or can't be)."""
        async with self._db.transaction() as conn:
            await conn.execute(update(buddy_outbox).where(O.id == message_id).values(state=state))

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
            await _one_at_a_time(conn, guild_id, user_id)
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
            await _one_at_a_time(conn, values["guild_id"], values["reporter_id"])
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
                    .where(M.guild_id == guild_id, M.status == "waiting")
                )
            ).scalar_one()
            active = (
                await conn.execute(
                    select(func.count())
                    .select_from(buddy_pairings)
                    .where(P.guild_id == guild_id, P.status == "active")
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
