"""Timezones people mean: offsets as written, abbreviations with their ambiguity, GeoNames cities, typos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.timezones import (
    display_zone,
    parse_offset,
    resolve_timezone,
    search_timezones,
    timezone_choices,
    zone_label,
)
from bot.errors import InvalidInput

WINTER = datetime(2026, 12, 1, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "hours"),
    [("GMT+1", 1), ("UTC-5", -5), ("+05:30", 5.5), ("utc+5:30", 5.5), ("gmt −3", -3), ("UTC+14", 14)],
)
def test_offsets_mean_east_or_west_as_written(text: str, hours: float) -> None:
    assert parse_offset(text) == timedelta(hours=hours)
    zone = resolve_timezone(text, WINTER)
    assert WINTER.astimezone(zone).utcoffset() == timedelta(hours=hours)


def test_gmt_plus_one_offers_utc_plus_one_first_then_cities_there_now() -> None:
    choices = timezone_choices("GMT+1", now=WINTER)

    assert choices[0] == ("UTC+01:00", "Etc/GMT-1")  # POSIX names it GMT-1; members see what they wrote
    assert ("Europe/Paris (UTC+01:00)", "Europe/Paris") in choices
    assert all("UTC+01:00" in label for label, _ in choices)
    # In summer Paris is UTC+2, so it's offered for GMT+2 then, not for GMT+1.
    assert "Europe/Paris" in search_timezones("GMT+2") or SUMMER.month != datetime.now(UTC).month
    assert "Europe/Paris" in [z for _, z in timezone_choices("utc+2", now=SUMMER)]
    assert "Europe/Paris" not in [z for _, z in timezone_choices("utc+1", now=SUMMER)]


def test_fixed_offsets_are_shown_as_the_offset_not_the_posix_name() -> None:
    assert display_zone("Etc/GMT-1") == "UTC+01:00"
    assert display_zone("Etc/GMT+5") == "UTC-05:00"
    assert display_zone("Europe/Paris") == "Europe/Paris"
    assert zone_label("Europe/Paris", WINTER) == "Europe/Paris (UTC+01:00)"
    assert zone_label("Europe/Paris", SUMMER) == "Europe/Paris (UTC+02:00)"


def test_abbreviations_map_to_the_zone_people_mean() -> None:
    est = timezone_choices("EST", now=WINTER)
    assert est[0] == ("EST: US Eastern (America/New_York, UTC-05:00)", "America/New_York")
    assert "America/Creston" not in [z for _, z in est[:3]]
    assert resolve_timezone("EST") == ZoneInfo("America/New_York")
    assert resolve_timezone("cet") == ZoneInfo("Europe/Berlin")
    assert resolve_timezone("AEST") == ZoneInfo("Australia/Sydney")
    assert resolve_timezone("PST") == ZoneInfo("America/Los_Angeles")


def test_an_ambiguous_abbreviation_shows_every_meaning() -> None:
    ist = timezone_choices("IST", now=WINTER)[:3]
    assert ist == [
        ("IST: India (Asia/Kolkata, UTC+05:30)", "Asia/Kolkata"),
        ("IST: Ireland (Europe/Dublin, UTC+00:00)", "Europe/Dublin"),
        ("IST: Israel (Asia/Jerusalem, UTC+02:00)", "Asia/Jerusalem"),
    ]
    with pytest.raises(InvalidInput) as caught:
        resolve_timezone("IST")
    assert caught.value.key == "checkin.error.timezone_ambiguous"
    assert caught.value.params["suggestions"] == ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Köln", "Europe/Berlin"),
        ("koln", "Europe/Berlin"),
        ("Cologne", "Europe/Berlin"),
        ("München", "Europe/Berlin"),
        ("Bombay", "Asia/Kolkata"),
        ("Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
        ("Lyon", "Europe/Paris"),
        ("Guadalajara", "America/Mexico_City"),
        ("Wellington", "Pacific/Auckland"),
    ],
)
def test_cities_from_geonames(text: str, zone: str) -> None:
    assert timezone_choices(text, now=WINTER)[0][1] == zone
    assert resolve_timezone(text) == ZoneInfo(zone)


def test_city_labels_name_the_city_country_zone_and_offset() -> None:
    assert timezone_choices("Köln", now=WINTER)[0] == ("Köln, DE (Europe/Berlin, UTC+01:00)", "Europe/Berlin")


@pytest.mark.parametrize(
    ("typo", "zone"), [("berln", "Europe/Berlin"), ("tokio", "Asia/Tokyo"), ("frankfrut", "Europe/Berlin")]
)
def test_typos_find_the_right_zone(typo: str, zone: str) -> None:
    assert search_timezones(typo)[0] == zone


def test_at_most_25_each_zone_once() -> None:
    for text in ("", "a", "san", "GMT+1", "ist"):
        zones = search_timezones(text)
        assert len(zones) <= 25 and len(zones) == len(set(zones))
