"""Retention per kind of member text, and members who left a server (their check-ins go after a grace period).

Alert excerpts keep their period in ``crisis_settings.retention_days``; check-in notes and buddy reports get theirs
here. ``member_departures`` notes who left which server and when their check-ins will be deleted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "guild_settings", sa.Column("note_retention_days", sa.Integer(), server_default="365", nullable=False)
    )
    op.add_column(
        "guild_settings",
        sa.Column("report_retention_days", sa.Integer(), server_default="90", nullable=False),
    )
    op.create_table(
        "member_departures",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=False),
        sa.Column("purge_after", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name="pk_member_departures"),
    )
    op.create_index("ix_member_departures_purge_after", "member_departures", ["purge_after"])


def downgrade() -> None:
    op.drop_index("ix_member_departures_purge_after", table_name="member_departures")
    op.drop_table("member_departures")
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("report_retention_days")
        batch.drop_column("note_retention_days")
