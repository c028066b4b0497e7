"""Resource rules: open now, choosing lines, finding countries, validating local entries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.resources import (
    Country,
    Emergency,
    Hours,
    Line,
    LocalResource,
    Period,
    Phone,
    Topic,
    local_for_topic,
    normalise,
    open_status,
    select_lines,
    validate_local,
)
from bot.errors import InvalidInput
from bot.services.resources import load_directory

WEEKDAYS = (0, 1, 2, 3, 4)
NAIROBI_OFFICE = Hours("weekly", "Africa/Nairobi", (Period(WEEKDAYS, time(9), time(17)),))
NIGHT_LINE = Hours("weekly", "Europe/Berlin", (Period((0, 1, 2, 3, 4, 5, 6), time(20), time(8)),))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "now", "is_open", "next_change"),
    [
        (Hours("24/7"), utc(2026, 11, 22, 3, 0), True, None),
        (Hours("unknown"), utc(2026, 11, 22, 3, 0), None, None),
        # Monday 2026-11-23 10:00 in Nairobi (UTC+3) is 07:00 UTC: open until 17:00 local.
        (NAIROBI_OFFICE, utc(2026, 11, 23, 7, 0), True, "2026-11-23 17:00"),
        # Monday 05:00 UTC is 08:00 Nairobi: closed, opens 09:00.
        (NAIROBI_OFFICE, utc(2026, 11, 23, 5, 0), False, "2026-11-23 09:00"),
        # Friday 2026-11-27 18:00 Nairobi: closed until Monday 09:00.
        (NAIROBI_OFFICE, utc(2026, 11, 27, 15, 0), False, "2026-11-30 09:00"),
        # Saturday: closed until Monday.
        (NAIROBI_OFFICE, utc(2026, 11, 28, 9, 0), False, "2026-11-30 09:00"),
        # Overnight line: 02:00 Berlin belongs to the evening before and is open until 08:00.
        (NIGHT_LINE, utc(2026, 11, 23, 1, 0), True, "2026-11-23 08:00"),
        (NIGHT_LINE, utc(2026, 11, 23, 12, 0), False, "2026-11-23 20:00"),
    ],
)
def test_open_status_in_the_lines_own_timezone(
    hours: Hours, now: datetime, is_open: bool | None, next_change: str | None
) -> None:
    status = open_status(hours, now)

    assert status.open is is_open
    shown = status.next_change.strftime("%Y-%m-%d %H:%M") if status.next_change else None
    assert shown == next_change


def test_open_status_across_daylight_saving_change() -> None:
    # Berlin moves to summer time on 2026-03-29: 20:00 local is 18:00 UTC after the change, 19:00 UTC before.
    before = open_status(NIGHT_LINE, utc(2026, 3, 28, 19, 30))
    after = open_status(NIGHT_LINE, utc(2026, 3, 29, 18, 30))

    assert before.open and after.open


def _line(id_: str, topics: tuple[Topic, ...], verified: bool = True) -> Line:
    return Line(
        id=id_,
        name=id_,
        phones=(Phone("123"),),
        sms=None,
        chat_url=None,
        website=None,
        hours=Hours("unknown"),
        languages=(),
        topics=topics,
        free=None,
        anonymous=None,
        source="test",
        source_url="https://example.org",
        last_verified=date(2026, 11, 1),
        verified=verified,
    )


def _country(*lines: Line) -> Country:
    return Country(
        "ZZ", "Testland", (), "Europe", Emergency("112", (), "t", "https://e.org", date(2026, 1, 1)), lines
    )


def test_select_lines_puts_verified_first_and_keeps_three() -> None:
    crisis = (Topic.SUICIDE_CRISIS,)
    country = _country(
        _line("a", crisis, verified=False),
        _line("b", crisis),
        _line("c", crisis),
        _line("d", crisis),
        _line("e", crisis),
    )

    selection = select_lines(country, Topic.SUICIDE_CRISIS)

    assert [line.id for line in selection.lines] == ["b", "c", "d"]
    assert selection.topic_matched


def test_select_lines_falls_back_to_general_lines_for_an_uncovered_topic() -> None:
    country = _country(_line("crisis", (Topic.SUICIDE_CRISIS,)), _line("kids", (Topic.YOUNG_PEOPLE,)))

    selection = select_lines(country, Topic.EATING_DISORDERS)

    assert [line.id for line in selection.lines] == ["crisis"]
    assert not selection.topic_matched


def test_select_lines_prefers_topic_lines() -> None:
    country = _country(_line("crisis", (Topic.SUICIDE_CRISIS,)), _line("kids", (Topic.YOUNG_PEOPLE,)))

    assert [line.id for line in select_lines(country, Topic.YOUNG_PEOPLE).lines] == ["kids"]


@pytest.fixture(scope="module")
def directory():
    return load_directory()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("germany", "DE"),
        ("Deutschland", "DE"),
        ("  United   Kingdom ", "GB"),
        ("uk", "GB"),
        ("cote d'ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("usa", "US"),
        ("new zeal", "NZ"),
        ("Korea", "KR"),
    ],
)
def test_resolve_country_by_code_name_or_alias(directory, text: str, code: str) -> None:
    country = directory.resolve(text)

    assert country is not None, text
    assert country.code == code


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "x" * 100, "united"])
def test_resolve_returns_none_for_unknown_or_ambiguous_text(directory, text: str) -> None:
    assert directory.resolve(text) is None


def test_search_offers_code_and_prefix_matches_first(directory) -> None:
    names = [c.name for c in directory.search("ger")]

    assert names[0] == "Germany"
    assert "Algeria" in names  # contains "ger": offered after the prefix matches


def test_search_with_long_or_odd_input_is_safe(directory) -> None:
    assert directory.search("x" * 100) == []
    assert directory.search("%_*") == []
    assert len(directory.search("")) == 25


def test_normalise_folds_case_accents_and_spaces() -> None:
    assert normalise("  Curaçao\tISLAND ") == "curacao island"


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"name": "x"}, "resources.local.error.name"),
        ({"name": "n" * 81}, "resources.local.error.name"),
        ({"description": "d" * 201}, "resources.local.error.description"),
        ({"phone": None, "url": None}, "resources.local.error.no_contact"),
        ({"phone": "call me"}, "resources.local.error.phone"),
        ({"phone": "12"}, "resources.local.error.phone"),
        ({"url": "ftp://clinic.example"}, "resources.local.error.url"),
        ({"url": "https://has space.org"}, "resources.local.error.url"),
        ({"description": "ping @everyone"}, "resources.local.error.mention"),
    ],
)
def test_invalid_local_entries_name_what_to_fix(fields: dict[str, str | None], key: str) -> None:
    values: dict[str, str | None] = {
        "name": "City Clinic",
        "description": "",
        "phone": "+44 20 7946 0000",
        "url": None,
    }
    values.update(fields)

    with pytest.raises(InvalidInput) as caught:
        validate_local(
            values["name"] or "", values["description"] or "", values["phone"], values["url"], None
        )

    assert caught.value.key == key


def test_a_channel_mention_is_enough_contact_for_a_local_entry() -> None:
    draft = validate_local("Our support channel", "Talk to us in <#123456789012345678>", None, None, None)

    assert draft.phone is None and draft.url is None


def test_local_entries_without_topic_fit_every_topic() -> None:
    entries = [
        LocalResource(1, 9, "Any", "", "123", None, None),
        LocalResource(2, 9, "Kids", "", "123", None, Topic.YOUNG_PEOPLE),
    ]

    assert [e.id for e in local_for_topic(entries, Topic.SUICIDE_CRISIS)] == [1]
    assert [e.id for e in local_for_topic(entries, Topic.YOUNG_PEOPLE)] == [1, 2]
