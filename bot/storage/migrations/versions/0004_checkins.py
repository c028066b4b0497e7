"""Check-ins: schedules, prompts (claimed before they are sent) and check-ins.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkin_schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("days_mask", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("paused_until", UTCDateTime(), nullable=True),
        sa.Column("next_due_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_checkin_schedules"),
        sa.UniqueConstraint("guild_id", "user_id", name="uq_checkin_schedules_guild_id_user_id"),
    )
    op.create_index("ix_checkin_schedules_due", "checkin_schedules", ["status", "next_due_at"])
    op.create_table(
        "checkin_prompts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["checkin_schedules.id"],
            name="fk_checkin_prompts_schedule_id_checkin_schedules",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_checkin_prompts"),
        sa.UniqueConstraint("schedule_id", "due_at", name="uq_checkin_prompts_schedule_id_due_at"),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("tags", sa.String(200), server_default="", nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
        sa.UniqueConstraint("prompt_id", name="uq_checkins_prompt_id"),
    )
    op.create_index("ix_checkins_member_time", "checkins", ["guild_id", "user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_checkins_member_time", table_name="checkins")
    op.drop_table("checkins")
    op.drop_table("checkin_prompts")
    op.drop_index("ix_checkin_schedules_due", table_name="checkin_schedules")
    op.drop_table("checkin_schedules")
