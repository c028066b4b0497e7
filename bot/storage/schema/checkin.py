"""Check-ins: schedules, prompts (claimed before sent), the check-ins themselves, settings and choices.

Named ``checkin``: ``checkins`` is the name of a table the package exports."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
    true,
)

from bot.storage.schema.core import metadata
from bot.storage.types import EncryptedText, UTCDateTime

# --- check-ins ----------------------------------------------------------------------------------------------------

checkin_schedules = Table(
    "checkin_schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("local_time", String(5), nullable=False),  # HH:MM in the member's timezone
    Column("timezone", String(64), nullable=False),
    Column("days_mask", Integer, nullable=False),
    Column("reminder", Boolean, nullable=False, server_default=false()),
    Column("status", String(12), nullable=False),  # active / paused / stopped / dm_closed
    Column("dm_notice", Boolean, nullable=False, server_default=false()),  # DMs failed; tell the member once
    Column("paused_until", UTCDateTime(), nullable=True),
    Column("next_due_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("guild_id", "user_id", name="uq_checkin_schedules_guild_id_user_id"),
    Index("ix_checkin_schedules_due", "status", "next_due_at"),
)

# A prompt is claimed (inserted) before it is sent and marked after, so a crash never sends one twice.
checkin_prompts = Table(
    "checkin_prompts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule_id", Integer, ForeignKey("checkin_schedules.id", ondelete="CASCADE"), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    # claimed / retry / sent / snoozed / reminded / answered / skipped / missed
    Column("state", String(12), nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("retry_at", UTCDateTime(), nullable=True),  # Discord failed (5xx, 429, outage): try again then
    Column("attempts", Integer, nullable=False, server_default="0"),
    UniqueConstraint("schedule_id", "due_at", name="uq_checkin_prompts_schedule_id_due_at"),
    Index("ix_checkin_prompts_state", "state", "claimed_at"),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("mood", Integer, nullable=False),
    Column("note", EncryptedText(1000), nullable=True),
    Column("tags", String(200), nullable=False, server_default=""),
    Column("prompt_id", Integer, nullable=True),
    # The /checkin now that offered the mood buttons: one check-in each, however often they are pressed.
    Column("request_id", BigInteger, nullable=True),
    Column("shared_at", UTCDateTime(), nullable=True),  # shared in the server's channel (once)
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("prompt_id", name="uq_checkins_prompt_id"),
    Index("ix_checkins_member_time", "guild_id", "user_id", "created_at"),
    Index("ix_checkins_request_id", "request_id", unique=True),
)

checkin_settings = Table(
    "checkin_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("default_time", String(5), nullable=True),
    Column("share_channel_id", BigInteger, nullable=True),
    Column("moderator_followup", Boolean, nullable=False, server_default=true()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

checkin_members = Table(
    "checkin_members",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    # After a low check-in, offer buttons to tell their buddy or ask a moderator (the member's own choice).
    Column("follow_up", Boolean, nullable=False, server_default=false()),
    Column("updated_at", UTCDateTime(), nullable=False),
)
