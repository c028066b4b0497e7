"""Buddy DMs about someone ("your buddy is having a hard day"): who the DM is about.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("buddy_outbox", sa.Column("about_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("buddy_outbox", "about_id")
