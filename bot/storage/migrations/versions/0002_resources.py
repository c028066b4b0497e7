"""Resources: a member's remembered country, server-local resources, correction reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_country",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_member_country"),
    )
    op.create_table(
        "local_resources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("url", sa.String(200), nullable=True),
        sa.Column("topic", sa.String(40), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_local_resources"),
    )
    op.create_index("ix_local_resources_guild_id", "local_resources", ["guild_id"])
    op.create_table(
        "resource_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("country_code", sa.String(2), nullable=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("line_ids", sa.Text(), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_resource_reports"),
    )


def downgrade() -> None:
    op.drop_table("resource_reports")
    op.drop_index("ix_local_resources_guild_id", table_name="local_resources")
    op.drop_table("local_resources")
    op.drop_table("member_country")
