"""Everything Haven stores about one member: the registry of tables, and export and delete per feature.

``REGISTRY`` lists every table that holds a member's id (a structural test fails when one is missing) and what
``/privacy delete`` does with each such column: ``deleted`` (the rows go), ``scrubbed`` (the row stays for the
moderators' record without the member's words) or ``kept`` (someone else's record, which says why).
Export and delete run in one transaction each, so a delete is all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.engine import Database
from bot.storage.schema import (
    buddy_blocks,
    buddy_members,
    buddy_outbox,
    buddy_pair_members,
    buddy_pairings,
    buddy_reports,
    checkin_members,
    checkin_prompts,
    checkin_schedules,
    checkins,
    crisis_alerts,
    member_country,
    member_departures,
    member_locale,
    scan_optout,
)
from bot.storage.support_data import delete_support, export_support, support_servers

Handling = Literal["deleted", "scrubbed", "kept"]
Servers = Sequence[int] | None  # None: every server


@dataclass(frozen=True)
class MemberColumn:
    """A column holding a member's id, and what deleting that member's data does with it."""

    name: str
    handling: Handling
    why: str = ""


@dataclass(frozen=True)
class Coverage:
    """How one table's member data is exported and deleted."""

    table: str
    feature: str
    per_user: bool  # True: one row per person across servers (not tied to a server)
    columns: tuple[MemberColumn, ...] = ()
    via: str = ""  # rows without a member column that go with their parent row


def _col(name: str, handling: Handling = "deleted", why: str = "") -> MemberColumn:
    return MemberColumn(name, handling, why)


MODERATOR = "a moderator's own action in the server's record, not data about the member"
REGISTRY: tuple[Coverage, ...] = (
    Coverage("member_country", "resources", True, (_col("user_id"),)),
    Coverage("member_locale", "language", True, (_col("user_id"),)),
    Coverage("local_resources", "resources", False, (_col("created_by", "kept", MODERATOR),)),
    Coverage("scan_optout", "crisis", True, (_col("user_id"),)),
    Coverage("crisis_phrases", "crisis", False, (_col("created_by", "kept", MODERATOR),)),
    Coverage(
        "crisis_alerts",
        "crisis",
        False,
        (
            _col(
                "member_id",
                "scrubbed",
                "kept for the server's alert retention period, without excerpt or match",
            ),
            _col("claimed_by", "kept", MODERATOR),
            _col("closed_by", "kept", MODERATOR),
        ),
    ),
    Coverage(
        "crisis_reveals", "crisis", False, (_col("moderator_id", "kept", MODERATOR),), via="crisis_alerts"
    ),
    Coverage("checkin_schedules", "checkins", False, (_col("user_id"),)),
    Coverage("checkin_prompts", "checkins", False, via="checkin_schedules"),
    Coverage("checkins", "checkins", False, (_col("user_id"),)),
    Coverage("checkin_members", "checkins", False, (_col("user_id"),)),
    Coverage("member_departures", "checkins", False, (_col("user_id"),)),
    Coverage("buddy_members", "buddies", False, (_col("user_id"),)),
    Coverage("buddy_pair_members", "buddies", False, (_col("user_id"),)),
    Coverage(
        "buddy_blocks",
        "buddies",
        False,
        (
            _col("user_id"),
            _col("blocked_id", "kept", "another member's block: it keeps them from being paired with you"),
        ),
    ),
    Coverage(
        "buddy_reports",
        "buddies",
        False,
        (
            _col("reporter_id"),
            _col("subject_id", "kept", "another member's report to the moderators stays in their record"),
        ),
    ),
    Coverage("buddy_outbox", "buddies", False, (_col("user_id"), _col("about_id"))),
    Coverage("support_listeners", "support", False, (_col("user_id"),)),
    Coverage(
        "support_requests",
        "support",
        False,
        (
            _col("member_id"),
            _col(
                "listener_user_id",
                "scrubbed",
                "the listener's name is taken off; the request stays the member's",
            ),
            _col("identity_revealed_by", "kept", MODERATOR),
        ),
    ),
    Coverage("support_messages", "support", False, via="support_requests"),
    Coverage(
        "support_flags",
        "support",
        False,
        (
            _col("reporter_id"),
            _col("subject_id", "kept", "another member's flag to the moderators stays in their record"),
            _col("marked_by", "kept", MODERATOR),
        ),
    ),
    Coverage("support_checkons", "support", False, (_col("member_id"), _col("sent_by", "kept", MODERATOR))),
    Coverage(
        "support_blocks",
        "support",
        False,
        (
            _col("user_id"),
            _col("blocked_id", "kept", "another member's block: it keeps them from being matched with you"),
        ),
    ),
)

SCHEDULE = checkin_schedules.c
ALERT = crisis_alerts.c
PAIR_MEMBER = buddy_pair_members.c
ALERT_EXPORT = ("id", "guild_id", "kind", "severity", "from_dm", "excerpt", "matched", "status", "created_at")


