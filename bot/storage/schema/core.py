"""Per-server settings, the bot's own facts, a member's remembered country and app language, and local resources."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from bot.storage.types import EncryptedText, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Per-server settings; later features add their own columns or tables.
guild_settings = Table(
    "guild_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("alert_channel_id", BigInteger, nullable=True),
    Column("moderator_role_id", BigInteger, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Retention in days (bot/domain/retention.py); alert excerpts keep theirs in crisis_settings.retention_days.
    Column("note_retention_days", Integer, nullable=False, server_default="365"),
    Column("report_retention_days", Integer, nullable=False, server_default="90"),
)

# Small facts the bot keeps about itself, such as the hash of the last synced command set.
bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The country a member chose to remember for /resources (their own choice; deleted on request).
member_country = Table(
    "member_country",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("country_code", String(2), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The language of a member's Discord app, seen on their last command or button, so DMs Haven starts itself
# (check-in prompts, buddy messages, a crisis reply) are in their language. Not per server: it is the app's setting.
member_locale = Table(
    "member_locale",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("locale", String(16), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Resources a server's moderators added (shown first in that server only).
local_resources = Table(
    "local_resources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("description", String(200), nullable=False),
    Column("phone", String(30), nullable=True),
    Column("url", String(200), nullable=True),
    Column("topic", String(40), nullable=True),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Correction reports about a listed line, for maintainers (no member identity is stored).
resource_reports = Table(
    "resource_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=True),
    Column("country_code", String(2), nullable=True),
    Column("topic", String(40), nullable=False),
    Column("line_ids", Text, nullable=False),
    Column("text", EncryptedText(1000), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)
