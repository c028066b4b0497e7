"""Privacy bookkeeping (servers Haven left, members who left) and the one delivery engine's work items."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
)

from bot.storage.schema.core import metadata
from bot.storage.types import UTCDateTime

# --- privacy

# Servers Haven was removed from: their data is deleted after a grace period unless Haven is added back.
guild_removals = Table(
    "guild_removals",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("removed_at", UTCDateTime(), nullable=False),
    Column("purge_after", UTCDateTime(), nullable=False, index=True),
)

# Members who left a server: their check-ins, notes and schedule there go after a grace period unless they rejoin.
member_departures = Table(
    "member_departures",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("left_at", UTCDateTime(), nullable=False),
    Column("purge_after", UTCDateTime(), nullable=False, index=True),
)

# --- delivery

delivery_items = Table(
    "delivery_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),  # crisis.card / crisis.edit / crisis.reping / crisis.reply
    Column("ref", BigInteger, nullable=False),  # what the item is about (an alert id)
    Column("due_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("state", String(12), nullable=False),  # pending / leased / done
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("nonce", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_delivery_items_due", "state", "due_at"),
    Index("ix_delivery_items_kind_ref", "kind", "ref", "state"),
    Index("ix_delivery_items_owner", "lease_owner"),
)

delivery_instances = Table(
    "delivery_instances",
    metadata,
    Column("instance_id", String(64), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
)
