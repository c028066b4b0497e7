"""Check-in options: reminders, retries after Discord errors, server settings, each member's follow-up choice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "checkin_schedules", sa.Column("reminder", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("checkin_prompts", sa.Column("retry_at", UTCDateTime(), nullable=True))
    op.add_column("checkin_prompts", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
    op.create_index("ix_checkin_prompts_state", "checkin_prompts", ["state", "claimed_at"])
    op.create_table(
        "checkin_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("default_time", sa.String(5), nullable=True),
        sa.Column("share_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("moderator_followup", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name="pk_checkin_settings"),
    )
    op.create_table(
        "checkin_members",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("follow_up", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name="pk_checkin_members"),
    )


def downgrade() -> None:
    op.drop_table("checkin_members")
    op.drop_table("checkin_settings")
    op.drop_index("ix_checkin_prompts_state", table_name="checkin_prompts")
    with op.batch_alter_table("checkin_prompts") as batch:
        batch.drop_column("attempts")
        batch.drop_column("retry_at")
    with op.batch_alter_table("checkin_schedules") as batch:
        batch.drop_column("reminder")
