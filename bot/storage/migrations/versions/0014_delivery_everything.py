"""Check-in prompts, their reminders and buddy DMs go through the delivery engine too.

What their own claims and outbox still had to do becomes delivery work items: prompts waiting for a retry (they go back
to ``claimed``; the engine drops them once past the 2-hour grace window), reminders still due for prompts sent in the
last four hours, and buddy DMs not sent yet (one left ``sending`` by a stopped process counts as tried once, so the
handler looks at it as a recovery). Nothing is sent twice: each row gets at most one pending item.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PROMPT, REMINDER, BUDDY_DM = "checkin.prompt", "checkin.reminder", "buddy.dm"
REMIND_AFTER = timedelta(hours=3)
REMIND_WITHIN = timedelta(hours=1)

items = sa.table(
    "delivery_items",
    sa.column("kind", sa.String()),
    sa.column("ref", sa.BigInteger()),
    sa.column("due_at", UTCDateTime()),
    sa.column("attempts", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("nonce", sa.String()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
prompts = sa.table(
    "checkin_prompts",
    sa.column("id", sa.Integer()),
    sa.column("schedule_id", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("retry_at", UTCDateTime()),
    sa.column("claimed_at", UTCDateTime()),
    sa.column("attempts", sa.Integer()),
)
schedules = sa.table("checkin_schedules", sa.column("id", sa.Integer()), sa.column("reminder", sa.Boolean()))
outbox = sa.table(
    "buddy_outbox",
    sa.column("id", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("next_attempt_at", UTCDateTime()),
)


def _item(kind: str, ref: int, due: datetime, attempts: int, now: datetime) -> dict[str, object]:
    nonce = hashlib.sha256(f"{kind}:{ref}:{now.isoformat()}".encode()).hexdigest()[:25]
    return {
        "kind": kind,
        "ref": ref,
        "due_at": due,
        "attempts": attempts,
        "state": "pending",
        "nonce": nonce,
        "created_at": now,
        "updated_at": now,
    }


def upgrade() -> None:
    now = datetime.now(UTC)
    conn = op.get_bind()
    rows: list[dict[str, object]] = []
    for prompt in conn.execute(sa.select(prompts.c.id, prompts.c.retry_at).where(prompts.c.state == "retry")):
        rows.append(_item(PROMPT, prompt.id, min(prompt.retry_at or now, now), 1, now))
    conn.execute(sa.update(prompts).where(prompts.c.state == "retry").values(state="claimed", retry_at=None))
    sent = sa.select(prompts.c.id, prompts.c.claimed_at).where(
        prompts.c.state == "sent",
        prompts.c.claimed_at > now - REMIND_AFTER - REMIND_WITHIN,
        prompts.c.schedule_id.in_(sa.select(schedules.c.id).where(schedules.c.reminder.is_(True))),
    )
    for prompt in conn.execute(sent):
        rows.append(_item(REMINDER, prompt.id, prompt.claimed_at + REMIND_AFTER, 0, now))
    waiting = sa.select(outbox.c.id, outbox.c.state, outbox.c.attempts, outbox.c.next_attempt_at).where(
        outbox.c.state.in_(("pending", "sending"))
    )
    for message in conn.execute(waiting):
        due = now if message.state == "sending" else min(message.next_attempt_at, now)
        rows.append(_item(BUDDY_DM, message.id, due, message.attempts or 0, now))
    conn.execute(sa.update(outbox).where(outbox.c.state == "sending").values(state="pending"))
    if rows:
        op.bulk_insert(items, rows)  # type: ignore[arg-type]


def downgrade() -> None:
    """Back to the old claims: prompts still waiting go back to ``retry``; pending buddy DMs are due now."""
    now = datetime.now(UTC)
    conn = op.get_bind()
    waiting = sa.select(items.c.ref).where(items.c.kind == PROMPT, items.c.state.in_(("pending", "leased")))
    conn.execute(
        sa.update(prompts)
        .where(prompts.c.state == "claimed", prompts.c.id.in_(waiting))
        .values(state="retry", retry_at=now)
    )
    conn.execute(sa.update(outbox).where(outbox.c.state == "pending").values(next_attempt_at=now))
    conn.execute(sa.delete(items).where(items.c.kind.in_((PROMPT, REMINDER, BUDDY_DM))))
