"""One delivery engine: work items (leased, retried, found again) and the processes that lease them.

Alerts still waiting for their card, an edit, a re-ping or the member's reply become work items.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    items = op.create_table(
        "delivery_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("ref", sa.BigInteger(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_delivery_items_due", "delivery_items", ["state", "due_at"])
    op.create_index("ix_delivery_items_kind_ref", "delivery_items", ["kind", "ref", "state"])
    op.create_index("ix_delivery_items_owner", "delivery_items", ["lease_owner"])
    op.create_table(
        "delivery_instances",
        sa.Column("instance_id", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
    )
    _carry_over_pending_alerts(items)


def _carry_over_pending_alerts(items: sa.Table) -> None:
    """What the old alert outbox still had to do becomes work items, due now."""
    now = datetime.now(UTC)
    alerts = sa.table(
        "crisis_alerts",
        sa.column("id", sa.Integer()),
        sa.column("card_state", sa.String()),
        sa.column("card_dirty", sa.Boolean()),
        sa.column("reply_state", sa.String()),
        sa.column("status", sa.String()),
        sa.column("next_ping_at", UTCDateTime()),
    )
    conn = op.get_bind()
    rows: list[dict[str, object]] = []
    for alert in conn.execute(sa.select(alerts)):
        kinds: list[tuple[str, datetime]] = []
        if alert.card_state != "sent":
            kinds.append(("crisis.card", now))
        elif alert.card_dirty:
            kinds.append(("crisis.edit", now))
        if alert.reply_state == "pending":
            kinds.append(("crisis.reply", now))
        if alert.status == "open" and alert.next_ping_at is not None:
            kinds.append(("crisis.reping", alert.next_ping_at))
        for kind, due in kinds:
            nonce = hashlib.sha256(f"{kind}:{alert.id}:{now.isoformat()}".encode()).hexdigest()[:25]
            rows.append(
                {
                    "kind": kind,
                    "ref": alert.id,
                    "due_at": due,
                    "attempts": 1 if kind == "crisis.card" and alert.card_state == "sending" else 0,
                    "state": "pending",
                    "nonce": nonce,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if rows:
        op.bulk_insert(items, rows)


def downgrade() -> None:
    op.drop_table("delivery_instances")
    op.drop_index("ix_delivery_items_owner", table_name="delivery_items")
    op.drop_index("ix_delivery_items_kind_ref", table_name="delivery_items")
    op.drop_index("ix_delivery_items_due", table_name="delivery_items")
    op.drop_table("delivery_items")
