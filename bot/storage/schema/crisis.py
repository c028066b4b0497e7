"""Crisis escalation: settings, phrases, opt-outs, the alerts (the outbox) and who revealed what."""

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

# --- crisis escalation -------------------------------------------------------------------------------------------

crisis_settings = Table(
    "crisis_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("scanning", Boolean, nullable=False, server_default=true()),
    Column("auto_reply", Boolean, nullable=False, server_default=true()),
    Column("tell_member", Boolean, nullable=False, server_default=true()),
    Column("allow_optout", Boolean, nullable=False, server_default=true()),
    Column("cooldown_seconds", Integer, nullable=False, server_default="600"),
    Column("reping_seconds", Integer, nullable=False, server_default="300"),
    Column("escalation_role_id", BigInteger, nullable=True),
    Column("retention_days", Integer, nullable=False, server_default="30"),
    Column("transparency_channel_id", BigInteger, nullable=True),
    Column("transparency_message_id", BigInteger, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

crisis_phrases = Table(
    "crisis_phrases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("phrase", String(100), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("allow", Boolean, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("guild_id", "phrase", "allow", name="uq_crisis_phrases_guild_id_phrase_allow"),
)

crisis_ignored = Table(
    "crisis_ignored",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("target_id", BigInteger, primary_key=True, autoincrement=False),
    Column("target_type", String(10), nullable=False),
)

scan_optout = Table(
    "scan_optout",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# The outbox: an alert is written here before anything is sent, and delivered (and re-pinged) from here.
crisis_alerts = Table(
    "crisis_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=True),
    Column("message_id", BigInteger, nullable=False),
    Column("from_dm", Boolean, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("excerpt", EncryptedText(400), nullable=True),
    Column("matched", EncryptedText(), nullable=False),
    Column("status", String(12), nullable=False),
    Column("hits", Integer, nullable=False, server_default="1"),
    Column("card_message_id", BigInteger, nullable=True),
    Column("card_state", String(12), nullable=False),  # pending / sending / sent / failed
    Column("card_attempts", Integer, nullable=False, server_default="0"),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("card_dirty", Boolean, nullable=False, server_default=false()),
    Column("reply_state", String(12), nullable=False),  # pending / sent / closed / none
    Column("owner_told", Boolean, nullable=False, server_default=false()),
    Column("pings", Integer, nullable=False, server_default="0"),
    Column("next_ping_at", UTCDateTime(), nullable=True),
    Column("claimed_by", BigInteger, nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("closed_by", BigInteger, nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("guild_id", "message_id", name="uq_crisis_alerts_guild_id_message_id"),
    Index("ix_crisis_alerts_due", "card_state", "next_attempt_at"),
    Index("ix_crisis_alerts_guild_member", "guild_id", "member_id", "status"),
)

crisis_reveals = Table(
    "crisis_reveals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("crisis_alerts.id", ondelete="CASCADE"), nullable=False),
    Column("moderator_id", BigInteger, nullable=False),
    Column("revealed_at", UTCDateTime(), nullable=False),
)
