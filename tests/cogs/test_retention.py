"""Retention through the real bot: notes, buddy reports and alert excerpts past their period go (newer ones stay),
moderators change the periods within bounds, and members who left lose their check-ins after the grace period."""

from __future__ import annotations

from typing import Any

import pytest
import simcord
from sqlalchemy import select

from bot.domain.retention import RetentionOutOfBounds
from bot.storage.engine import Database
from bot.storage.schema import buddy_reports, checkin_schedules, checkins, crisis_alerts
from tests.conftest import FakeClock
from tests.helpers import fields, haven
from tests.kit import World

CRISIS = "I want to kill myself tonight"


class Place(World):
    """The kit's world with Robin (perhaps the same person as in another server) and Sam."""

    def __init__(self, env: simcord.Env, name: str, robin: Any = None) -> None:
        super().__init__(env, name=name, member=robin or "robin", moderator=f"mod-{name}")
        self.robin = self.member
        self.sam = self.add_member(f"sam-{name}")
        self.kim = self.add_member(f"kim-{name}")


@pytest.fixture
async def places(env: simcord.Env) -> tuple[Place, Place]:
    here = Place(env, "Support Circle")
    there = Place(env, "Night Owls", robin=here.robin.user)
    for place in (here, there):
        await place.moderator.slash(place.general, "setup alerts", channel=place.alerts, role=place.mods)
    return here, there


async def note(env: simcord.Env, place: Place, member: Any, text: str) -> None:
    services = haven(env).services
    recorded = await services.checkins.record(place.guild.id, member.id, 3)
    assert recorded is not None
    assert await services.checkins.add_note(recorded.checkin_id, member.id, text)


async def report(env: simcord.Env, place: Place, member: Any, text: str) -> None:
    alert = await haven(env).services.buddies.report(place.guild.id, member.id, place.kim.id, text)
    assert alert is not None


async def rows(db: Database, table: Any, guild_id: int) -> list[dict[str, Any]]:
    async with db.read() as conn:
        result = await conn.execute(select(table).where(table.c.guild_id == guild_id).order_by(table.c.id))
        return [dict(row) for row in result.mappings()]


async def purge(env: simcord.Env) -> None:
    """The hourly privacy loop's body (virtual hours are slow); the retention purge in it runs daily."""
    cog = haven(env).get_cog("PrivacyCog")
    assert cog is not None and cog.purge_loop.is_running()  # type: ignore[attr-defined]
    await cog.purge_loop()  # type: ignore[attr-defined]


def notes(found: list[dict[str, Any]]) -> list[str | None]:
    return [row["note"] for row in found]


def excerpts(found: list[dict[str, Any]]) -> dict[int, str | None]:
    return {row["member_id"]: row["excerpt"] for row in found if row["kind"] != "harassment"}


async def test_each_kind_goes_after_its_default_period_and_newer_ones_stay(
    env: simcord.Env, places, clock: FakeClock, database: Database
) -> None:
    here, _ = places
    await note(env, here, here.robin, "old note")
    await report(env, here, here.robin, "old report")
    await here.robin.send(here.general, CRISIS)
    await env.advance_time(1)

    clock.advance(days=100)
    await note(env, here, here.robin, "new note")
    await report(env, here, here.sam, "new report")
    await here.sam.send(here.general, CRISIS)
    await env.advance_time(1)
    await purge(env)

    alerts = await rows(database, crisis_alerts, here.guild.id)
    assert excerpts(alerts)[here.robin.id] is None  # 100 days > 30
    assert excerpts(alerts)[here.sam.id] is not None
    assert [r["text"] for r in await rows(database, buddy_reports, here.guild.id)] == ["new report"]  # > 90
    matched = [r["matched"] for r in alerts if r["kind"] == "harassment"]  # a report's words are in its alert
    assert len(matched) == 2 and "old report" not in matched[0] and "new report" in matched[1]
    assert notes(await rows(database, checkins, here.guild.id)) == ["old note", "new note"]  # < 365

    clock.advance(days=270)  # the old note is 370 days old, the new one 270
    await purge(env)
    found = await rows(database, checkins, here.guild.id)
    assert notes(found) == [None, "new note"]
    assert [r["mood"] for r in found] == [3, 3]  # the mood stays until the member deletes it


