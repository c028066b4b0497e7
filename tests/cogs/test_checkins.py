"""Check-ins through the real bot: now, on a schedule by DM across daylight saving and a restart, and DMs closed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import discord
import pytest
import simcord
from PIL import Image

from bot.storage.engine import Database
from bot.ui.chart import HEIGHT, WIDTH
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import haven
from tests.kit import World, tick

MANAGE = discord.Permissions(manage_guild=True)


@pytest.fixture
async def place(world: World):
    return world.guild, world.general, world.member


def labels(message) -> list[str | None]:
    return [
        getattr(c, "label", None) or getattr(c, "placeholder", None)
        for row in message.components
        for c in row.children
    ]


def prompts(member) -> list:
    return [m for m in member.user.dm_channel.history() if "check-in time" in m.content]


async def test_check_in_now_privately_with_note_and_tags(env: simcord.Env, place) -> None:
    _, channel, member = place

    shown = await member.slash(channel, "checkin now")
    assert shown.ephemeral and shown.response is not None
    assert labels(shown.response.message) == ["Awful", "Low", "Okay", "Good", "Great"]

    saved = await member.click(shown.response.message, label="Good")
    # The private mood message itself becomes the confirmation (so its mood buttons are gone).
    assert saved.response is not None and saved.response.ephemeral
    assert saved.response.id == shown.response.id
    assert saved.response.content.startswith("Saved: 🙂 Good. Thanks for checking in.")
    form = await member.click(saved.response.message, label="Add a note")
    noted = await member.submit_modal(form, {"note": "slept well"})
    assert noted.response is not None and "Note saved" in noted.response.content
    tagged = await member.select(saved.response.message, ["sleep", "social"])
    assert tagged.response is not None and "Tags saved" in tagged.response.content
    assert (await haven(env).services.checkins.export_rows(channel.guild.id, member.id))[0][1:] == (
        4,
        "sleep social",
        "slept well",
    )


async def test_a_very_low_check_in_offers_help_privately(env: simcord.Env, place) -> None:
    _, channel, member = place
    shown = await member.slash(channel, "checkin now")
    assert shown.response is not None

    saved = await member.click(shown.response.message, label="Awful")

    assert saved.response is not None
    assert "You don't have to go through it alone" in saved.response.content
    assert saved.response.embeds[0].title == "Finding support"  # no country assumed


async def test_bad_time_and_unknown_timezone_get_clear_answers(env: simcord.Env, place) -> None:
    _, channel, member = place

    bad_time = await member.slash(channel, "checkin schedule", time="25:99", timezone="Europe/Berlin")
    bad_zone = await member.slash(channel, "checkin schedule", time="9pm", timezone="Berlinn")

    assert bad_time.response is not None and "Try 21:30, 9pm or 9:30 am" in bad_time.response.content
    assert bad_zone.response is not None and "Europe/Berlin" in bad_zone.response.content
    env.errors  # noqa: B018


async def test_timezone_autocomplete_finds_cities(env: simcord.Env, place) -> None:
    _, channel, member = place

    choices = await member.autocomplete(channel, "checkin schedule", "timezone", "new york")

    assert choices[0]["value"] == "America/New_York"


async def test_a_week_of_prompts_across_daylight_saving_and_a_restart(
    env: simcord.Env, place, clock: FakeClock, database: Database
) -> None:
    _, channel, member = place
    clock.now = datetime(
        2026, 3, 26, 10, 0, tzinfo=UTC
    )  # Thursday; Berlin springs forward on Sunday the 29th
    await member.slash(channel, "checkin schedule", time="9:00", timezone="Europe/Berlin")

    for day in range(7):
        if day == 3:
            await env.restart_bot(build_bot(database, clock=clock))
        clock.now = datetime(2026, 3, 27, 6, 0, tzinfo=UTC) + timedelta(days=day)
        await tick(env, clock, hours=2)  # past 09:00 Berlin whether it is UTC+1 or UTC+2

    sent = prompts(member)
    assert len(sent) == 7
    service = haven(env).services.checkins
    due = []
    for message in sent:
        custom = message.components[0].children[0].custom_id
        prompt = await service.prompt(int(custom.split(":")[2]))
        assert prompt is not None
        due.append(prompt.due_at)
    assert [d.strftime("%d %H:%M") for d in due] == [
        "27 08:00",
        "28 08:00",
        "29 07:00",
        "30 07:00",
        "31 07:00",
        "01 07:00",
        "02 07:00",
    ]  # 09:00 in Berlin every day: UTC+1, then UTC+2

    answered = await member.user.click(sent[-1], label="Okay")
    assert answered.response is not None and answered.response.content.startswith("Saved: 😐 Okay.")


async def test_prompt_buttons_work_after_a_restart(
    env: simcord.Env, place, clock: FakeClock, database: Database
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    await tick(env, clock, hours=1, minutes=1)
    [prompt] = prompts(member)

    await env.restart_bot(build_bot(database, clock=clock))
    result = await member.user.click(prompt, label="Great")

    assert result.response is not None and "Saved: 😄 Great." in result.response.content


async def test_snooze_and_skip(env: simcord.Env, place, clock: FakeClock) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    await tick(env, clock, hours=1, minutes=1)
    [first] = prompts(member)

    snoozed = await member.user.click(first, label="Snooze 1 h")
    assert snoozed.response is not None and "ask again in an hour" in snoozed.response.content
    await tick(env, clock, hours=1, minutes=1)
    second = prompts(member)[-1]
    assert second.id != first.id

    skipped = await member.user.click(second, label="Skip today")
    assert skipped.response is not None and "Skipped for today" in skipped.response.content


async def test_no_burst_of_stale_prompts_after_downtime(env: simcord.Env, place, clock: FakeClock) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")

    await tick(env, clock, days=3)  # the bot was down for three days

    assert prompts(member) == []
    view = await haven(env).services.checkins.schedule_of(channel.guild.id, member.id)
    assert view is not None and view.next_local is not None and view.next_local > clock.now


async def test_closed_dms_pause_the_schedule_and_the_member_is_told(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    env.inject_error(
        "POST",
        f"/channels/{member.user.dm_channel.id}/messages",
        status=403,
        code=50007,
        times=None,
        message="Cannot send messages to this user",
    )

    await tick(env, clock, hours=1, minutes=1)
    shown = await member.slash(channel, "checkin show")

    assert shown.response is not None
    assert shown.response.content.startswith("I couldn't send your check-in because your DMs are closed")
    assert "paused because I couldn't DM you" in shown.response.content


async def test_pause_resume_stop(env: simcord.Env, place, clock: FakeClock) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC", days="weekdays")

    paused = await member.slash(channel, "checkin pause", until="2026-11-30")
    assert paused.response is not None and "Paused until 2026-11-30" in paused.response.content
    await tick(env, clock, days=1, hours=2)
    assert prompts(member) == []
    resumed = await member.slash(channel, "checkin resume")
    assert resumed.response is not None and "Welcome back" in resumed.response.content
    stopped = await member.slash(channel, "checkin stop")
    assert stopped.response is not None and "Stopped" in stopped.response.content
    again = await member.slash(channel, "checkin stop")
    assert again.response is not None and "don't have a check-in schedule" in again.response.content
    env.errors  # noqa: B018


async def test_history_and_export_are_private(env: simcord.Env, place, clock: FakeClock) -> None:
    guild, channel, member = place
    service = haven(env).services.checkins
    for mood in (2, 3, 4):
        await service.record(guild.id, member.id, mood)
        clock.advance(days=1)

    history = await member.slash(channel, "checkin history", days=7)
    export = await member.slash(channel, "checkin export")

    assert history.ephemeral and history.response is not None
    assert "3 check-ins. Average mood 3.0 (Okay). Trend: getting lighter" in (
        history.response.embeds[0].description or ""
    )
    assert export.ephemeral and export.response is not None
    [attachment] = export.response.attachments
    assert attachment.filename == "haven-checkins.csv"


async def test_old_prompt_after_stop_records_once_and_says_so(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    await tick(env, clock, hours=1, minutes=1)
    [prompt] = prompts(member)
    await member.slash(channel, "checkin stop")

    first = await member.user.click(prompt, label="Low")

    assert first.response is not None and first.response.content.startswith("Saved: 😔 Low.")
    service = haven(env).services.checkins
    custom = prompt.components[0].children[0].custom_id
    assert await service.record(channel.guild.id, member.id, 4, prompt_id=int(custom.split(":")[2])) is None


async def test_no_more_prompts_after_the_member_leaves(env: simcord.Env, place, clock: FakeClock) -> None:
    guild, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")

    guild.remove_member(member)
    await tick(env, clock, hours=1, minutes=1)

    assert prompts(member) == []


class TestServerOptions:
    @pytest.fixture
    async def mod(self, env: simcord.Env, place):
        import discord

        guild, _, _ = place
        role = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True)
        return guild.add_member(env.create_user("mod"), roles=[role]), role

    async def test_check_ins_off_means_members_are_told_kindly(self, env: simcord.Env, place, mod) -> None:
        _, channel, member = place
        moderator, _ = mod
        await moderator.slash(channel, "checkin-admin settings", enabled=False)

        result = await member.slash(channel, "checkin now")

        assert (
            result.response is not None
            and "Check-ins are turned off in this server" in result.response.content
        )
        env.errors  # noqa: B018

    async def test_default_time_and_shared_channel(self, env: simcord.Env, place, mod) -> None:
        guild, channel, member = place
        moderator, _ = mod
        shares = guild.create_text_channel("check-ins")
        await moderator.slash(channel, "checkin-admin settings", default_time="20:00", share_channel=shares)

        scheduled = await member.slash(channel, "checkin schedule", timezone="UTC")
        assert scheduled.response is not None and "set for 20:00 (UTC)" in scheduled.response.content

        shown = await member.slash(channel, "checkin now")
        assert shown.response is not None
        saved = await member.click(shown.response.message, label="Great")
        assert saved.response is not None
        shared = await member.click(saved.response.message, label="Share in #check-ins")
        assert shared.response is not None and "Only your mood was shared" in shared.response.content
        assert (
            shares.last_message is not None
            and shares.last_message.content == f"{member.mention} checked in: 😄 Great"
        )

    async def test_after_a_low_check_in_the_member_may_ask_a_moderator(
        self, env: simcord.Env, place, mod
    ) -> None:
        guild, channel, member = place
        moderator, role = mod
        alerts = guild.create_text_channel("mod-alerts")
        await moderator.slash(channel, "setup alerts", channel=alerts, role=role)
        shown = await member.slash(channel, "checkin now")
        assert shown.response is not None
        before = await member.click(shown.response.message, label="Awful")
        assert before.response is not None
        assert "Ask a moderator to check in on me" not in labels(before.response.message)  # not opted in
        assert "/checkin follow-up offer:True" in before.response.content

        opted = await member.slash(channel, "checkin follow-up", offer=True)
        assert opted.ephemeral and opted.response is not None
        shown = await member.slash(channel, "checkin now")
        assert shown.response is not None
        saved = await member.click(shown.response.message, label="Awful")
        assert saved.response is not None
        assert alerts.last_message is None  # nothing is sent unless the member asks

        asked = await member.click(saved.response.message, label="Ask a moderator to check in on me")

        assert asked.response is not None and "has been asked to check in on you" in asked.response.content
        card = alerts.last_message
        assert card is not None and card.embeds[0].title == "Moderate alert: about the writer"
        assert card.content == ""  # no ping for a request

    async def test_weekly_mood_counts_each_member_once_over_last_full_week(
        self, env: simcord.Env, place, mod, clock: FakeClock
    ) -> None:
        guild, channel, _ = place
        moderator, _ = mod
        service = haven(env).services.checkins
        for user_id in range(1, 5):  # Sunday 22 November: four members
            await service.record(guild.id, user_id, 4)

        clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday
        hidden = await moderator.slash(channel, "checkin-admin mood")
        clock.now = datetime(
            2026, 11, 24, 9, 0, tzinfo=UTC
        )  # this week: four again, and one who checks in 10 times
        for user_id in range(1, 5):
            await service.record(guild.id, user_id, 4)
        for _ in range(10):
            await service.record(guild.id, 5, 1)
        clock.now = datetime(
            2026, 11, 29, 20, 0, tzinfo=UTC
        )  # Sunday: last full week is still 16 to 22 November
        still_hidden = await moderator.slash(channel, "checkin-admin mood")
        clock.now = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # Monday
        shown = await moderator.slash(channel, "checkin-admin mood")

        assert hidden.response is not None and still_hidden.response is not None
        for answer in (hidden.response.content, still_hidden.response.content):
            assert answer.startswith("There isn't enough from last week (2026-11-16 to 2026-11-22")
            assert "4" not in answer.replace("2026-11-", "")  # not how many took part
        assert shown.response is not None
        # Per member: (4 + 4 + 4 + 4 + 1) / 5 = 3.4 (per check-in it would be 26 / 14 = 1.9).
        assert "(2026-11-23 to 2026-11-29, Monday to Sunday in UTC): 3.4" in shown.response.content
        assert "across 5 members" in shown.response.content


async def test_a_gentle_reminder_once_when_asked_for(env: simcord.Env, place, clock: FakeClock) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC", reminder=True)
    await tick(env, clock, hours=1, minutes=1)
    await tick(env, clock, hours=3, minutes=1)
    await tick(env, clock, hours=1)

    reminders = [m for m in member.user.dm_channel.history() if "No pressure at all" in m.content]
    assert len(reminders) == 1


async def test_a_note_is_never_lost(env: simcord.Env, place, monkeypatch: pytest.MonkeyPatch) -> None:
    _, channel, member = place
    shown = await member.slash(channel, "checkin now")
    assert shown.response is not None
    saved = await member.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await member.click(saved.response.message, label="Add a note")

    # Discord's own form stops at 1,000 characters, so a long note stays in the form for the member to trim.
    with pytest.raises(simcord.SetupError, match="max_length=1000"):
        await member.submit_modal(form, {"note": "x" * 1001})

    # If saving fails, the member gets a kind answer and what they wrote back.
    async def broken(*_: object, **__: object) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(haven(env).services.checkins, "add_note", broken)
    form = await member.click(saved.response.message, label="Add a note")
    failed = await member.submit_modal(form, {"note": "a long day, but I went for a walk"})

    assert failed.response is not None and "went wrong" in failed.response.content.lower()
    [kept] = failed.followups
    assert "a long day, but I went for a walk" in kept.content
    assert [str(e) for e in env.errors] == ["database went away"]


async def test_history_shows_a_chart_with_gaps(env: simcord.Env, place, clock: FakeClock) -> None:
    guild, channel, member = place
    service = haven(env).services.checkins
    for mood in (2, 3, 4):
        await service.record(guild.id, member.id, mood)
        clock.advance(days=2)  # every other day: the missed days are gaps

    history = await member.slash(channel, "checkin history", days=30)

    assert history.ephemeral and history.response is not None
    [embed] = history.response.embeds
    assert embed.image is not None and embed.image.url == "attachment://mood.png"
    [chart] = history.response.attachments
    assert chart.filename == "mood.png" and chart.content_type == "image/png"
    assert (await chart.read()).startswith(b"\x89PNG")


async def test_history_chart_is_readable_and_described_for_screen_readers(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    guild, channel, member = place
    service = haven(env).services.checkins
    for mood in (2, 5, 4):
        await service.record(guild.id, member.id, mood)
        clock.advance(days=2)

    history = await member.slash(channel, "checkin history", days=30)

    assert history.response is not None
    [chart] = history.response.attachments
    image = Image.open(io.BytesIO(await chart.read()))
    assert image.size == (WIDTH, HEIGHT)
    assert len(image.convert("RGB").getcolors(maxcolors=WIDTH * HEIGHT) or []) > 20  # not blank
    alt = chart.description or ""
    assert "Average mood 3.7 (Good)" in alt and "trend:" in alt
    assert "Best day:" in alt and "(Great)" in alt and "Hardest day:" in alt and "(Low)" in alt
    assert alt in (history.response.embeds[0].description or "")  # and in the text, for everyone


async def test_delete_removes_everything_after_asking(env: simcord.Env, place, clock: FakeClock) -> None:
    guild, channel, member = place
    service = haven(env).services.checkins
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    await service.record(guild.id, member.id, 3)
    other = guild.add_member(env.create_user("sam"))
    await service.record(guild.id, other.id, 4)

    asked = await member.slash(channel, "checkin delete")
    assert asked.ephemeral and asked.response is not None
    kept = await member.click(asked.response.message, label="Keep them")
    assert kept.response is not None and "Nothing was deleted" in kept.response.content
    assert len(await service.export_rows(guild.id, member.id)) == 1

    asked = await member.slash(channel, "checkin delete")
    assert asked.response is not None
    done = await member.click(asked.response.message, label="Delete everything")

    # One check-in reads in the singular (plural forms in the catalog), not "1 check-ins".
    assert done.response is not None and "Done: 1 check-in and your schedule" in done.response.content
    assert await service.export_rows(guild.id, member.id) == []
    assert await service.schedule_of(guild.id, member.id) is None
    assert len(await service.export_rows(guild.id, other.id)) == 1  # only their own
    await tick(env, clock, hours=1, minutes=1)
    assert prompts(member) == []


async def test_a_discord_outage_delays_a_prompt_but_never_loses_or_repeats_it(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    # Discord is unavailable for the first two tries.
    env.inject_error("POST", f"/channels/{member.user.dm_channel.id}/messages", status=503, times=2)

    await tick(env, clock, hours=1, minutes=1)
    assert prompts(member) == []
    await tick(env, clock, minutes=3)
    assert prompts(member) == []
    await tick(env, clock, minutes=3)
    await tick(env, clock, minutes=3)

    [prompt] = prompts(member)
    answered = await member.user.click(prompt, label="Good")
    assert answered.response is not None and answered.response.content.startswith("Saved: 🙂 Good.")


# --- schedules: days and timezones


async def test_custom_days_are_accepted_and_bad_days_get_a_clear_private_answer(
    env: simcord.Env, place
) -> None:
    _, channel, member = place

    suggested = await member.autocomplete(channel, "checkin schedule", "days", "mon w")
    saved = await member.slash(channel, "checkin schedule", time="9pm", timezone="UTC", days="mon wed fri")
    bad = await member.slash(channel, "checkin schedule", time="9pm", timezone="UTC", days="someday")

    assert [c["value"] for c in suggested] == ["mon wed"]
    assert saved.response is not None and "set for 21:00 (UTC), Mon, Wed, Fri." in saved.response.content
    assert bad.ephemeral and bad.response is not None
    assert "I couldn't read “someday” as days" in bad.response.content
    env.errors  # noqa: B018


async def test_utc_gmt_and_big_cities_named_after_another_zone_are_found(env: simcord.Env, place) -> None:
    _, channel, member = place

    utc = await member.autocomplete(channel, "checkin schedule", "timezone", "utc")
    beijing = await member.autocomplete(channel, "checkin schedule", "timezone", "beijing")
    in_utc = await member.slash(channel, "checkin schedule", time="9pm", timezone="utc")
    in_gmt = await member.slash(channel, "checkin schedule", time="9pm", timezone="GMT")
    in_mumbai = await member.slash(channel, "checkin schedule", time="9pm", timezone="Mumbai")

    assert utc[0]["value"] == "UTC"
    assert beijing[0] == {"name": "Beijing, CN (Asia/Shanghai, UTC+08:00)", "value": "Asia/Shanghai"}
    assert in_utc.response is not None and "21:00 (UTC)" in in_utc.response.content
    assert in_gmt.response is not None and "21:00 (GMT)" in in_gmt.response.content
    assert in_mumbai.response is not None and "21:00 (Asia/Kolkata)" in in_mumbai.response.content


async def test_show_after_stop_says_stopped(env: simcord.Env, place) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    await member.slash(channel, "checkin stop")

    shown = await member.slash(channel, "checkin show")

    assert (
        shown.response is not None
        and "Status: stopped (`/checkin schedule` starts it" in shown.response.content
    )


@pytest.mark.parametrize("until", ["2099-01-01", "9999-12-31"])
async def test_pausing_more_than_a_year_ahead_is_refused_kindly(env: simcord.Env, place, until: str) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")

    refused = await member.slash(channel, "checkin pause", until=until)
    longest = await member.slash(channel, "checkin pause", until="2027-11-22")  # a year from 22 November 2026

    assert refused.ephemeral and refused.response is not None
    assert "up to a year at a time, so until 2027-11-22 at the latest" in refused.response.content
    assert longest.response is not None and "Paused until 2027-11-22" in longest.response.content
    env.errors  # noqa: B018


# --- /checkin now and notes


async def test_check_in_now_records_one_mood_and_replaces_its_buttons(env: simcord.Env, place) -> None:
    guild, channel, member = place
    shown = await member.slash(channel, "checkin now")
    assert shown.response is not None

    await member.click(shown.response.message, label="Good")

    # The mood buttons are gone, so a second press can't record another check-in (two presses that reach the bot
    # before the edit are one check-in too: see the service tests).
    assert not {"Awful", "Low", "Okay", "Good", "Great"} & set(labels(shown.response.message))
    assert len(await haven(env).services.checkins.export_rows(guild.id, member.id)) == 1


async def test_three_low_check_ins_in_a_row_offer_help(env: simcord.Env, place) -> None:
    _, channel, member = place
    answers = []
    for _ in range(3):
        shown = await member.slash(channel, "checkin now")
        assert shown.response is not None
        saved = await member.click(shown.response.message, label="Low")
        assert saved.response is not None
        answers.append(saved.response)

    assert ["alone" in a.content for a in answers] == [False, False, True]
    assert answers[-1].embeds[0].title == "Finding support"


async def test_an_empty_note_clears_the_note(env: simcord.Env, place) -> None:
    guild, channel, member = place
    shown = await member.slash(channel, "checkin now")
    assert shown.response is not None
    saved = await member.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await member.click(saved.response.message, label="Add a note")
    await member.submit_modal(form, {"note": "a long day"})

    form = await member.click(saved.response.message, label="Add a note")
    cleared = await member.submit_modal(form, {"note": "   "})

    assert cleared.response is not None and cleared.response.content == "Okay, this check-in has no note now."
    [(_, _, _, note)] = await haven(env).services.checkins.export_rows(guild.id, member.id)
    assert note == ""


async def test_export_keeps_formulas_as_text(env: simcord.Env, place) -> None:
    _, channel, member = place
    shown = await member.slash(channel, "checkin now")
    assert shown.response is not None
    saved = await member.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await member.click(saved.response.message, label="Add a note")
    await member.submit_modal(form, {"note": '=HYPERLINK("http://example.com","click")'})

    export = await member.slash(channel, "checkin export")

    assert export.response is not None
    [attachment] = export.response.attachments
    [_, row] = list(csv.reader(io.StringIO((await attachment.read()).decode("utf-8"))))
    assert row[3] == '\'=HYPERLINK("http://example.com","click")'


# --- scheduled prompts: restarts, retries, snooze, reminders, check-ins turned off


async def test_a_restart_within_the_grace_window_sends_an_overdue_prompt_once(
    env: simcord.Env, place, clock: FakeClock, database: Database
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")

    clock.advance(hours=2, minutes=30)  # the bot was down from 12:00 to 14:30: the 13:00 prompt is overdue
    await env.restart_bot(build_bot(database, clock=clock))
    await tick(env)
    await env.restart_bot(build_bot(database, clock=clock))
    await tick(env, clock, minutes=5)

    [prompt] = prompts(member)
    answered = await member.user.click(prompt, label="Good")
    assert answered.response is not None and answered.response.content.startswith("Saved: 🙂 Good.")


async def test_no_prompts_while_check_ins_are_off_in_the_server(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    guild, channel, member = place
    moderator = guild.add_member(
        env.create_user("mod"), roles=[guild.create_role("Mods", permissions=MANAGE)]
    )
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    await moderator.slash(channel, "checkin-admin settings", enabled=False)

    await tick(env, clock, hours=1, minutes=1)
    await tick(env, clock, minutes=30)
    assert prompts(member) == []

    await moderator.slash(channel, "checkin-admin settings", enabled=True)
    await tick(env, clock, days=1)
    assert len(prompts(member)) == 1  # back the next day, without a late one for the day it was off


@pytest.mark.parametrize("command", ["checkin stop", "checkin pause"])
async def test_a_prompt_waiting_for_a_retry_is_not_sent_after_stop_or_pause(
    env: simcord.Env, place, clock: FakeClock, command: str
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    env.inject_error("POST", f"/channels/{member.user.dm_channel.id}/messages", status=503, times=1)
    await tick(env, clock, hours=1, minutes=1)  # Discord fails: the prompt waits for another try

    options = {"until": "2026-11-23"} if command == "checkin pause" else {}
    await member.slash(channel, command, **options)
    await tick(env, clock, minutes=3)
    await tick(env, clock, minutes=3)

    assert prompts(member) == []


async def test_snooze_after_stop_says_nothing_will_come_and_the_prompt_still_works(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    await tick(env, clock, hours=1, minutes=1)
    [prompt] = prompts(member)
    await member.slash(channel, "checkin stop")

    snoozed = await member.user.click(prompt, label="Snooze 1 h")
    await tick(env, clock, hours=1, minutes=1)

    assert snoozed.response is not None and "I won't ask again in an hour" in snoozed.response.content
    assert len(prompts(member)) == 1
    answered = await member.user.click(prompt, label="Good")
    assert answered.response is not None and answered.response.content.startswith("Saved: 🙂 Good.")


async def test_the_closed_dms_notice_is_shown_once_until_dms_fail_again(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    _, channel, member = place
    notice = "I couldn't send your check-in because your DMs are closed"
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
    path = f"/channels/{member.user.dm_channel.id}/messages"
    env.inject_error(
        "POST", path, status=403, code=50007, times=1, message="Cannot send messages to this user"
    )
    await tick(env, clock, hours=1, minutes=1)

    first = await member.slash(channel, "checkin show")
    second = await member.slash(channel, "checkin history")
    assert first.response is not None and first.response.content.startswith(notice)
    assert second.response is not None and notice not in second.response.content
    shown = await member.slash(channel, "checkin show")
    assert shown.response is not None and "paused because I couldn't DM you" in shown.response.content
    assert notice not in shown.response.content

    await member.slash(channel, "checkin resume")
    env.inject_error(
        "POST", path, status=403, code=50007, times=1, message="Cannot send messages to this user"
    )
    await tick(env, clock, days=1)
    again = await member.slash(channel, "checkin show")
    assert again.response is not None and again.response.content.startswith(notice)


def reminders(member) -> list:
    return [m for m in member.user.dm_channel.history() if "No pressure at all" in m.content]


async def test_no_reminder_hours_late_after_downtime(env: simcord.Env, place, clock: FakeClock) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC", reminder=True)
    await tick(env, clock, hours=1, minutes=1)

    await tick(env, clock, hours=6)  # the bot was down when the reminder was due at 16:01

    assert prompts(member) and reminders(member) == []


async def test_no_reminder_that_would_land_after_local_midnight(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    _, channel, member = place
    await member.slash(channel, "checkin schedule", time="22:00", timezone="Europe/Berlin", reminder=True)
    await tick(env, clock, hours=9, minutes=1)  # 22:01 in Berlin

    await tick(env, clock, hours=3, minutes=1)  # 01:02 in Berlin: already the next day
    await tick(env, clock, minutes=30)

    assert len(prompts(member)) == 1 and reminders(member) == []


async def test_no_reminder_when_check_ins_were_turned_off(env: simcord.Env, place, clock: FakeClock) -> None:
    guild, channel, member = place
    moderator = guild.add_member(
        env.create_user("mod"), roles=[guild.create_role("Mods", permissions=MANAGE)]
    )
    await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC", reminder=True)
    await tick(env, clock, hours=1, minutes=1)

    await moderator.slash(channel, "checkin-admin settings", enabled=False)
    await tick(env, clock, hours=3, minutes=1)

    assert len(prompts(member)) == 1 and reminders(member) == []


# --- sharing


class TestSharing:
    @pytest.fixture
    async def shares(self, env: simcord.Env, place):
        guild, channel, _ = place
        moderator = guild.add_member(
            env.create_user("mod"), roles=[guild.create_role("Mods", permissions=MANAGE)]
        )
        shares = guild.create_text_channel("check-ins")
        await moderator.slash(channel, "checkin-admin settings", share_channel=shares)
        return shares, moderator

    @staticmethod
    async def saved(member, channel, mood: str = "Great"):
        shown = await member.slash(channel, "checkin now")
        assert shown.response is not None
        saved = await member.click(shown.response.message, label=mood)
        assert saved.response is not None
        return saved.response.message

    async def test_a_check_in_is_shared_once(self, env: simcord.Env, place, shares) -> None:
        _, channel, member = place
        posts, _ = shares
        message = await self.saved(member, channel)

        first = await member.click(message, label="Share in #check-ins")
        second = await member.click(message, label="Share in #check-ins")

        assert first.response is not None and "Only your mood was shared" in first.response.content
        assert second.response is not None
        assert second.response.content == "You've already shared this check-in, so nothing was posted again."
        assert [m.content for m in posts.history()] == [f"{member.mention} checked in: 😄 Great"]

    async def test_nothing_is_shared_after_the_check_in_was_deleted(
        self, env: simcord.Env, place, shares
    ) -> None:
        _, channel, member = place
        posts, _ = shares
        message = await self.saved(member, channel)
        asked = await member.slash(channel, "checkin delete")
        assert asked.response is not None
        await member.click(asked.response.message, label="Delete everything")

        shared = await member.click(message, label="Share in #check-ins")

        assert (
            shared.response is not None
            and "isn't there any more, so nothing was shared" in shared.response.content
        )
        assert posts.history() == []

    async def test_nothing_is_shared_once_the_channel_is_removed_or_check_ins_are_off(
        self, env: simcord.Env, place, shares
    ) -> None:
        _, channel, member = place
        posts, moderator = shares
        message = await self.saved(member, channel)

        await moderator.slash(channel, "checkin-admin settings", clear_share_channel=True)
        no_channel = await member.click(message, label="Share in #check-ins")
        await moderator.slash(channel, "checkin-admin settings", share_channel=posts, enabled=False)
        off = await member.click(message, label="Share in #check-ins")

        assert no_channel.response is not None
        assert "doesn't have a channel for sharing check-ins any more" in no_channel.response.content
        assert off.response is not None and "turned off in this server now" in off.response.content
        assert posts.history() == []

    async def test_nothing_is_shared_after_the_member_left(
        self, env: simcord.Env, place, shares, clock: FakeClock
    ) -> None:
        guild, channel, member = place
        posts, _ = shares
        await member.slash(channel, "checkin schedule", time="13:00", timezone="UTC")
        await tick(env, clock, hours=1, minutes=1)
        [prompt] = prompts(member)
        await member.user.click(prompt, label="Great")  # in DMs: the confirmation offers sharing

        guild.remove_member(member)
        shared = await member.user.click(prompt, label="Share in #check-ins")

        assert shared.response is not None and "not in that server any more" in shared.response.content
        assert posts.history() == []

    async def test_share_and_ask_a_moderator_work_after_a_restart(
        self, env: simcord.Env, place, shares, database: Database, clock: FakeClock
    ) -> None:
        guild, channel, member = place
        posts, moderator = shares
        alerts = guild.create_text_channel("mod-alerts")
        role = guild.create_role("Responders", mentionable=True)
        await moderator.slash(channel, "setup alerts", channel=alerts, role=role)
        await member.slash(channel, "checkin follow-up", offer=True)
        message = await self.saved(member, channel, mood="Awful")

        await env.restart_bot(build_bot(database, clock=clock))
        shared = await member.click(message, label="Share in #check-ins")
        asked = await member.click(message, label="Ask a moderator to check in on me")

        assert shared.response is not None and "Only your mood was shared" in shared.response.content
        assert [m.content for m in posts.history()] == [f"{member.mention} checked in: 😫 Awful"]
        assert asked.response is not None and "has been asked to check in on you" in asked.response.content
        assert alerts.last_message is not None


async def test_timezones_people_mean(env: simcord.Env, place, clock: FakeClock) -> None:
    _, channel, member = place

    gmt1 = await member.autocomplete(channel, "checkin schedule", "timezone", "GMT+1")
    est = await member.autocomplete(channel, "checkin schedule", "timezone", "EST")
    ist = await member.autocomplete(channel, "checkin schedule", "timezone", "IST")
    koln = await member.autocomplete(channel, "checkin schedule", "timezone", "Köln")
    typo = await member.autocomplete(channel, "checkin schedule", "timezone", "berln")

    assert gmt1[0] == {"name": "UTC+01:00", "value": "Etc/GMT-1"}  # east of UTC, as written
    assert all("UTC+01:00" in c["name"] for c in gmt1) and len(gmt1) <= 25
    assert est[0]["value"] == "America/New_York" and "America/Creston" not in [c["value"] for c in est[:3]]
    assert [c["value"] for c in ist[:3]] == ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]
    assert koln[0]["value"] == "Europe/Berlin" and "Köln" in koln[0]["name"]
    assert typo[0]["value"] == "Europe/Berlin"

    saved = await member.slash(channel, "checkin schedule", time="9pm", timezone="GMT+1")
    assert saved.response is not None
    text = saved.response.content
    assert "21:00 (UTC+01:00)" in text  # the zone as the member wrote it, never "Etc/GMT-1"
    local = clock().astimezone(UTC) + timedelta(hours=1)
    assert f"It's {local:%H:%M} there now (UTC+01:00)" in text
    due = await haven(env).services.checkins.schedule_of(channel.guild.id, member.id)
    assert due is not None and due.next_local is not None
    assert due.next_local.utcoffset() == timedelta(hours=1) and due.next_local.hour == 21

    ambiguous = await member.slash(channel, "checkin schedule", time="9pm", timezone="IST")
    assert ambiguous.response is not None and "can mean more than one timezone" in ambiguous.response.content
    assert "Asia/Kolkata" in ambiguous.response.content and "Europe/Dublin" in ambiguous.response.content
    env.errors  # noqa: B018


async def test_export_with_nothing_stored_says_so_without_a_file(env: simcord.Env, place) -> None:
    _, channel, member = place

    export = await member.slash(channel, "checkin export")

    assert export.ephemeral and export.response is not None
    assert export.response.attachments == []
    assert "nothing to export" in export.response.content
    assert "Here are all your check-ins" not in export.response.content


async def test_export_is_utf8_with_a_byte_order_mark_for_spreadsheets(env: simcord.Env, place) -> None:
    _, channel, member = place
    shown = await member.slash(channel, "checkin now")
    assert shown.response is not None
    saved = await member.click(shown.response.message, label="Good")
    assert saved.response is not None
    form = await member.click(saved.response.message, label="Add a note")
    await member.submit_modal(form, {"note": "café with Zoë 🌻"})

    export = await member.slash(channel, "checkin export")

    assert export.response is not None
    [attachment] = export.response.attachments
    data = await attachment.read()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8 only with this mark
    [header, row] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[0] == "time_utc" and row[3] == "café with Zoë 🌻"


async def test_an_old_prompt_after_delete_says_the_check_in_was_deleted(env: simcord.Env, place) -> None:
    _, channel, member = place
    shown = await member.slash(channel, "checkin now")
    assert shown.response is not None
    saved = await member.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await member.click(saved.response.message, label="Add a note")  # opened before deleting
    asked = await member.slash(channel, "checkin delete")
    assert asked.response is not None
    await member.click(asked.response.message, label="Delete everything")

    late_note = await member.submit_modal(form, {"note": "written before I deleted"})
    note_again = await member.click(saved.response.message, label="Add a note")
    tags = await member.select(saved.response.message, ["sleep"])

    for answer in (late_note, note_again, tags):
        assert answer.response is not None and answer.response.ephemeral
        assert "This check-in was deleted" in answer.response.content
        assert "Note saved" not in answer.response.content and "Tags saved" not in answer.response.content
    [kept] = late_note.followups  # what they typed is handed back, not lost
    assert "written before I deleted" in kept.content
    env.errors  # noqa: B018