def _in(table: Table, servers: Servers) -> Any:
    """Rows in the chosen servers (every server when ``servers`` is None)."""
    column = table.c.guild_id
    return column.is_not(None) if servers is None else column.in_(list(servers))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def _rows(conn: AsyncConnection, query: Any) -> list[dict[str, Any]]:
    result = await conn.execute(query)
    return [{key: _plain(value) for key, value in row.items()} for row in result.mappings()]


# --- resources and scanning (per person, across servers)


async def export_per_user(conn: AsyncConnection, user_id: int) -> dict[str, Any]:
    """The saved country, the scanning opt-out and the app language: one each per person, for every server."""
    country = await _rows(conn, select(member_country).where(member_country.c.user_id == user_id))
    optout = await _rows(conn, select(scan_optout).where(scan_optout.c.user_id == user_id))
    language = await _rows(conn, select(member_locale).where(member_locale.c.user_id == user_id))
    return {
        "saved_country": country[0] if country else None,
        "scanning_opt_out": optout[0] if optout else None,
        "language_for_dms": language[0] if language else None,
    }


async def delete_per_user(conn: AsyncConnection, user_id: int) -> int:
    """Forget the saved country, the scanning opt-out and the remembered app language."""
    gone = await conn.execute(delete(member_country).where(member_country.c.user_id == user_id))
    gone_optout = await conn.execute(delete(scan_optout).where(scan_optout.c.user_id == user_id))
    gone_locale = await conn.execute(delete(member_locale).where(member_locale.c.user_id == user_id))
    return (gone.rowcount or 0) + (gone_optout.rowcount or 0) + (gone_locale.rowcount or 0)


# --- crisis alerts


async def export_crisis(conn: AsyncConnection, user_id: int, servers: Servers) -> dict[str, Any]:
    """Alerts about the member (what they wrote that raised one), without moderators' names."""
    columns = [crisis_alerts.c[name] for name in ALERT_EXPORT]
    query = select(*columns).where(ALERT.member_id == user_id, _in(crisis_alerts, servers)).order_by(ALERT.id)
    return {"alerts_about_you": await _rows(conn, query)}


async def delete_crisis(conn: AsyncConnection, user_id: int, servers: Servers) -> int:
    """Alerts stay for the moderators' retention period, without the excerpt and what matched."""
    result = await conn.execute(
        update(crisis_alerts)
        .where(ALERT.member_id == user_id, _in(crisis_alerts, servers))
        .values(excerpt=None, matched="", card_dirty=True)  # a card already posted is edited without them
    )
    return result.rowcount or 0


# --- check-ins


async def export_checkins(conn: AsyncConnection, user_id: int, servers: Servers) -> dict[str, Any]:
    """Schedules, prompts sent, check-ins with notes and tags, and the follow-up choice."""
    mine = select(SCHEDULE.id).where(SCHEDULE.user_id == user_id, _in(checkin_schedules, servers))
    return {
        "schedules": await _rows(
            conn, select(checkin_schedules).where(SCHEDULE.id.in_(mine)).order_by(SCHEDULE.id)
        ),
        "prompts": await _rows(
            conn,
            select(checkin_prompts)
            .where(checkin_prompts.c.schedule_id.in_(mine))
            .order_by(checkin_prompts.c.id),
        ),
        "checkins": await _rows(
            conn,
            select(checkins)
            .where(checkins.c.user_id == user_id, _in(checkins, servers))
            .order_by(checkins.c.id),
        ),
        "choices": await _rows(
            conn,
            select(checkin_members).where(
                checkin_members.c.user_id == user_id, _in(checkin_members, servers)
            ),
        ),
        "left_server": await _rows(
            conn,
            select(member_departures).where(
                member_departures.c.user_id == user_id, _in(member_departures, servers)
            ),
        ),
    }


async def delete_checkins(conn: AsyncConnection, user_id: int, servers: Servers) -> int:
    """Check-ins, notes, tags, schedules, their prompts, the follow-up choice and a pending departure."""
    mine = (
        select(SCHEDULE.id)
        .where(SCHEDULE.user_id == user_id, _in(checkin_schedules, servers))
        .scalar_subquery()
    )
    await conn.execute(delete(checkin_prompts).where(checkin_prompts.c.schedule_id.in_(mine)))
    await conn.execute(
        delete(checkin_schedules).where(SCHEDULE.user_id == user_id, _in(checkin_schedules, servers))
    )
    await conn.execute(
        delete(checkin_members).where(checkin_members.c.user_id == user_id, _in(checkin_members, servers))
    )
    await conn.execute(
        delete(member_departures).where(
            member_departures.c.user_id == user_id, _in(member_departures, servers)
        )
    )
    gone = await conn.execute(delete(checkins).where(checkins.c.user_id == user_id, _in(checkins, servers)))
    return gone.rowcount or 0


