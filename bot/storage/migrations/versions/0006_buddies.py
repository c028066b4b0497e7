"""Buddy pairing: server settings, members, pairings, blocks, reports and the DM outbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buddy_blocks",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("blocked_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", "blocked_id", name=op.f("pk_buddy_blocks")),
    )
    op.create_table(
        "buddy_members",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("looking_for", sa.String(length=8), nullable=False),
        sa.Column("intro", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("paused_until", UTCDateTime(), nullable=True),
        sa.Column("priority", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("sit_out_round", sa.Integer(), nullable=True),
        sa.Column("notice", sa.String(length=40), nullable=True),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_buddy_members")),
    )
    op.create_index("ix_buddy_members_status", "buddy_members", ["guild_id", "status"], unique=False)
    op.create_table(
        "buddy_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_outbox")),
    )
    op.create_index("ix_buddy_outbox_due", "buddy_outbox", ["state", "next_attempt_at"], unique=False)
    op.create_table(
        "buddy_pairings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("respond_by", UTCDateTime(), nullable=False),
        sa.Column("halfway_at", UTCDateTime(), nullable=True),
        sa.Column("halfway_sent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_pairings")),
    )
    op.create_index("ix_buddy_pairings_guild_status", "buddy_pairings", ["guild_id", "status"], unique=False)
    op.create_index(
        "ix_buddy_pairings_status_respond_by", "buddy_pairings", ["status", "respond_by"], unique=False
    )
    op.create_table(
        "buddy_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_reports")),
    )
    op.create_index(
        "ix_buddy_reports_reporter", "buddy_reports", ["guild_id", "reporter_id", "created_at"], unique=False
    )
    op.create_table(
        "buddy_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("topics", sa.Text(), nullable=True),
        sa.Column("cadence", sa.String(length=10), server_default="weekly", nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("listener_role_id", sa.BigInteger(), nullable=True),
        sa.Column("odd_rule", sa.String(length=6), server_default="trio", nullable=False),
        sa.Column("history_rounds", sa.Integer(), server_default="6", nullable=False),
        sa.Column("round_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("round_started_at", UTCDateTime(), nullable=True),
        sa.Column("next_round_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_buddy_settings")),
    )
    op.create_index("ix_buddy_settings_next_round", "buddy_settings", ["next_round_at"], unique=False)
    op.create_table(
        "buddy_pair_members",
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("response", sa.String(length=8), server_default="pending", nullable=False),
        sa.Column("talked", sa.String(length=8), nullable=True),
        sa.Column("left", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["buddy_pairings.id"],
            name=op.f("fk_buddy_pair_members_pairing_id_buddy_pairings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pairing_id", "user_id", name=op.f("pk_buddy_pair_members")),
    )
    op.create_index(
        "ix_buddy_pair_members_member", "buddy_pair_members", ["guild_id", "user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_buddy_pair_members_member", table_name="buddy_pair_members")
    op.drop_table("buddy_pair_members")
    op.drop_index("ix_buddy_settings_next_round", table_name="buddy_settings")
    op.drop_table("buddy_settings")
    op.drop_index("ix_buddy_reports_reporter", table_name="buddy_reports")
    op.drop_table("buddy_reports")
    op.drop_index("ix_buddy_pairings_status_respond_by", table_name="buddy_pairings")
    op.drop_index("ix_buddy_pairings_guild_status", table_name="buddy_pairings")
    op.drop_table("buddy_pairings")
    op.drop_index("ix_buddy_outbox_due", table_name="buddy_outbox")
    op.drop_table("buddy_outbox")
    op.drop_index("ix_buddy_members_status", table_name="buddy_members")
    op.drop_table("buddy_members")
    op.drop_table("buddy_blocks")