async def test_a_moderator_changes_a_period_and_the_purge_follows_it_in_that_server_only(
    env: simcord.Env, places, clock: FakeClock, database: Database
) -> None:
    here, there = places
    for place in (here, there):
        await note(env, place, place.robin, "a note")
        await report(env, place, place.robin, "a report")
        await place.robin.send(place.general, CRISIS)
    await env.advance_time(1)

    for kind, days, said in (("notes", 30, "30 days"), ("reports", 30, "30 days"), ("excerpts", 5, "5 days")):
        answer = await here.moderator.slash(here.general, "setup retention", kind=kind, days=days)
        assert answer.response is not None and answer.response.flags.ephemeral
        assert said in answer.response.content
    shown = await here.moderator.slash(here.general, "setup show")
    assert shown.response is not None
    kept = fields(shown.response.embeds[0])["How long members' words are kept"]
    assert "Alert excerpts and what matched: 5 days" in kept
    assert "Check-in notes: 30 days" in kept and "Buddy worries and reports: 30 days" in kept

    member_view = await here.robin.slash(here.general, "privacy show")
    assert member_view.response is not None
    kept = fields(member_view.response.embeds[0])["How long members' words are kept"]
    assert "Check-in notes: 30 days" in kept and "deleted 7 days later" in kept

    clock.advance(days=10)
    await purge(env)
    assert excerpts(await rows(database, crisis_alerts, here.guild.id))[here.robin.id] is None
    assert excerpts(await rows(database, crisis_alerts, there.guild.id))[there.robin.id] is not None
    assert notes(await rows(database, checkins, here.guild.id)) == ["a note"]

    clock.advance(days=21)
    await purge(env)
    assert notes(await rows(database, checkins, here.guild.id)) == [None]
    assert await rows(database, buddy_reports, here.guild.id) == []
    assert notes(await rows(database, checkins, there.guild.id)) == ["a note"]  # defaults there: 365 days
    assert [r["text"] for r in await rows(database, buddy_reports, there.guild.id)] == ["a report"]


async def test_a_period_out_of_bounds_gets_a_kind_answer_and_changes_nothing(
    env: simcord.Env, places
) -> None:
    here, _ = places
    answer = await here.moderator.slash(here.general, "setup retention", kind="notes", days=10)
    assert answer.response is not None and answer.response.flags.ephemeral
    assert "30 to 730 days" in answer.response.content and "nothing was changed" in answer.response.content
    answer = await here.moderator.slash(here.general, "setup retention", kind="excerpts", days=400)
    assert answer.response is not None and "1 to 365 days" in answer.response.content
    assert all(isinstance(getattr(e, "original", e), RetentionOutOfBounds) for e in env.errors)  # the funnel
    periods = await haven(env).services.retention.periods(here.guild.id)
    assert (periods.excerpts, periods.notes, periods.reports) == (30, 365, 90)


async def schedule_and_note(env: simcord.Env, place: Place, member: Any) -> None:
    await member.slash(place.general, "checkin schedule", time="13:00", timezone="UTC")
    await note(env, place, member, "mine")


async def test_a_member_who_left_loses_their_check_ins_there_after_seven_days(
    env: simcord.Env, places, clock: FakeClock, database: Database
) -> None:
    here, there = places
    for place in (here, there):
        await schedule_and_note(env, place, place.robin)
    await schedule_and_note(env, here, here.sam)

    here.guild.remove_member(here.robin)
    await env.advance_time(1)
    retention = haven(env).services.retention
    assert await retention.departure(here.guild.id, here.robin.id) is not None

    clock.advance(days=6)
    await purge(env)
    assert {r["user_id"] for r in await rows(database, checkins, here.guild.id)} == {
        here.robin.id,
        here.sam.id,
    }

    clock.advance(days=1, minutes=1)
    await purge(env)
    assert {r["user_id"] for r in await rows(database, checkins, here.guild.id)} == {here.sam.id}
    assert {r["user_id"] for r in await rows(database, checkin_schedules, here.guild.id)} == {here.sam.id}
    assert [r["user_id"] for r in await rows(database, checkins, there.guild.id)] == [there.robin.id]
    assert await rows(database, checkin_schedules, there.guild.id) != []
    assert await retention.departure(here.guild.id, here.robin.id) is None


async def test_a_member_who_rejoined_keeps_their_check_ins(
    env: simcord.Env, places, clock: FakeClock, database: Database
) -> None:
    here, _ = places
    await schedule_and_note(env, here, here.robin)
    here.guild.remove_member(here.robin)
    await env.advance_time(1)
    here.guild.add_member(here.robin.user)
    await env.advance_time(1)
    assert await haven(env).services.retention.departure(here.guild.id, here.robin.id) is None

    clock.advance(days=8)
    await purge(env)
    assert notes(await rows(database, checkins, here.guild.id)) == ["mine"]
