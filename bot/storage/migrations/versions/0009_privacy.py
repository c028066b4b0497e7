"""Servers Haven was removed from, waiting out the grace period before their data is deleted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guild_removals",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=False),
        sa.Column("purge_after", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_removals")),
    )
    op.create_index(op.f("ix_guild_removals_purge_after"), "guild_removals", ["purge_after"])


def downgrade() -> None:
    op.drop_index(op.f("ix_guild_removals_purge_after"), table_name="guild_removals")
    op.drop_table("guild_removals")
