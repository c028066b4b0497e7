"""Crisis escalation: server settings, phrases and allow-list, ignores, opt-outs, the alert outbox, reveals.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crisis_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("scanning", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("auto_reply", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tell_member", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("allow_optout", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("cooldown_seconds", sa.Integer(), server_default="600", nullable=False),
        sa.Column("reping_seconds", sa.Integer(), server_default="300", nullable=False),
        sa.Column("escalation_role_id", sa.BigInteger(), nullable=True),
        sa.Column("retention_days", sa.Integer(), server_default="30", nullable=False),
        sa.Column("transparency_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("transparency_message_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name="pk_crisis_settings"),
    )
    op.create_table(
        "crisis_phrases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("phrase", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("allow", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crisis_phrases"),
        sa.UniqueConstraint("guild_id", "phrase", "allow", name="uq_crisis_phrases_guild_id_phrase_allow"),
    )
    op.create_table(
        "crisis_ignored",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("target_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("target_type", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "target_id", name="pk_crisis_ignored"),
    )
    op.create_table(
        "scan_optout",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_scan_optout"),
    )
    op.create_table(
        "crisis_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("from_dm", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("excerpt", sa.String(400), nullable=True),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("hits", sa.Integer(), server_default="1", nullable=False),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("card_state", sa.String(12), nullable=False),
        sa.Column("card_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("card_dirty", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reply_state", sa.String(12), nullable=False),
        sa.Column("owner_told", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("pings", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_ping_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crisis_alerts"),
        sa.UniqueConstraint("guild_id", "message_id", name="uq_crisis_alerts_guild_id_message_id"),
    )
    op.create_index("ix_crisis_alerts_due", "crisis_alerts", ["card_state", "next_attempt_at"])
    op.create_index("ix_crisis_alerts_guild_member", "crisis_alerts", ["guild_id", "member_id", "status"])
    op.create_table(
        "crisis_reveals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.BigInteger(), nullable=False),
        sa.Column("revealed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["crisis_alerts.id"],
            name="fk_crisis_reveals_alert_id_crisis_alerts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_crisis_reveals"),
    )


def downgrade() -> None:
    op.drop_table("crisis_reveals")
    op.drop_index("ix_crisis_alerts_guild_member", table_name="crisis_alerts")
    op.drop_index("ix_crisis_alerts_due", table_name="crisis_alerts")
    op.drop_table("crisis_alerts")
    op.drop_table("scan_optout")
    op.drop_table("crisis_ignored")
    op.drop_table("crisis_phrases")
    op.drop_table("crisis_settings")
