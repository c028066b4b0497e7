"""Support requests and peer flags (issue #16): settings, listeners, requests, relayed messages, flags,
check-ons, blocks and the "Did this help?" counts.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import EncryptedText, UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _big(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), autoincrement=False, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "support_settings",
        _big("guild_id"),
        _big("listener_role_id", True),
        _big("channel_id", True),
        sa.Column("topics", sa.Text(), nullable=True),
        sa.Column("reping_seconds", sa.Integer(), server_default="600", nullable=False),
        sa.Column("store_text", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("retention_days", sa.Integer(), server_default="30", nullable=False),
        sa.Column("requests_per_day", sa.Integer(), server_default="3", nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name="pk_support_settings"),
    )
    op.create_table(
        "support_listeners",
        _big("guild_id"),
        _big("user_id"),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("hours_from", sa.Integer(), nullable=True),
        sa.Column("hours_to", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name="pk_support_listeners"),
    )
    op.create_table(
        "support_requests",
        _id(),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("alias", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("first_message", EncryptedText(1000), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("listener_user_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("fallback_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("pings", sa.Integer(), server_default="0", nullable=False),
        sa.Column("feedback_given", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_support_requests"),
    )
    op.create_index("ix_support_requests_guild_status", "support_requests", ["guild_id", "status"])
    op.create_index("ix_support_requests_member", "support_requests", ["member_id", "status"])
    op.create_index("ix_support_requests_thread", "support_requests", ["thread_id"])
    op.create_table(
        "support_messages",
        _id(),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("from_member", sa.Boolean(), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column("text", EncryptedText(4000), nullable=True),
        sa.Column("images", sa.Integer(), server_default="0", nullable=False),
        sa.Column("parts_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["support_requests.id"],
            name="fk_support_messages_request_id_support_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_support_messages"),
        sa.UniqueConstraint("request_id", "source_id", name="uq_support_messages_request_id_source_id"),
    )
    op.create_table(
        "support_flags",
        _id(),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("reporter_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("note", EncryptedText(500), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("bad_faith", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("marked_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_support_flags"),
    )
    op.create_index("ix_support_flags_reporter", "support_flags", ["guild_id", "reporter_id", "created_at"])
    op.create_table(
        "support_checkons",
        _id(),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_by", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_support_checkons"),
    )
    op.create_index("ix_support_checkons_member", "support_checkons", ["guild_id", "member_id", "created_at"])
    op.create_table(
        "support_blocks",
        _big("guild_id"),
        _big("user_id"),
        _big("blocked_id"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", "blocked_id", name="pk_support_blocks"),
    )
    op.create_table(
        "support_feedback",
        _big("guild_id"),
        sa.Column("helped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("not_helped", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name="pk_support_feedback"),
    )


def downgrade() -> None:
    for name in ("support_feedback", "support_blocks"):
        op.drop_table(name)
    op.drop_index("ix_support_checkons_member", table_name="support_checkons")
    op.drop_table("support_checkons")
    op.drop_index("ix_support_flags_reporter", table_name="support_flags")
    op.drop_table("support_flags")
    op.drop_table("support_messages")
    for index in (
        "ix_support_requests_thread",
        "ix_support_requests_member",
        "ix_support_requests_guild_status",
    ):
        op.drop_index(index, table_name="support_requests")
    op.drop_table("support_requests")
    op.drop_table("support_listeners")
    op.drop_table("support_settings")
