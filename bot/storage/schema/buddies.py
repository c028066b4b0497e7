"""Buddy pairing: settings, members, pairings, blocks, reports, and the DMs to send (written first, sent after)."""

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
    false,
)

from bot.storage.schema.core import metadata
from bot.storage.types import EncryptedText, UTCDateTime

# --- buddy pairing

buddy_settings = Table(
    "buddy_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("topics", Text, nullable=True),  # one per line; None means the default list
    Column("cadence", String(10), nullable=False, server_default="weekly"),
    Column("channel_id", BigInteger, nullable=True),  # private threads when DMs are closed
    Column("listener_role_id", BigInteger, nullable=True),
    Column("odd_rule", String(6), nullable=False, server_default="trio"),
    Column("history_rounds", Integer, nullable=False, server_default="6"),
    Column("round_number", Integer, nullable=False, server_default="0"),
    Column("round_started_at", UTCDateTime(), nullable=True),
    Column("next_round_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_settings_next_round", "next_round_at"),
)

buddy_members = Table(
    "buddy_members",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("topics", Text, nullable=False),  # one per line
    Column("timezone", String(64), nullable=False),
    Column("looking_for", String(8), nullable=False),
    Column("intro", EncryptedText(300), nullable=True),
    Column("status", String(8), nullable=False),  # waiting / paired / paused
    Column("paused_until", UTCDateTime(), nullable=True),
    Column("priority", Boolean, nullable=False, server_default=false()),  # goes first next time
    Column("sit_out_round", Integer, nullable=True),  # said "not this time" in this round
    Column("notice", String(40), nullable=True),  # something to tell them privately at their next command
    Column("joined_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_members_status", "guild_id", "status"),
)

buddy_pairings = Table(
    "buddy_pairings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("round_number", Integer, nullable=False),
    # pending (waiting for everyone's yes) / active / declined / expired / ended / completed
    Column("status", String(10), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("thread_id", BigInteger, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("respond_by", UTCDateTime(), nullable=False),
    Column("halfway_at", UTCDateTime(), nullable=True),
    Column("halfway_sent", Boolean, nullable=False, server_default=false()),
    Column("ended_at", UTCDateTime(), nullable=True),
    Index("ix_buddy_pairings_guild_status", "guild_id", "status"),
    Index("ix_buddy_pairings_status_respond_by", "status", "respond_by"),
)

buddy_pair_members = Table(
    "buddy_pair_members",
    metadata,
    Column("pairing_id", Integer, ForeignKey("buddy_pairings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("response", String(8), nullable=False, server_default="pending"),  # pending / accepted / declined
    Column("talked", String(8), nullable=True),  # yes / not_yet, from the halfway question
    Column("left", Boolean, nullable=False, server_default=false()),
    Index("ix_buddy_pair_members_member", "guild_id", "user_id"),
)

buddy_blocks = Table(
    "buddy_blocks",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("blocked_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# What a member asked moderators about (worried about my buddy, a report): recorded, rate-limited.
buddy_reports = Table(
    "buddy_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("pairing_id", Integer, nullable=True),
    Column("reporter_id", BigInteger, nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),  # worried / report
    Column("text", EncryptedText(1000), nullable=True),
    Column("alert_id", Integer, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_reports_reporter", "guild_id", "reporter_id", "created_at"),
)

# DMs to send (introductions, "you're buddies", endings, the halfway question): written first, sent after.
buddy_outbox = Table(
    "buddy_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("pairing_id", Integer, nullable=True),
    Column("kind", String(32), nullable=False),  # intro / buddies / declined_by_other / halfway / ...
    Column("about_id", BigInteger, nullable=True),  # who a "your buddy is having a hard day" DM is about
    Column("state", String(16), nullable=False),  # pending / sending / sent / undeliverable
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_outbox_due", "state", "next_attempt_at"),
)
