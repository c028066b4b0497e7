"""The shipped helpline data: valid for every country, sourced, and never inventing a number."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import phonenumbers
import pycountry
import pytest
from phonenumbers import shortnumberinfo

from bot.domain.resources import LINE_TOPICS, Topic, parse_directory
from bot.services.resources import HELPLINES_PATH

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference" / "helplines"
DATA: dict[str, Any] = json.loads(HELPLINES_PATH.read_text(encoding="utf-8"))
COUNTRIES: list[dict[str, Any]] = DATA["countries"]
LINES = [(c["code"], line) for c in COUNTRIES for line in c["lines"]]
# Kosovo has no ISO 3166-1 code yet; XK is the user-assigned code the EU and most registries use.
NON_ISO_CODES = {"XK"}
# Numbers dialled through another country's plan (San Marino uses Italian toll-free numbers).
FOREIGN_PLAN = {("SM", "800 995 988"): "IT"}
URL = re.compile(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_data_parses_into_the_directory() -> None:
    directory = parse_directory(DATA)

    assert len(directory.countries) == len(COUNTRIES)


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c["code"])
def test_every_country_is_valid(country: dict[str, Any]) -> None:
    code = country["code"]
    assert code in NON_ISO_CODES or pycountry.countries.get(alpha_2=code) is not None
    assert country["name"]
    emergency = country["emergency"]
    assert emergency["number"] and _digits(emergency["number"])
    assert URL.match(emergency["source_url"])
    assert emergency["source"]
    date.fromisoformat(emergency["last_verified"])


@pytest.mark.parametrize(("code", "line"), LINES, ids=[line["id"] for _, line in LINES])
def test_every_line_is_valid_and_sourced(code: str, line: dict[str, Any]) -> None:
    assert line["name"]
    assert line["phones"] or line["sms"] or line["website"] or line["chat_url"]
    assert line["status"] in ("verified", "unverified")
    assert line["source"] and URL.match(line["source_url"]), line["source_url"]
    assert date.fromisoformat(line["last_verified"]) <= datetime.now(UTC).date()
    assert line["topics"] and all(Topic(t) in LINE_TOPICS for t in line["topics"])
    for url in (line["website"], line["chat_url"]):
        assert url is None or URL.match(url), url
    hours = line["hours"]
    assert hours["kind"] in ("24/7", "weekly", "unknown")
    if hours["kind"] == "weekly":
        assert hours["timezone"] and hours["periods"]
    for phone in line["phones"]:
        _check_phone(code, phone)


def _check_phone(code: str, phone: dict[str, Any]) -> None:
    number = phone["number"]
    region = FOREIGN_PLAN.get((code, number), code if code not in NON_ISO_CODES else "XK")
    parsed = phonenumbers.parse(number, None if number.startswith("+") else region)
    is_short_code = len(_digits(number)) <= 6 and number.replace(" ", "").isdigit()
    assert (
        phonenumbers.is_possible_number(parsed)
        or shortnumberinfo.is_possible_short_number(parsed)
        or is_short_code
    ), f"{code} {number}"
    if phone["e164"] is not None:
        assert phone["e164"] == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        assert phonenumbers.is_valid_number(parsed)


def test_no_duplicates() -> None:
    codes = Counter(c["code"] for c in COUNTRIES)
    assert [c for c, n in codes.items() if n > 1] == []
    ids = Counter(line["id"] for _, line in LINES)
    assert [i for i, n in ids.items() if n > 1] == []
    numbers = Counter(
        (code, _digits(p["number"]), line["name"]) for code, line in LINES for p in line["phones"]
    )
    assert [k for k, n in numbers.items() if n > 1] == []


def _reference_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_reference_country_is_covered() -> None:
    fixes = {"NH": "VU", "RH": "ZW", "YD": "YE"}
    merged = {"AC", "TA", "CP", "INT"}  # into Saint Helena; Clipperton is uninhabited; INT is the directory
    ours = {c["code"] for c in COUNTRIES}
    for name in ("helplines_reference.csv", "emergency_numbers_reference.csv"):
        theirs = {fixes.get(r["country_code"], r["country_code"]) for r in _reference_rows(name)} - merged
        assert theirs - ours == set(), name


def test_every_reference_country_with_a_crisis_line_keeps_one() -> None:
    fixes = {"NH": "VU", "RH": "ZW", "YD": "YE"}
    with_lines = {c["code"] for c in COUNTRIES if c["lines"]}
    theirs = {
        fixes.get(r["country_code"], r["country_code"]) for r in _reference_rows("helplines_reference.csv")
    }
    # Albania's only row was Kosovo's number (a known error in the source); it keeps a children's line.
    assert theirs - {"INT"} - with_lines == set()


def test_no_number_is_invented() -> None:
    """Every phone and SMS number we ship appears in the team's sourced reference (rows, cross-check or README)."""
    reference_text = "".join(
        (REFERENCE / name).read_text(encoding="utf-8")
        for name in (
            "helplines_reference.csv",
            "emergency_numbers_reference.csv",
            "helplines_crosscheck.csv",
            "findahelpline_used.csv",
            "README.md",
        )
    )
    # Join digits that the reference writes with spaces, dashes, dots, slashes or parentheses between them.
    reference_digits = re.sub(r"(?<=\d)[\s\-./()]+(?=\d)", "", reference_text)
    missing = []
    for code, line in LINES:
        numbers = [p["number"] for p in line["phones"]] + ([line["sms"]["number"]] if line["sms"] else [])
        missing += [f"{code} {n}" for n in numbers if _digits(n) not in reference_digits]
    for country in COUNTRIES:
        for number in [country["emergency"]["number"], *country["emergency"]["also"]]:
            if _digits(number) not in reference_digits:
                missing.append(f"{country['code']} emergency {number}")
    assert missing == []


