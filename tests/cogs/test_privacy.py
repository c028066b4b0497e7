"""/privacy through the real bot: choices, export and delete of everything (row by row), and servers Haven leaves."""

from __future__ import annotations

import json
from typing import Any

import pytest
import simcord
from sqlalchemy import select

from bot.storage.engine import Database
from bot.storage.member_data import REGISTRY
from bot.storage.schema import metadata
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import haven
from tests.kit import World

NOTE = "MARKER-note-7f3a"
REPORT = "MARKER-report-91bc"
CRISIS = "I want to kill myself tonight MARKER-crisis"


class Place(World):
    """The kit's world with Robin (perhaps the same person as in another server) and Sam."""

    def __init__(self, env: simcord.Env, name: str, robin: Any = None) -> None:
        super().__init__(env, name=name, member=robin or "robin", moderator=f"mod-{name}")
        self.robin = self.member
        self.sam = self.add_member(f"sam-{name}")


async def fill(env: simcord.Env, place: Place) -> None:
    """Robin (and Sam) with data in every feature of one server."""
    services = haven(env).services
    gid = place.guild.id
    await place.moderator.slash(place.general, "setup alerts", channel=place.alerts, role=place.mods)
    await place.robin.slash(place.general, "checkin schedule", time="13:00", timezone="UTC")
    for member in (place.robin, place.sam):
        recorded = await services.checkins.record(gid, member.id, 2)
        assert recorded is not None
        await services.checkins.add_note(recorded.checkin_id, member.id, NOTE)
        await services.checkins.set_follow_up(gid, member.id, True)
        shown = await member.slash(place.general, "buddy join", looking_for="both", timezone="UTC")
        assert shown.response is not None
        await member.select(shown.response.message, ["Anxiety"])
        await env.advance_time(1)
    other = place.guild.add_member(env.create_user(f"kim-{place.guild.name}"))
    await services.buddies.block(gid, place.robin.id, other.id)
    await services.buddies.block(gid, other.id, place.robin.id)  # someone else's block stays theirs
    await services.buddies.report(gid, place.robin.id, place.sam.id, REPORT)
    await place.robin.send(place.general, CRISIS)
    await env.advance_time(1)


async def own_rows(db: Database, user_id: int) -> dict[tuple[str, str], int]:
    """How many rows the member owns per table (leaving out others' reports about them, and DMs queued for them,
    which grow when a buddy leaves: they're told kindly)."""
    found = await rows_about(db, user_id)
    left_out = {("buddy_reports", "subject_id"), ("buddy_outbox", "user_id")}
    return {key: len(rows) for key, rows in found.items() if key not in left_out}


async def rows_about(db: Database, user_id: int) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every row in every registered table whose member column holds ``user_id``."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    async with db.read() as conn:
        for coverage in REGISTRY:
            table = metadata.tables[coverage.table]
            for column in coverage.columns:
                result = await conn.execute(select(table).where(table.c[column.name] == user_id))
                rows = [dict(row) for row in result.mappings()]
                if rows:
                    found[(coverage.table, column.name)] = rows
    return found


@pytest.fixture
async def places(env: simcord.Env) -> tuple[Place, Place]:
    here = Place(env, "Support Circle")
    there = Place(env, "Night Owls", robin=here.robin.user)
    await haven(env).services.crisis.set_optout(here.robin.id, False)
    return here, there


async def test_show_lists_choices_and_buttons_change_them(env: simcord.Env, places) -> None:
    here, _ = places
    await fill(env, here)
    await haven(env).services.resources.remember_country(here.robin.id, "GB")

    shown = await here.robin.slash(here.general, "privacy show")

    assert shown.ephemeral and shown.response is not None
    [embed] = shown.response.embeds
    text = " ".join(str(f.value) for f in embed.fields)
    assert "on, on your schedule" in text and "taking part" in text
    assert "1 check-in" in text and "1 crisis alert about your messages" in text
    assert "United Kingdom" in text and "one setting for you across every server" in text
    buttons = [c.label for row in shown.response.message.components for c in row.children]
    assert buttons == [
        "Turn scanning off",
        "Stop my check-ins",
        "Leave buddy pairing",
        "Stop offering to tell my buddy",
    ]
    changed = await here.robin.click(shown.response.message, label="Turn scanning off")
    assert changed.response is not None and "off, as you chose" in " ".join(
        str(f.value) for f in changed.response.embeds[0].fields
    )
    assert await haven(env).services.crisis.opted_out(here.robin.id)
    changed = await here.robin.click(changed.response.message, label="Stop offering to tell my buddy")
    assert not await haven(env).services.checkins.follow_up(here.guild.id, here.robin.id)