# --- buddy pairing


async def export_buddies(conn: AsyncConnection, user_id: int, servers: Servers) -> dict[str, Any]:
    """Profile, pairing history (without the other people), blocks, reports and DMs Haven sent them."""
    pairings = (
        select(
            buddy_pairings.c.id,
            buddy_pairings.c.guild_id,
            buddy_pairings.c.round_number,
            buddy_pairings.c.status,
            buddy_pairings.c.created_at,
            buddy_pairings.c.ended_at,
            PAIR_MEMBER.response,
            PAIR_MEMBER.talked,
            PAIR_MEMBER.left,
        )
        .join(buddy_pairings, buddy_pairings.c.id == PAIR_MEMBER.pairing_id)
        .where(PAIR_MEMBER.user_id == user_id, _in(buddy_pair_members, servers))
        .order_by(buddy_pairings.c.id)
    )
    outbox = buddy_outbox.c
    return {
        "profiles": await _rows(
            conn, select(buddy_members).where(buddy_members.c.user_id == user_id, _in(buddy_members, servers))
        ),
        "pairings": await _rows(conn, pairings),
        "blocks": await _rows(
            conn, select(buddy_blocks).where(buddy_blocks.c.user_id == user_id, _in(buddy_blocks, servers))
        ),
        "reports_you_made": await _rows(
            conn,
            select(buddy_reports)
            .where(buddy_reports.c.reporter_id == user_id, _in(buddy_reports, servers))
            .order_by(buddy_reports.c.id),
        ),
        "messages_to_you": await _rows(
            conn,
            select(outbox.id, outbox.guild_id, outbox.kind, outbox.state, outbox.created_at)
            .where(outbox.user_id == user_id, _in(buddy_outbox, servers))
            .order_by(outbox.id),
        ),
    }


async def delete_buddies(conn: AsyncConnection, user_id: int, servers: Servers) -> int:
    """Profile, their places in pairings, their blocks and reports, and DMs to or about them.

    End open pairings through the buddy service first, so the others are told kindly."""
    count = 0
    for table, condition in (
        (buddy_members, buddy_members.c.user_id == user_id),
        (buddy_pair_members, PAIR_MEMBER.user_id == user_id),
        (buddy_blocks, buddy_blocks.c.user_id == user_id),
        (buddy_reports, buddy_reports.c.reporter_id == user_id),
        (buddy_outbox, (buddy_outbox.c.user_id == user_id) | (buddy_outbox.c.about_id == user_id)),
    ):
        result = await conn.execute(delete(table).where(condition, _in(table, servers)))
        count += result.rowcount or 0
    return count


class MemberDataRepository:
    """Export and delete everything about one member, in some servers or in every server."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def export(self, user_id: int, servers: Servers) -> dict[str, Any]:
        """Every row about the member, grouped by feature (one read, so it is consistent)."""
        async with self._db.read() as conn:
            return {
                "across_servers": await export_per_user(conn, user_id),
                "checkins": await export_checkins(conn, user_id, servers),
                "buddies": await export_buddies(conn, user_id, servers),
                "crisis": await export_crisis(conn, user_id, servers),
                "support": await export_support(conn, user_id, servers),
            }

    async def delete(self, user_id: int, servers: Servers) -> dict[str, int]:
        """Delete the member's rows (all or nothing). Per-person rows go only when ``servers`` is None."""
        async with self._db.transaction() as conn:
            counts = {
                "checkins": await delete_checkins(conn, user_id, servers),
                "buddies": await delete_buddies(conn, user_id, servers),
                "alerts_scrubbed": await delete_crisis(conn, user_id, servers),
                "support": await delete_support(conn, user_id, servers),
            }
            if servers is None:
                counts["across_servers"] = await delete_per_user(conn, user_id)
            return counts

    async def servers_of(self, user_id: int) -> list[int]:
        """Servers where Haven holds something about the member."""
        queries = [
            select(SCHEDULE.guild_id).where(SCHEDULE.user_id == user_id),
            select(checkins.c.guild_id).where(checkins.c.user_id == user_id),
            select(checkin_members.c.guild_id).where(checkin_members.c.user_id == user_id),
            select(buddy_members.c.guild_id).where(buddy_members.c.user_id == user_id),
            select(PAIR_MEMBER.guild_id).where(PAIR_MEMBER.user_id == user_id),
            select(buddy_blocks.c.guild_id).where(buddy_blocks.c.user_id == user_id),
            select(buddy_reports.c.guild_id).where(buddy_reports.c.reporter_id == user_id),
            select(ALERT.guild_id).where(ALERT.member_id == user_id),
            *support_servers(user_id),
        ]
        found: set[int] = set()
        async with self._db.read() as conn:
            for query in queries:
                found.update((await conn.execute(query.distinct())).scalars())
        return sorted(found)