def _numbers(code: str) -> set[str]:
    country = next(c for c in COUNTRIES if c["code"] == code)
    return {_digits(p["number"]) for line in country["lines"] for p in line["phones"]}


@pytest.mark.parametrize(
    ("code", "present", "absent"),
    [
        ("KR", "109", "1393"),  # replaced from 2024-01-01
        ("CA", "988", "18334564566"),  # Talk Suicide Canada became 988 in 2023
        ("GB", "116123", "08457909090"),  # Samaritans since 2015
        ("IE", "116123", "1850609090"),
        ("BR", "188", "141"),  # free nationwide since 2018
        ("AL", "116111", "080012345"),  # 0800 12345 is Kosovo's line, listed under Albania by mistake
        ("RS", "0800300303", "0800309309"),  # Centar Srce; the 2026 cell was garbled
        ("UA", "7333", ""),  # Lifeline Ukraine
        ("BE", "080032123", ""),  # the French-language suicide line, beside the general 107
        ("NL", "113", ""),
    ],
)
def test_known_conflicts_are_resolved_toward_the_official_source(
    code: str, present: str, absent: str
) -> None:
    numbers = _numbers(code)

    assert present in numbers
    assert not absent or absent not in numbers


def test_lines_that_are_not_24_7_say_so() -> None:
    by_number = {_digits(p["number"]): line for _, line in LINES for p in line["phones"]}

    assert by_number["0120783556"]["hours"]["kind"] == "weekly"  # Inochi no Denwa free dial
    assert by_number["254722178177"]["hours"]["kind"] == "weekly"  # Befrienders Kenya
    advertised = [
        line["id"]
        for _, line in LINES
        for text in [line["name"], *(p["note"] or "" for p in line["phones"])]
        if "press 3" in text
    ]
    assert advertised == []  # 988's LGBTQ+ option (press 3) closed in July 2025


def test_single_source_rows_are_marked_unverified() -> None:
    for _, line in LINES:
        if re.search(r"single source", line["source"], re.IGNORECASE):
            assert line["status"] == "unverified", line["id"]


def test_data_readme_has_current_counts() -> None:
    readme = (ROOT / "bot" / "data" / "README.md").read_text(encoding="utf-8")
    verified = sum(1 for _, line in LINES if line["status"] == "verified")
    with_line = sum(1 for c in COUNTRIES if c["lines"])

    assert f"| countries and territories | {len(COUNTRIES)} |" in readme
    assert f"| with at least one crisis or support line | {with_line} |" in readme
    assert f"| lines | {len(LINES)} |" in readme
    assert f"| verified lines | {verified} |" in readme
    assert f"| unverified (single-source) lines | {len(LINES) - verified} |" in readme
    with_verified = sum(1 for c in COUNTRIES if any(line["status"] == "verified" for line in c["lines"]))
    assert f"| with at least one verified line | {with_verified} |" in readme
    with_hours = sum(1 for _, line in LINES if line["hours"]["kind"] != "unknown")
    assert f"| lines with known opening hours (24/7 or weekly) | {with_hours} |" in readme