async def test_export_has_every_feature_privately(env: simcord.Env, places) -> None:
    here, _ = places
    await fill(env, here)
    services = haven(env).services
    await services.resources.remember_country(here.robin.id, "GB")
    await services.crisis.set_optout(here.robin.id, True)

    result = await here.robin.slash(here.general, "privacy export")

    assert result.ephemeral and result.response is not None
    [attachment] = result.response.attachments
    assert attachment.filename == "haven-my-data.json"
    data = json.loads(await attachment.read())
    assert data["across_servers"]["saved_country"]["country_code"] == "GB"
    assert data["across_servers"]["scanning_opt_out"] is not None
    assert data["checkins"]["schedules"] and data["checkins"]["choices"][0]["follow_up"] is True
    assert [c["note"] for c in data["checkins"]["checkins"]] == [NOTE]
    assert data["buddies"]["profiles"] and data["buddies"]["pairings"]
    assert [b["user_id"] for b in data["buddies"]["blocks"]] == [here.robin.id]  # not who blocked them
    assert [r["text"] for r in data["buddies"]["reports_you_made"]] == [REPORT]
    [alert] = data["crisis"]["alerts_about_you"]
    assert "MARKER-crisis" in alert["excerpt"] and "claimed_by" not in alert
    assert all(set(p) >= {"status", "response"} and "user_id" not in p for p in data["buddies"]["pairings"])


async def test_a_reason_haven_wrote_for_moderators_reads_as_text_in_the_export_and_names_no_one(
    env: simcord.Env, places
) -> None:
    here, _ = places
    await fill(env, here)  # Robin reported Sam: a card for the moderators, an alert about Sam

    result = await here.sam.slash(here.general, "privacy export")

    assert result.response is not None
    [attachment] = result.response.attachments
    text = (await attachment.read()).decode()
    [alert] = json.loads(text)["crisis"]["alerts_about_you"]
    assert alert["matched"].startswith(
        "Someone in buddy pairing told the moderators privately about a problem."
    )
    assert "i18n:" not in text and REPORT not in text  # what Robin wrote stays Robin's
    assert str(here.robin.id) not in text  # and so does who reported


async def test_delete_here_then_everywhere_leaves_nothing_but_scrubbed_alerts(
    env: simcord.Env, places, database: Database
) -> None:
    here, there = places
    await fill(env, here)
    await fill(env, there)
    services = haven(env).services
    await services.resources.remember_country(here.robin.id, "GB")
    await services.crisis.set_optout(here.robin.id, True)
    sam_before = await own_rows(database, here.sam.id)

    asked = await here.robin.slash(here.general, "privacy delete")
    assert asked.ephemeral and asked.response is not None
    assert "stay with this server's moderators" in asked.response.content
    assert "excerpt and what matched are removed" in asked.response.content
    done = await here.robin.click(asked.response.message, label="Delete everything")
    assert done.response is not None and "in this server is gone" in done.response.content

    left = await rows_about(database, here.robin.id)
    for (table, column), rows in left.items():
        for row in rows:
            if row.get("guild_id") == here.guild.id:
                assert (table, column) in {("crisis_alerts", "member_id"), ("buddy_blocks", "blocked_id")}
    [alert_here] = [r for r in left[("crisis_alerts", "member_id")] if r["guild_id"] == here.guild.id]
    assert alert_here["excerpt"] is None and alert_here["matched"] == ""
    assert any(
        r["guild_id"] == there.guild.id for r in left[("checkins", "user_id")]
    )  # the other server's stay
    assert ("member_country", "user_id") in left and ("scan_optout", "user_id") in left  # per person: stay
    assert await own_rows(database, here.sam.id) == sam_before

    # From a DM (as someone who left a server would): every server, including per-person choices.
    asked = await here.robin.user.slash("privacy delete")
    assert asked.response is not None and "including servers you've left" in asked.response.content
    done = await here.robin.user.click(asked.response.message, label="Delete everything")
    assert done.response is not None and "gone in every server" in done.response.content

    left = await rows_about(database, here.robin.id)
    assert set(left) <= {("crisis_alerts", "member_id"), ("buddy_blocks", "blocked_id")}
    assert all(r["excerpt"] is None and r["matched"] == "" for r in left[("crisis_alerts", "member_id")])
    assert len(left[("crisis_alerts", "member_id")]) == 2
    assert await own_rows(database, here.sam.id) == sam_before
    sam_checkins = [r for r in (await rows_about(database, here.sam.id))[("checkins", "user_id")]]
    assert {r["note"] for r in sam_checkins} == {NOTE}


