"""Table definitions (SQLAlchemy Core). Migrations under ``migrations/`` create them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text

from bot.storage.types import UTCDateTime

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
)

# Small facts the bot keeps about itself, such as the hash of the last synced command set.
bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
