"""Shared by the support repository's parts: column shortcuts, the settings columns, rows to domain objects."""

from __future__ import annotations

from typing import Any

from bot.domain.support import RequestStatus, SupportRequest
from bot.storage.engine import Database
from bot.storage.schema import support_flags, support_messages, support_requests

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


def request_of(row: Any) -> SupportRequest:
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


class RepositoryBase:
    """The database the support repository's parts share."""

    def __init__(self, db: Database) -> None:
        self._db = db
