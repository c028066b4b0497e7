"""Repository for the delivery engine: work items, their leases, and the processes that hold them.

``enqueue`` takes an open connection, so a feature writes its work item in the same transaction as the change that
causes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.delivery import DeliveryItem, ItemState, lease_until, make_nonce
from bot.storage._upsert import upsert
from bot.storage.engine import Database
from bot.storage.schema import delivery_instances, delivery_items

D = delivery_items.c
ACTIVE = (ItemState.PENDING.value, ItemState.LEASED.value)


async def enqueue(conn: AsyncConnection, kind: str, ref: int, due_at: datetime, now: datetime) -> None:
    """Add a work item (inside the caller's transaction). A pending one of the same kind and ref is reused."""
    waiting = (
        await conn.execute(
            select(D.id, D.due_at).where(D.kind == kind, D.ref == ref, D.state == ItemState.PENDING.value)
        )
    ).first()
    if waiting is not None:
        if due_at < waiting.due_at:
            await conn.execute(update(delivery_items).where(D.id == waiting.id).values(due_at=due_at))
        return
    await conn.execute(
        insert(delivery_items).values(
            kind=kind,
            ref=ref,
            due_at=due_at,
            attempts=0,
            state=ItemState.PENDING.value,
            nonce=make_nonce(kind, ref, now),
            created_at=now,
            updated_at=now,
        )
    )


def _claimable(now: datetime) -> object:
    return or_(
        and_(D.state == ItemState.PENDING.value, D.due_at <= now),
        and_(D.state == ItemState.LEASED.value, D.lease_until < now),
    )


def _leased_by(owner: str, now: datetime) -> dict[str, object]:
    """The values that give an item to ``owner`` for one lease (each claim counts as an attempt)."""
    return {
        "state": ItemState.LEASED.value,
        "lease_owner": owner,
        "lease_until": lease_until(now),
        "attempts": D.attempts + 1,
        "updated_at": now,
    }


class DeliveryRepository:
    """Reads and writes the delivery tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, kind: str, ref: int, due_at: datetime, now: datetime) -> None:
        """Add a work item on its own (when nothing else changes with it)."""
        async with self._db.transaction() as conn:
            await enqueue(conn, kind, ref, due_at, now)

    async def pending_id(self, kind: str, ref: int) -> int | None:
        """The id of a pending or leased item of this kind about ``ref``, if there is one."""
        async with self._db.read() as conn:
            return (
                await conn.execute(
                    select(D.id).where(D.kind == kind, D.ref == ref, D.state.in_(ACTIVE)).order_by(D.id)
                )
            ).scalar()

    async def claim_due(self, owner: str, now: datetime, limit: int) -> list[DeliveryItem]:
        """Lease up to ``limit`` due items (pending and due, or leased with an expired lease)."""
        async with self._db.transaction() as conn:
            query = select(D.id).where(_claimable(now)).order_by(D.due_at, D.id).limit(limit)  # type: ignore[arg-type]
            if self._db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list((await conn.execute(query)).scalars())
            if not ids:
                return []
            await conn.execute(
                update(delivery_items)
                .where(D.id.in_(ids), _claimable(now))  # type: ignore[arg-type]
                .values(_leased_by(owner, now))
            )
            rows = await conn.execute(
                select(delivery_items).where(D.id.in_(ids), D.lease_owner == owner).order_by(D.due_at, D.id)
            )
            return [_item(row) for row in rows.mappings()]

    async def claim(self, item_id: int, owner: str, now: datetime) -> DeliveryItem | None:
        """Lease one item now (the immediate path); ``None`` when another worker holds it or it is done."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(delivery_items)
                .where(
                    D.id == item_id,
                    or_(
                        D.state == ItemState.PENDING.value,
                        and_(D.state == ItemState.LEASED.value, D.lease_until < now),
                    ),
                )
                .values(_leased_by(owner, now))
            )
            if result.rowcount != 1:
                return None
            row = (await conn.execute(select(delivery_items).where(D.id == item_id))).mappings().one()
            return _item(row)

    async def renew(self, item_id: int, owner: str, now: datetime) -> bool:
        """Extend a lease this owner still holds."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(delivery_items)
                .where(D.id == item_id, D.lease_owner == owner, D.state == ItemState.LEASED.value)
                .values(lease_until=lease_until(now))
            )
            return result.rowcount == 1

    async def finish(self, item_id: int, owner: str, now: datetime) -> None:
        """The item is sent (or no longer needed)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(delivery_items)
                .where(D.id == item_id, D.lease_owner == owner)
                .values(state=ItemState.DONE.value, lease_owner=None, lease_until=None, updated_at=now)
            )

    async def retry_at(self, item_id: int, owner: str, due_at: datetime, now: datetime) -> None:
        """Give the item back to try again at ``due_at``."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(delivery_items)
                .where(D.id == item_id, D.lease_owner == owner)
                .values(
                    state=ItemState.PENDING.value,
                    lease_owner=None,
                    lease_until=None,
                    due_at=due_at,
                    updated_at=now,
                )
            )

    async def release_all(self, owner: str, now: datetime) -> int:
        """Give back every lease ``owner`` holds (due at once). Returns how many."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(delivery_items)
                .where(D.lease_owner == owner, D.state == ItemState.LEASED.value)
                .values(state=ItemState.PENDING.value, lease_owner=None, lease_until=None, due_at=now)
            )
            return result.rowcount

    async def instance(self, instance_id: str) -> tuple[str, int] | None:
        """The host and process id last recorded for an instance id."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(delivery_instances.c.host, delivery_instances.c.pid).where(
                        delivery_instances.c.instance_id == instance_id
                    )
                )
            ).first()
            return None if row is None else (row.host, row.pid)

    async def register(self, instance_id: str, host: str, pid: int, now: datetime) -> None:
        """Record this process as ``instance_id`` with a fresh heartbeat."""
        async with self._db.transaction() as conn:
            await upsert(
                conn,
                delivery_instances,
                {
                    "instance_id": instance_id,
                    "host": host,
                    "pid": pid,
                    "started_at": now,
                    "heartbeat_at": now,
                },
                ("instance_id",),
            )

    async def heartbeat(self, instance_id: str, now: datetime) -> None:
        """This process is alive."""
        async with self._db.transaction() as conn:
            await conn.execute(
                update(delivery_instances)
                .where(delivery_instances.c.instance_id == instance_id)
                .values(heartbeat_at=now)
            )

    async def items(self, kind: str | None = None) -> list[DeliveryItem]:
        """Every item (of one kind), oldest first: for tests and diagnosis."""
        async with self._db.read() as conn:
            query = select(delivery_items).order_by(D.id)
            if kind is not None:
                query = query.where(D.kind == kind)
            return [_item(row) for row in (await conn.execute(query)).mappings()]


def _item(row: object) -> DeliveryItem:
    r = row  # a RowMapping
    return DeliveryItem(
        id=r["id"],  # type: ignore[index]
        kind=r["kind"],  # type: ignore[index]
        ref=r["ref"],  # type: ignore[index]
        due_at=r["due_at"],  # type: ignore[index]
        attempts=r["attempts"],  # type: ignore[index]
        state=ItemState(r["state"]),  # type: ignore[index]
        lease_owner=r["lease_owner"],  # type: ignore[index]
        lease_until=r["lease_until"],  # type: ignore[index]
        nonce=r["nonce"],  # type: ignore[index]
    )
