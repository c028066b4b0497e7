"""Support requests and peer flags (issue #16): settings, listeners, requests, relayed messages, flags."""

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
    Text,
    UniqueConstraint,
    false,
)

from bot.storage.schema.core import metadata
from bot.storage.types import EncryptedText, UTCDateTime

# --- support requests and peer flags (issue #16)

support_settings = Table(
    "support_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("listener_role_id", BigInteger, nullable=True),
    Column("channel_id", BigInteger, nullable=True),
    Column("topics", Text, nullable=True),  # comma-separated; NULL: the default topics
    Column("reping_seconds", Integer, nullable=False, server_default="600"),
    Column("store_text", Boolean, nullable=False, server_default=false()),
    Column("retention_days", Integer, nullable=False, server_default="30"),
    Column("requests_per_day", Integer, nullable=False, server_default="3"),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Listeners who said they are available (or away), with optional hours in their own time zone.
support_listeners = Table(
    "support_listeners",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("available", Boolean, nullable=False),
    Column("timezone", String(64), nullable=True),
    Column("hours_from", Integer, nullable=True),
    Column("hours_to", Integer, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

support_requests = Table(
    "support_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("alias", Integer, nullable=False),
    Column("topic", String(100), nullable=False),
    Column("first_message", EncryptedText(1000), nullable=True),
    Column("status", String(12), nullable=False),
    Column("listener_user_id", BigInteger, nullable=True),
    Column("thread_id", BigInteger, nullable=True),  # the listener's private thread
    Column(
        "fallback_thread_id", BigInteger, nullable=True
    ),  # the member's private thread when DMs are closed
    Column("card_message_id", BigInteger, nullable=True),
    Column("pings", Integer, nullable=False, server_default="0"),
    Column("feedback_given", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("ended_at", UTCDateTime(), nullable=True),
    # A moderator revealed who an anonymous member is, from a crisis alert about the relay (who, when).
    Column("identity_revealed_by", BigInteger, nullable=True),
    Column("identity_revealed_at", UTCDateTime(), nullable=True),
    # Where the member asked (a server channel): a member with closed DMs gets a private thread there.
    Column("origin_channel_id", BigInteger, nullable=True),
    Index("ix_support_requests_guild_status", "guild_id", "status"),
    Index("ix_support_requests_member", "member_id", "status"),
    Index("ix_support_requests_thread", "thread_id"),
)

# Messages across the bridge, kept until relayed; the text is then wiped, or kept for the server's retention period.
support_messages = Table(
    "support_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, ForeignKey("support_requests.id", ondelete="CASCADE"), nullable=False),
    Column("from_member", Boolean, nullable=False),
    Column("source_id", BigInteger, nullable=False),  # the Discord message relayed (each is relayed once)
    Column("text", EncryptedText(4000), nullable=True),
    Column("images", Integer, nullable=False, server_default="0"),
    Column("parts_sent", Integer, nullable=False, server_default="0"),
    Column("state", String(12), nullable=False),  # pending / sent / dropped
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    UniqueConstraint("request_id", "source_id", name="uq_support_messages_request_id_source_id"),
)

support_flags = Table(
    "support_flags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("reporter_id", BigInteger, nullable=False),  # the flagger: never shown to the author
    Column("subject_id", BigInteger, nullable=False),  # the author of the flagged message
    Column("channel_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("note", EncryptedText(500), nullable=True),
    Column("alert_id", Integer, nullable=True),
    Column("bad_faith", Boolean, nullable=False, server_default=false()),
    Column("marked_by", BigInteger, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_support_flags_reporter", "guild_id", "reporter_id", "created_at"),
)

support_checkons = Table(
    "support_checkons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("sent_by", BigInteger, nullable=False),
    Column("state", String(12), nullable=False),  # pending / sent / closed (DMs closed)
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Index("ix_support_checkons_member", "guild_id", "member_id", "created_at"),
)

# Blocks both ways: a member who blocked a listener is never offered to them, and the other way round.
support_blocks = Table(
    "support_blocks",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("blocked_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# "Did this help?" is kept only as these counts.
support_feedback = Table(
    "support_feedback",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("helped", Integer, nullable=False, server_default="0"),
    Column("not_helped", Integer, nullable=False, server_default="0"),
)
