"""Migration 0014 on both engines: what the check-in claims and the buddy outbox still had to do becomes delivery
work items, once each, and nothing already sent comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.storage import migrate
from bot.storage.delivery import DeliveryRepository
from bot.storage.engine import Database


async def test_pending_prompts_reminders_and_buddy_dms_become_work_items(db_url: str) -> None:
    db = await Database.open(db_url, connect_timeout=5)
    try:
        await migrate.upgrade(db, "0013")
        now = datetime.now(UTC).replace(microsecond=0)
        async with db.transaction() as conn:
            for schedule_id, reminder in ((1, True), (2, False)):
                await conn.execute(
                    text(
                        "INSERT INTO checkin_schedules (id, guild_id, user_id, local_time, timezone, days_mask,"
                        " reminder, status, dm_notice, created_at, updated_at) VALUES (:id, 1, :user, '13:00',"
                        " 'UTC', 127, :reminder, 'active', false, :now, :now)"
                    ),
                    {"id": schedule_id, "user": 10 + schedule_id, "reminder": reminder, "now": now},
                )
            prompts = [
                (1, 1, "retry", now - timedelta(minutes=5)),  # waiting for another try
                (2, 1, "sent", now - timedelta(hours=2)),  # reminder still to come
                (3, 2, "sent", now - timedelta(hours=2)),  # no reminder wanted
                (4, 1, "answered", now - timedelta(days=1)),
            ]
            for prompt_id, schedule_id, state, claimed in prompts:
                await conn.execute(
                    text(
                        "INSERT INTO checkin_prompts (id, schedule_id, due_at, state, claimed_at, retry_at,"
                        " attempts) VALUES (:id, :schedule, :claimed, :state, :claimed, :retry, 1)"
                    ),
                    {
                        "id": prompt_id,
                        "schedule": schedule_id,
                        "state": state,
                        "claimed": claimed,
                        "retry": now if state == "retry" else None,
                    },
                )
            for message_id, state in ((1, "pending"), (2, "sending"), (3, "sent"), (4, "cancelled")):
                await conn.execute(
                    text(
                        "INSERT INTO buddy_outbox (id, guild_id, user_id, kind, state, attempts, next_attempt_at,"
                        " created_at) VALUES (:id, 1, 11, 'buddies', :state, 1, :now, :now)"
                    ),
                    {"id": message_id, "state": state, "now": now},
                )

        await migrate.upgrade(db)

        items = await DeliveryRepository(db).items()
        assert sorted((i.kind, i.ref) for i in items) == [
            ("buddy.dm", 1),
            ("buddy.dm", 2),
            ("checkin.prompt", 1),
            ("checkin.reminder", 2),
        ]
        reminder = next(i for i in items if i.kind == "checkin.reminder")
        assert reminder.due_at == now + timedelta(hours=1)  # three hours after it was sent
        async with db.read() as conn:
            states = dict((await conn.execute(text("SELECT id, state FROM checkin_prompts"))).all())
            outbox = dict((await conn.execute(text("SELECT id, state FROM buddy_outbox"))).all())
        assert states[1] == "claimed" and states[2] == "sent" and states[4] == "answered"
        assert outbox == {1: "pending", 2: "pending", 3: "sent", 4: "cancelled"}
    finally:
        await db.close()
