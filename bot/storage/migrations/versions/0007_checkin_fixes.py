"""Check-in fixes: one check-in per /checkin now, one share per check-in, the closed-DMs notice shown once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checkins", sa.Column("request_id", sa.BigInteger(), nullable=True))
    op.add_column("checkins", sa.Column("shared_at", UTCDateTime(), nullable=True))
    op.create_index("ix_checkins_request_id", "checkins", ["request_id"], unique=True)
    op.add_column(
        "checkin_schedules",
        sa.Column("dm_notice", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Schedules paused for closed DMs before this revision: their member hasn't been told yet.
    op.execute("UPDATE checkin_schedules SET dm_notice = TRUE WHERE status = 'dm_closed'")


def downgrade() -> None:
    with op.batch_alter_table("checkin_schedules") as batch:
        batch.drop_column("dm_notice")
    op.drop_index("ix_checkins_request_id", table_name="checkins")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("shared_at")
        batch.drop_column("request_id")
