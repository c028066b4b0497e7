"""Support: who revealed an anonymous member from a crisis alert about their conversation, and when; the channel
a request was made in (a member with closed DMs gets a private thread there).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("support_requests") as batch:
        batch.add_column(sa.Column("identity_revealed_by", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("identity_revealed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("origin_channel_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("support_requests") as batch:
        batch.drop_column("origin_channel_id")
        batch.drop_column("identity_revealed_at")
        batch.drop_column("identity_revealed_by")
