"""Check-in rules: times, timezones, days, schedules across daylight saving, reflections, summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest

from bot.domain.checkins import (
    EVERY_DAY,
    WEEKDAYS,
    WEEKENDS,
    Entry,
    days_mask,
    last_full_week,
    local_occurrence,
    mask_days,
    needs_follow_up,
    next_due,
    parse_days,
    parse_time,
    pause_resumes_at,
    reflection,
    reminder_fits,
    resolve_timezone,
    search_timezones,
    server_average,
    spreadsheet_safe,
    suggest_days,
    summarise,
    timezone_choices,
    trend_word,
)
from bot.domain.timezones import _cities  # pyright: ignore[reportPrivateUsage]
from bot.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:30", time(21, 30)),
        ("9pm", time(21)),
        ("9:30 am", time(9, 30)),
        ("9:30 A.M.", time(9, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("07.15", time(7, 15)),
        ("21h30", time(21, 30)),
        ("noon", time(12)),
        (" 6 ", time(6)),
    ],
)
def test_times_members_type(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:99", "noon-ish", "13pm", "", "9:7", "tomorrow", "x" * 200])
def test_bad_times_get_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_time(text)
    assert caught.value.key == "checkin.error.time"


def test_timezones_by_name_or_city() -> None:
    assert search_timezones("Berlin")[0] == "Europe/Berlin"
    assert search_timezones("new york")[0] == "America/New_York"
    assert search_timezones("sao paulo")[0] == "America/Sao_Paulo"
    assert len(search_timezones("")) == 25
    assert search_timezones("x" * 100) == []
    assert resolve_timezone("Tokyo") == ZoneInfo("Asia/Tokyo")
    assert resolve_timezone("Europe/Paris") == ZoneInfo("Europe/Paris")


def test_unknown_timezone_suggests_close_matches() -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_timezone("Berlinn")
    assert "Europe/Berlin" in caught.value.params["suggestions"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("every day", EVERY_DAY),
        ("weekdays", WEEKDAYS),
        ("weekends", WEEKENDS),
        ("mon wed fri", frozenset({0, 2, 4})),
        ("Monday, Thursday", frozenset({0, 3})),
    ],
)
def test_days(text: str, days: frozenset[int]) -> None:
    assert parse_days(text) == days
    assert mask_days(days_mask(days)) == days


def test_bad_days_are_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_days("someday")


def test_nine_oclock_stays_nine_oclock_across_daylight_saving() -> None:
    after = datetime(2026, 3, 27, 12, tzinfo=UTC)
    dues = []
    for _ in range(4):
        after = next_due(after, time(9), BERLIN, EVERY_DAY)
        dues.append(after)

    assert [d.astimezone(BERLIN).strftime("%m-%d %H:%M") for d in dues] == [
        "03-28 09:00",
        "03-29 09:00",
        "03-30 09:00",
        "03-31 09:00",
    ]
    assert [d.strftime("%H:%M") for d in dues] == [
        "08:00",
        "07:00",
        "07:00",
        "07:00",
    ]  # UTC moves, local doesn't


def test_a_time_skipped_by_spring_forward_moves_later_by_the_gap() -> None:
    assert local_occurrence(date(2026, 3, 29), time(2, 30), BERLIN).strftime("%H:%M %z") == "03:30 +0200"
    assert local_occurrence(date(2026, 3, 8), time(2, 15), NEW_YORK).strftime("%H:%M %z") == "03:15 -0400"


def test_a_time_that_happens_twice_uses_the_first() -> None:
    when = local_occurrence(date(2026, 10, 25), time(2, 30), BERLIN)
    assert when.utcoffset() == timedelta(hours=2)
    assert next_due(datetime(2026, 10, 25, 0, 0, tzinfo=UTC), time(2, 30), BERLIN, EVERY_DAY) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_weekday_schedule_skips_the_weekend() -> None:
    friday_evening = datetime(2026, 11, 27, 20, tzinfo=UTC)
    assert next_due(friday_evening, time(9), ZoneInfo("UTC"), WEEKDAYS).date() == date(2026, 11, 30)


def _entries(moods: list[int], start: datetime) -> list[Entry]:
    return [Entry(start + timedelta(days=i), m) for i, m in enumerate(moods)]


def test_reflection_compares_with_last_week_kindly() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    up = _entries([2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4], now - timedelta(days=13))
    assert reflection(up, now)[0] == "checkin.reflection.up"
    assert reflection(up[:1], now)[0] == "checkin.reflection.first"
    down = _entries([4] * 7 + [2] * 7, now - timedelta(days=13))
    assert reflection(down, now)[0] == "checkin.reflection.down"


@pytest.mark.parametrize(
    ("moods", "offer"),
    [([3, 3, 1], True), ([2, 2, 2], True), ([2, 3, 2], False), ([5], False), ([], False), ([2, 2], False)],
)
def test_follow_up_after_a_very_low_or_three_low_in_a_row(moods: list[int], offer: bool) -> None:
    assert needs_follow_up(moods) is offer


def test_summary_leaves_gaps_for_missed_days() -> None:
    start = datetime(2026, 11, 1, 20, tzinfo=UTC)
    entries = [Entry(start, 3, ("sleep",)), Entry(start + timedelta(days=2), 5, ("sleep", "social"))]

    summary = summarise(entries, ZoneInfo("UTC"), date(2026, 11, 7), 7)

    assert summary.daily == (3, None, 5, None, None, None, None)
    assert summary.rolling[1] == 3 and summary.rolling[2] == 4
    assert summary.average == 4 and summary.count == 2
    assert summary.top_tags[0] == ("sleep", 2)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "GMT"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        ("etc/utc", "Etc/UTC"),
        ("europe/berlin", "Europe/Berlin"),
        ("Beijing", "Asia/Shanghai"),
        ("Shanghai", "Asia/Shanghai"),
        ("Mumbai", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("new delhi", "Asia/Kolkata"),
        ("Kolkata", "Asia/Kolkata"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Sydney", "Australia/Sydney"),
        ("Toronto", "America/Toronto"),
        ("Mexico City", "America/Mexico_City"),
        ("San Francisco", "America/Los_Angeles"),
        ("Düsseldorf", "Europe/Berlin"),
    ],
)
def test_utc_gmt_etc_zones_and_big_cities_resolve(text: str, zone: str) -> None:
    assert resolve_timezone(text) == ZoneInfo(zone)


def test_every_city_names_a_real_zone() -> None:
    # The hand-written city aliases became a GeoNames city table (bot/data/cities.tsv); every zone in it is real.
    known = available_timezones()
    assert [city for city in _cities() if city[2] not in known] == []


def test_autocomplete_shows_utc_and_cities_by_the_name_members_type() -> None:
    assert search_timezones("utc")[0] == "UTC"
    assert search_timezones("gmt")[0] == "GMT"
    # The city table has every city over 15,000 people, so "mumb" also finds Mumbwa (Zambia), after Mumbai.
    assert search_timezones("mumb")[0] == "Asia/Kolkata"
    winter = datetime(2026, 12, 1, tzinfo=UTC)
    assert timezone_choices("beijing", now=winter) == [
        ("Beijing, CN (Asia/Shanghai, UTC+08:00)", "Asia/Shanghai")
    ]
    assert timezone_choices("são p", now=winter)[0] == (
        "America/Sao_Paulo (UTC-03:00)",
        "America/Sao_Paulo",
    )  # accents fold


@pytest.mark.parametrize("text", ["localtime", "posix/Europe/Berlin", "right/UTC", ""])
def test_internal_zone_names_are_not_timezones_members_can_choose(text: str) -> None:
    with pytest.raises(InvalidInput):
        resolve_timezone(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", WEEKDAYS),
        ("fri-mon", frozenset({4, 5, 6, 0})),
        ("tues and thurs", frozenset({1, 3})),
        ("Sat, Sun", WEEKENDS),
        ("daily", EVERY_DAY),
    ],
)
def test_more_days_members_type(text: str, days: frozenset[int]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["mongoose", "mo", "mon-", "mon-wed-fri", "tomorrow"])
def test_words_that_only_start_like_a_day_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_days(text)
    assert caught.value.key == "checkin.error.days"


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("", "every day"),
        ("week", "weekdays"),
        ("mon w", "mon wed"),
        ("Monday Friday", "mon fri"),
        ("mon-fri", "weekdays"),
    ],
)
def test_day_suggestions(typed: str, first: str) -> None:
    assert suggest_days(typed)[0] == first


def test_day_suggestions_for_nonsense_are_empty() -> None:
    assert suggest_days("someday") == []


def test_a_pause_ends_at_local_midnight_after_the_last_day() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert pause_resumes_at(date(2026, 11, 30), BERLIN, now) == datetime(2026, 12, 1, tzinfo=BERLIN)
    assert pause_resumes_at(date(2027, 11, 22), BERLIN, now).date() == date(2027, 11, 23)  # a year: fine


@pytest.mark.parametrize("until", [date(2027, 11, 23), date(9999, 12, 31), date.max])
def test_a_pause_longer_than_a_year_is_refused_without_overflow(until: date) -> None:
    with pytest.raises(InvalidInput) as caught:
        pause_resumes_at(until, BERLIN, datetime(2026, 11, 22, 12, tzinfo=UTC))
    assert caught.value.key == "checkin.error.pause_too_far"
    assert caught.value.params == {"latest": "2027-11-22"}


def test_a_pause_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        pause_resumes_at(date(2026, 11, 21), BERLIN, datetime(2026, 11, 22, 12, tzinfo=UTC))
    assert caught.value.key == "checkin.error.pause_past"


def test_a_reminder_never_lands_on_the_next_local_day() -> None:
    due = datetime(2026, 11, 22, 21, tzinfo=UTC)  # 22:00 in Berlin
    assert not reminder_fits(due, due + timedelta(hours=3), BERLIN)  # 01:00 the next day in Berlin
    assert reminder_fits(due, due + timedelta(hours=3), NEW_YORK)  # 16:00 to 19:00 in New York


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (
            datetime(2026, 11, 22, 23, 59, tzinfo=UTC),
            datetime(2026, 11, 9, tzinfo=UTC),
        ),  # Sunday: not over yet
        (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC)),  # Monday
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC)),
    ],
)
def test_the_last_full_week_runs_monday_to_sunday_in_utc(now: datetime, start: datetime) -> None:
    assert last_full_week(now) == (start, start + timedelta(days=7))


def test_the_server_average_counts_each_member_once() -> None:
    moods = [(1, 4), (2, 4), (3, 4), (4, 4)] + [(5, 1)] * 10

    assert server_average(moods, 5) == (3.4, 5)
    assert server_average(moods[:4], 5) == (None, 4)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("slept well", "slept well"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_csv_cells_are_never_formulas(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


@pytest.mark.parametrize(("trend", "word"), [(None, "none"), (0.3, "up"), (-0.25, "down"), (0.1, "flat")])
def test_trend_words(trend: float | None, word: str) -> None:
    assert trend_word(trend) == word
