"""Check-in rules: times, timezones, days, schedules across daylight saving, reflections, summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.checkins import (
    EVERY_DAY,
    WEEKDAYS,
    WEEKENDS,
    Entry,
    days_mask,
    local_occurrence,
    mask_days,
    needs_follow_up,
    next_due,
    parse_days,
    parse_time,
    reflection,
    resolve_timezone,
    search_timezones,
    summarise,
)
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