async def test_removed_server_data_goes_after_seven_days_unless_haven_is_back(
    env: simcord.Env, places, clock: FakeClock, database: Database
) -> None:
    here, there = places
    await fill(env, here)
    await fill(env, there)
    bot = haven(env)
    gone = bot.get_guild(here.guild.id)
    assert gone is not None
    await gone.leave()
    await env.advance_time(1)
    assert await bot.services.privacy.removal_date(here.guild.id) is not None

    cog = bot.get_cog("PrivacyCog")
    assert cog is not None and cog.purge_loop.is_running()  # type: ignore[attr-defined]
    clock.advance(days=6)
    await cog.purge_loop()  # type: ignore[attr-defined]  # the hourly loop's body (virtual hours are slow)
    assert any(
        r["guild_id"] == here.guild.id
        for r in (await rows_about(database, here.robin.id))[("checkins", "user_id")]
    )

    clock.advance(days=1, minutes=1)
    await cog.purge_loop()  # type: ignore[attr-defined]
    left = await rows_about(database, here.robin.id)
    assert all(r.get("guild_id") != here.guild.id for rows in left.values() for r in rows)
    assert any(r["guild_id"] == there.guild.id for r in left[("checkins", "user_id")])
    assert await bot.services.privacy.removal_date(here.guild.id) is None


async def test_added_back_within_the_grace_period_keeps_everything(
    env: simcord.Env, places, clock: FakeClock
) -> None:
    here, _ = places
    await fill(env, here)
    bot = haven(env)
    gone = bot.get_guild(here.guild.id)
    assert gone is not None
    await gone.leave()
    await env.advance_time(1)

    bot.dispatch(
        "guild_join", gone
    )  # as discord.py does when Haven is added back (simcord can't reuse an id)
    await env.advance_time(1)
    assert await bot.services.privacy.removal_date(here.guild.id) is None
    clock.advance(days=8)
    cog = bot.get_cog("PrivacyCog")
    assert cog is not None
    await cog.purge_loop()  # type: ignore[attr-defined]
    assert await bot.services.checkins.export_rows(here.guild.id, here.robin.id)


async def test_start_up_sweep_schedules_servers_removed_while_offline(
    env: simcord.Env, places, database: Database, clock: FakeClock
) -> None:
    here, _ = places
    await haven(env).services.checkins.record(424242, here.robin.id, 3)  # a server Haven isn't in any more
    await haven(env).services.checkins.record(here.guild.id, here.robin.id, 3)

    await env.restart_bot(build_bot(database, clock=clock))  # on_ready runs the sweep
    await env.advance_time(5)

    services = haven(env).services

    assert await services.privacy.removal_date(424242) is not None
    assert await services.privacy.removal_date(here.guild.id) is None
    assert await services.privacy.sweep({g.id for g in haven(env).guilds}) == [424242]  # and again: same date
