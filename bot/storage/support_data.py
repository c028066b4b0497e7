"""A member's support data for /privacy export and delete (the registry entries live in member_data.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.schema import (
    support_blocks,
    support_checkons,
    support_flags,
    support_listeners,
    support_messages,
    support_requests,
)

R = support_requests.c
M = support_messages.c
REQUEST_EXPORT = (
    "id",
    "guild_id",
    "topic",
    "anonymous",
    "alias",
    "first_message",
    "status",
    "created_at",
    "claimed_at",
    "ended_at",
    "identity_revealed_at",
)


def _in(table: Table, servers: Sequence[int] | None) -> Any:
    column = table.c.guild_id
    return column.is_not(None) if servers is None else column.in_(list(servers))


async def _rows(conn: AsyncConnection, query: Any) -> list[dict[str, Any]]:
    return [
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
        for row in (await conn.execute(query)).mappings()
    ]


async def export_support(
    conn: AsyncConnection, user_id: int, servers: Sequence[int] | None
) -> dict[str, Any]:
    """Requests the member made and what of theirs is still stored; listener status; flags made; check-ons."""
    mine = select(R.id).where(R.member_id == user_id, _in(support_requests, servers))
    return {
        "requests": await _rows(
            conn, select(*[R[c] for c in REQUEST_EXPORT]).where(R.id.in_(mine)).order_by(R.id)
        ),
        "your_relayed_messages": await _rows(
            conn,
            select(M.request_id, M.text, M.images, M.state, M.created_at)
            .where(M.request_id.in_(mine), M.from_member.is_(True))
            .order_by(M.id),
        ),
        "listener": await _rows(
            conn,
            select(support_listeners).where(
                support_listeners.c.user_id == user_id, _in(support_listeners, servers)
            ),
        ),
        "flags_you_made": await _rows(
            conn,
            select(
                support_flags.c.id, support_flags.c.guild_id, support_flags.c.note, support_flags.c.created_at
            )
            .where(support_flags.c.reporter_id == user_id, _in(support_flags, servers))
            .order_by(support_flags.c.id),
        ),
        "check_ons_sent_to_you": await _rows(
            conn,
            select(
                support_checkons.c.guild_id, support_checkons.c.state, support_checkons.c.created_at
            ).where(support_checkons.c.member_id == user_id, _in(support_checkons, servers)),
        ),
        "blocks": await _rows(
            conn,
            select(support_blocks).where(support_blocks.c.user_id == user_id, _in(support_blocks, servers)),
        ),
    }


async def delete_support(conn: AsyncConnection, user_id: int, servers: Sequence[int] | None) -> int:
    """The member's requests and their relayed messages, listener status, flags made, check-ons and blocks.

    A listener's name is taken off the requests they answered (the request stays for the member)."""
    mine = select(R.id).where(R.member_id == user_id, _in(support_requests, servers)).scalar_subquery()
    count = (await conn.execute(delete(support_messages).where(M.request_id.in_(mine)))).rowcount or 0
    for table, condition in (
        (support_requests, R.member_id == user_id),
        (support_listeners, support_listeners.c.user_id == user_id),
        (support_flags, support_flags.c.reporter_id == user_id),
        (support_checkons, support_checkons.c.member_id == user_id),
        (support_blocks, support_blocks.c.user_id == user_id),
    ):
        result = await conn.execute(delete(table).where(condition, _in(table, servers)))
        count += result.rowcount or 0
    await conn.execute(
        update(support_requests)
        .where(R.listener_user_id == user_id, _in(support_requests, servers))
        .values(listener_user_id=None)
    )
    return count


def support_servers(user_id: int) -> list[Any]:
    """Queries for the servers where Haven holds support data about the member."""
    return [
        select(R.guild_id).where(R.member_id == user_id),
        select(support_listeners.c.guild_id).where(support_listeners.c.user_id == user_id),
        select(support_flags.c.guild_id).where(support_flags.c.reporter_id == user_id),
        select(support_checkons.c.guild_id).where(support_checkons.c.member_id == user_id),
        select(support_blocks.c.guild_id).where(support_blocks.c.user_id == user_id),
    ]
