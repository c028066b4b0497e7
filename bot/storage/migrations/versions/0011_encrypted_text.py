"""Encrypted free text: the columns that hold it become TEXT, since ciphertext is longer than the text.

SQLite doesn't enforce a VARCHAR's length, so its columns keep their declared types. The text itself is encrypted
by Haven at start-up (it needs the data key, which a migration doesn't have): see docs/PRIVACY.md.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# (table, column, the declared length before)
COLUMNS = (
    ("resource_reports", "text", 1000),
    ("crisis_alerts", "excerpt", 400),
    ("checkins", "note", 1000),
    ("buddy_members", "intro", 300),
    ("buddy_reports", "text", 1000),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, length in COLUMNS:
        op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    # The columns stay TEXT: encrypted values don't fit the old lengths, and an older Haven can't read them anyway.
    pass
