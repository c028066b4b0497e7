"""Build bot/data/helplines.json from the team's helpline reference (tests/reference/helplines).

A maintainer tool, not part of the bot: run it when the reference changes, review the diff, commit the JSON.

    .venv/bin/python scripts/import_helplines.py [REFERENCE_DIR]

Every number in the output comes from the reference files (the rows, their cross-check, or the conflicts its README
lists). Decisions about known conflicts live in OVERRIDES and ADDED below, each with its reason. Nothing is invented.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import phonenumbers
import pycountry
from phonenumbers import shortnumberinfo

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bot" / "data" / "helplines.json"
COMPILED = "2026-11-22"
# The reference was compiled in November 2026 from the sources it cites; the day is not recorded.
CHECKED = "2026-11-01"

WIKI_LINES_URL = "https://en.wikipedia.org/w/index.php?title=List_of_suicide_crisis_lines&oldid=1363635917"
WIKI_EMERGENCY_URL = (
    "https://en.wikipedia.org/w/index.php?title=List_of_emergency_telephone_numbers&oldid=1362829639"
)
FINDAHELPLINE_URL = "https://findahelpline.com"

# Retired or non-ISO codes used by the upstream builder.
CODE_FIXES = {"NH": "VU", "RH": "ZW", "YD": "YE"}
# Codes outside ISO 3166-1 that are kept, with the reason.
EXTRA_CODES = {"XK": "Kosovo (user-assigned code XK, used by the EU and most registries)"}
# Territories whose emergency rows belong to a listed country.
MERGE_EMERGENCY = {"AC": "SH", "TA": "SH", "CP": None}

TOPIC_MAP = {
    "suicide": ["suicide_crisis"],
    "crisis": ["suicide_crisis"],
    "crisis (per source list)": ["suicide_crisis"],
    "suicide prevention": ["suicide_crisis"],
    "emotional distress": ["mental_health"],
    "emotional support": ["mental_health"],
    "emotional crisis": ["suicide_crisis", "mental_health"],
    "any distress": ["mental_health"],
    "distress": ["mental_health"],
    "any issue": ["mental_health"],
    "loneliness": ["mental_health"],
    "depression": ["mental_health"],
    "anxiety": ["mental_health"],
    "mental health": ["mental_health"],
    "mental health (routes to local public centre)": ["mental_health"],
    "listed as mental health helpline": ["mental_health"],
    "substance use": ["substance_use"],
    "veterans": ["veterans"],
    "service members": ["veterans"],
    "LGBTQ+ young people": ["lgbtq", "young_people"],
    "young people": ["young_people"],
    "children": ["young_people"],
    "self-harm": ["self_harm"],
    "bereaved": ["grief"],
}
LANGUAGE_HINTS = {"Spanish (press 2)": "Spanish", "English": "English", "French": "French"}
NOTE_HINTS = {
    "20 languages": "Available in 20 languages.",
    "foreign languages via guidance": "Guidance in foreign languages.",
    "also chat/email": "Also by chat and email.",
    "chat at 113.nl": "Also by chat at 113.nl.",
    "text only": "Text only.",
    "email jo@samaritans.org": "Also by email: jo@samaritans.org.",
    "First Nations": "For First Nations, Inuit and Métis people.",
    "relatives": "Also for family and friends.",
    "families": "Also for families.",
    "toll-free humanitarian": "Toll-free humanitarian line.",
}

# Hours that the reference states in words, as structured weekly periods (days: 0 = Monday).
HOURS_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("JP", "0120-783-556"): {
        "kind": "weekly",
        "timezone": "Asia/Tokyo",
        "periods": [{"days": [0, 1, 2, 3, 4, 5, 6], "open": "16:00", "close": "21:00"}],
        "note": "Also 24 hours on the 10th of each month (per a 2023 city page).",
    },
    ("KE", "+254 722 178 177"): {
        "kind": "weekly",
        "timezone": "Africa/Nairobi",
        "periods": [{"days": [0, 1, 2, 3, 4], "open": "09:00", "close": "17:00"}],
        "note": "Per Befrienders Kenya's own listing; another listing says 07:00-19:00.",
    },
    ("DE", "116 111"): {
        "kind": "weekly",
        "timezone": "Europe/Berlin",
        "periods": [
            {"days": [0, 1, 2, 3, 4], "open": "14:00", "close": "20:00"},
            {"days": [5], "open": "14:00", "close": "18:00"},
        ],
        "note": "Hours per progress.guide.",
    },
    ("JP", "0570-064-556"): {"kind": "unknown", "note": "Hours vary by prefecture."},
}

# Known conflicts from the reference README, resolved toward the official source. Keyed by (country, phone as in
# the reference). "drop" removes a row; other keys replace fields.
OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    # Albania: 0800 12345 is Kosovo's Linja e Jetës (README: "Probably an error").
    ("AL", "0800 12345"): {"drop": "It is Kosovo's Linja e Jetës number, listed under Albania by mistake."},
    # Serbia: Wikipedia 2026 cell "0800/309-309" disagrees with Centar Srce's 0800 300 303 in two other sources.
    ("RS", "0800/309-309"): {
        "drop": "Garbled in Wikipedia 2026; Centar Srce's number is 0800 300 303 (added)."
    },
    # Ukraine: 7333 is Lifeline Ukraine's own number (added); the Wikipedia 2026 number stays, unverified.
    ("UA", "0800100102"): {"phone": "0 800 100 102"},
    # Türkiye: the topic of 183 is unverified (README); say so.
    ("TR", "183"): {
        "name": "Social support line 183",
        "topics": ["mental_health"],
        "note": "What this line covers is not verified; the 2021 list had only the emergency number 112.",
    },
    # Belgium: 107 is a general listening line; the suicide lines are added below.
    ("BE", "107"): {"topics": ["mental_health"], "note": "A general listening line (French-speaking)."},
    ("US", "988"): {
        "free": True,
        "note": "Spanish: press 2. The former LGBTQ+ option (press 3) closed in July 2025.",
    },
    ("GB", "116 123"): {"free": True},
    ("IE", "116 123"): {"free": True},
    ("NL", "113"): {"free": True, "note": "Free of charge since October 2025. Also by chat at 113.nl."},
    ("NL", "0800-0113"): {"free": True},
    ("BR", "188"): {"free": True, "note": "Free nationwide since July 2018. Also by chat and email."},
    ("CA", "988"): {"free": True, "languages": ["English", "French"]},
    ("ZA", "0800 567 567"): {"free": True},
    ("ZA", "0800 456 789"): {"free": True},
}

# Lines the reference names in its cross-check or README but not as rows. Each cites where it comes from.
FINDAHELPLINE_2023 = "findahelpline.com listing as scraped in 2023 by nepthius/ResilientRhino (not openly licensed; corroboration only)"
ADDED: list[dict[str, Any]] = [
    {
        "country": "RS",
        "name": 'Centar "Srce"',
        "phone": "0800 300 303",
        "topics": ["suicide_crisis"],
        "source": f"Wikipedia 'List of suicide crisis lines' as scraped 2021-07; {FINDAHELPLINE_2023}",
        "source_url": WIKI_LINES_URL,
        "status": "verified",
    },
    {
        "country": "UA",
        "name": "Lifeline Ukraine",
        "phone": "7333",
        "topics": ["suicide_crisis", "mental_health"],
        "source": f"Wikipedia 'List of suicide crisis lines' as scraped 2021-07; {FINDAHELPLINE_2023}",
        "source_url": FINDAHELPLINE_URL,
        "status": "verified",
        "first": True,
    },
    {
        "country": "UA",
        "name": "National Toll-Free Hot Line for Children and Youth",
        "phone": "116 111",
        "topics": ["young_people"],
        "source": FINDAHELPLINE_2023 + " (single source; verify)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
    },
    {
        "country": "UA",
        "name": "National hotline on domestic violence, trafficking and gender discrimination",
        "phone": "116 123",
        "topics": ["domestic_violence"],
        "source": FINDAHELPLINE_2023 + " (single source; verify)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
    },
    {
        "country": "AL",
        "name": "ALO 116 (children and young people)",
        "phone": "116 111",
        "topics": ["young_people"],
        "source": FINDAHELPLINE_2023 + " (single source; verify)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
    },
    {
        "country": "WS",
        "name": "Faataua Le Ola (Samoa Lifeline)",
        "phone": "800 5433",
        "topics": ["suicide_crisis"],
        "source": FINDAHELPLINE_2023 + " (single source; Wikipedia 2026 lists 800 7874 instead)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
        "first": True,
    },
    {
        "country": "AR",
        "name": "Línea de Prevención del Suicidio",
        "phone": "0800 345 1435",
        "topics": ["suicide_crisis"],
        "source": FINDAHELPLINE_2023 + " (single source; Wikipedia 2026 lists 0800 999 0091)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
    },
    {
        "country": "PT",
        "name": "Voz de Apoio",
        "phone": "225 506 070",
        "topics": ["mental_health"],
        "source": FINDAHELPLINE_2023 + " (single source; verify)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
    },
    {
        "country": "SD",
        "name": "9696 Hotline",
        "phone": "9696",
        "topics": ["suicide_crisis"],
        "source": FINDAHELPLINE_2023 + " (single source; verify)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
    },
    {
        "country": "BE",
        "name": "Centre de Prévention du Suicide",
        "phone": "0800 32 123",
        "topics": ["suicide_crisis"],
        "languages": ["French"],
        "free": True,
        "source": FINDAHELPLINE_2023
        + "; named as Belgium's French-language suicide line in the team's reference",
        "source_url": FINDAHELPLINE_URL,
        "status": "verified",
        "first": True,
    },
    {
        "country": "BE",
        "name": "Zelfmoordlijn 1813",
        "phone": "1813",
        "topics": ["suicide_crisis"],
        "languages": ["Dutch"],
        "source": "Named as Belgium's Dutch-language suicide line in the team's helpline reference (single source; verify)",
        "source_url": "https://www.zelfmoord1813.be",
        "status": "unverified",
        "first": True,
    },
    {
        "country": "IT",
        "name": "Telefono Amico Italia",
        "phone": "02 2327 2327",
        "topics": ["suicide_crisis", "mental_health"],
        "source": FINDAHELPLINE_2023 + "; named in the team's helpline reference",
        "source_url": FINDAHELPLINE_URL,
        "status": "verified",
    },
    {
        "country": "IT",
        "name": "Telefono Azzurro",
        "phone": "19696",
        "topics": ["young_people"],
        "source": FINDAHELPLINE_2023 + " (single source; verify)",
        "source_url": FINDAHELPLINE_URL,
        "status": "unverified",
    },
    {
        "country": "TW",
        "name": "International Lifeline Taiwan Association",
        "phone": "1995",
        "topics": ["suicide_crisis", "mental_health"],
        "source": FINDAHELPLINE_2023 + "; named in the team's helpline reference",
        "source_url": FINDAHELPLINE_URL,
        "status": "verified",
    },
    {
        "country": "HK",
        "name": "The Samaritans 24-hour multilingual suicide prevention",
        "phone": "2896 0000",
        "topics": ["suicide_crisis"],
        "hours": {"kind": "24/7"},
        "source": FINDAHELPLINE_2023 + "; named in the team's helpline reference",
        "source_url": FINDAHELPLINE_URL,
        "status": "verified",
    },
]

REGION_OF_ZONE_PREFIX = {
    "Africa": "Africa",
    "America": "Americas",
    "Asia": "Asia",
    "Europe": "Europe",
    "Australia": "Oceania",
    "Pacific": "Oceania",
    "Arctic": "Europe",
    "Antarctica": "Antarctica",
}
REGION_OF_ZONE = {
    "Atlantic/Azores": "Europe",
    "Atlantic/Madeira": "Europe",
    "Atlantic/Canary": "Europe",
    "Atlantic/Faroe": "Europe",
    "Atlantic/Reykjavik": "Europe",
    "Atlantic/Bermuda": "Americas",
    "Atlantic/Stanley": "Americas",
    "Atlantic/South_Georgia": "Americas",
    "Atlantic/Cape_Verde": "Africa",
    "Atlantic/St_Helena": "Africa",
    "Indian/Antananarivo": "Africa",
    "Indian/Comoro": "Africa",
    "Indian/Mahe": "Africa",
    "Indian/Mauritius": "Africa",
    "Indian/Mayotte": "Africa",
    "Indian/Reunion": "Africa",
    "Indian/Kerguelen": "Antarctica",
    "Indian/Chagos": "Asia",
    "Indian/Christmas": "Oceania",
    "Indian/Cocos": "Oceania",
    "Indian/Maldives": "Asia",
    "Pacific/Galapagos": "Americas",
    "Pacific/Easter": "Americas",
    "Pacific/Honolulu": "Oceania",
}
EXTRA_ZONES = {"XK": "Europe/Belgrade"}

ALIASES = {
    "US": ["USA", "United States of America", "America"],
    "GB": ["UK", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland", "Britain"],
    "AE": ["UAE"],
    "DE": ["Deutschland"],
    "ES": ["España"],
    "FR": ["La France"],
    "NL": ["Holland", "Nederland"],
    "KR": ["Korea", "Republic of Korea"],
    "KP": ["North Korea"],
    "CZ": ["Czech Republic"],
    "TR": ["Turkey"],
    "RU": ["Russia"],
    "IR": ["Iran"],
    "CN": ["PRC"],
    "CI": ["Ivory Coast"],
    "CD": ["DRC", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
    "MM": ["Burma"],
    "SZ": ["Swaziland"],
    "MK": ["Macedonia"],
    "NZ": ["Aotearoa"],
    "BR": ["Brasil"],
    "MX": ["México"],
    "JP": ["Nippon", "日本"],
    "IN": ["Bharat"],
    "CH": ["Schweiz", "Suisse", "Svizzera"],
    "AT": ["Österreich"],
    "VA": ["Vatican"],
    "TW": ["Republic of China"],
    "XK": ["Kosova"],
}


def country_name(code: str, fallback: str) -> str:
    if code in EXTRA_CODES:
        return fallback
    country = pycountry.countries.get(alpha_2=code)
    assert country is not None, code
    return getattr(country, "common_name", None) or country.name


def aliases(code: str, display: str, reference_name: str) -> list[str]:
    found: list[str] = []
    country = pycountry.countries.get(alpha_2=code)
    if country is not None:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                found.append(value)
        found.append(country.alpha_3)
    found.append(reference_name)
    found += ALIASES.get(code, [])
    unique: list[str] = []
    for name in found:
        if name and name != display and name not in unique:
            unique.append(name)
    return unique


def zones() -> dict[str, str]:
    import tzdata

    path = Path(tzdata.__file__).parent / "zoneinfo" / "zone.tab"
    first: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coords, zone = line.split("\t")[:3]
        first.setdefault(code, zone)
    first.update(EXTRA_ZONES)
    return first


def region(zone: str) -> str:
    if zone in REGION_OF_ZONE:
        return REGION_OF_ZONE[zone]
    return REGION_OF_ZONE_PREFIX.get(zone.split("/", 1)[0], "Other")


def e164(number: str, code: str) -> str | None:
    """E.164 for a full number; None for short codes and numbers only dialled locally."""
    digits = re.sub(r"[^\d+]", "", number)
    if len(digits.lstrip("+")) <= 5:
        return None
    try:
        parsed = phonenumbers.parse(number, None if number.startswith("+") else code)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def split_phone(raw: str) -> list[dict[str, Any]]:
    """A phone cell as one or more numbers, each with a note (network or language)."""
    raw = raw.strip()
    if not raw:
        return []
    cell = re.match(r"^(.*?) \(Wikipedia cell: '(.*)'\)$", raw)
    if cell:
        primary, text = cell.group(1).strip(), cell.group(2)
        option = re.match(r"^\s*\S+ option (\d+)\s*$", text)
        if option:
            return [{"number": primary, "note": f"then choose option {option.group(1)}"}]
        parts = [p.strip() for p in text.split(";") if p.strip()]
        numbers = []
        for part in parts:
            note_match = re.match(r"^(.*?)\s*\((.*)\)$", part)
            number, note = (note_match.group(1), note_match.group(2)) if note_match else (part, None)
            numbers.append({"number": number.strip(), "note": note})
        return numbers
    if ";" in raw:
        numbers = []
        for part in raw.split(";"):
            note_match = re.match(r"^(.*?)\s*\((.*)\)$", part.strip())
            if note_match:
                numbers.append({"number": note_match.group(1).strip(), "note": note_match.group(2)})
            else:
                numbers.append({"number": part.strip(), "note": None})
        return numbers
    vanity = re.match(r"^(.*?) \((.*)\)$", raw)
    if vanity:
        return [{"number": vanity.group(1), "note": vanity.group(2)}]
    if raw == "988 then press 1":
        return [{"number": "988", "note": "then press 1"}]
    return [{"number": raw, "note": None}]


def parse_sms(raw: str, phones: list[dict[str, Any]]) -> dict[str, Any] | None:
    raw = raw.strip()
    if not raw:
        return None
    if raw == "SMS/WhatsApp same number":
        return {"number": phones[0]["number"], "keyword": None, "note": "SMS or WhatsApp to the same number"}
    keyword = re.match(r"^text (\S+) to ([\d -]+)$", raw)
    if keyword:
        return {"number": keyword.group(2).strip(), "keyword": keyword.group(1), "note": None}
    launch = re.match(r"^text (\d+) \(launch keyword: (\w+)\)$", raw)
    if launch:
        return {"number": launch.group(1), "keyword": launch.group(2), "note": None}
    plain = re.match(r"^(?:text |SMS )?([\d ]+?)(?: \((.*)\))?$", raw)
    assert plain, raw
    return {"number": plain.group(1).strip(), "keyword": None, "note": plain.group(2)}


def parse_hours(code: str, phone: str, raw: str) -> dict[str, Any]:
    if (code, phone) in HOURS_OVERRIDES:
        return HOURS_OVERRIDES[(code, phone)]
    raw = raw.strip()
    if raw.startswith("24/7"):
        extra = raw[4:].strip(" ()")
        return {"kind": "24/7", "note": extra or None}
    if not raw:
        return {"kind": "unknown", "note": None}
    return {"kind": "unknown", "note": raw}


def source_url(source: str, website: str, status: str) -> str:
    if source.startswith("pages:"):
        first = source[len("pages:") :].strip().split(";")[0].strip().split(" ")[0]
        if website and first.split("/")[0].removeprefix("www.") in website:
            return website
        if "." in first.split("/")[0]:
            return "https://" + first
    if source.startswith("Wikipedia"):
        return WIKI_LINES_URL
    if source.startswith("findahelpline"):
        return FINDAHELPLINE_URL
    if source.startswith("PyPI afya-ya-akili-mcp"):
        return "https://pypi.org/project/afya-ya-akili-mcp/0.1.10/"
    raise AssertionError(f"no source URL for {source!r} ({status})")


def slug(code: str, name: str, number: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", f"{code} {name} {number}").encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return base[:60].strip("-")


def line_from_row(row: dict[str, str], code: str) -> dict[str, Any] | None:
    key = (code, row["phone"].strip())
    override = OVERRIDES.get(key, {})
    if "drop" in override:
        return None
    phone_raw = override.get("phone", row["phone"])
    phones = [{**p, "e164": e164(p["number"], code)} for p in split_phone(phone_raw)]
    sms = parse_sms(row["sms"], phones)
    topics: list[str] = []
    languages: list[str] = []
    notes: list[str] = []
    for topic in (t.strip() for t in row["topics"].split(";")):
        for mapped in TOPIC_MAP.get(topic, []):
            if mapped not in topics:
                topics.append(mapped)
        if topic in LANGUAGE_HINTS:
            languages.append(LANGUAGE_HINTS[topic])
        if topic in NOTE_HINTS:
            notes.append(NOTE_HINTS[topic])
    source = row["source"].strip()
    status = "unverified" if re.search(r"single source", source, re.IGNORECASE) else "verified"
    website = row["url"].strip() or None
    name = row["name"].strip()
    if name == "National crisis line (name not given in source table)":
        name = "National crisis line"
    line: dict[str, Any] = {
        "id": slug(code, name, phones[0]["number"] if phones else (sms or {}).get("number", "")),
        "name": name,
        "phones": phones,
        "sms": sms,
        "chat_url": None,
        "website": website,
        "hours": parse_hours(code, row["phone"].strip(), row["hours"]),
        "languages": languages,
        "topics": topics or ["suicide_crisis"],
        "free": None,
        "anonymous": None,
        "source": source,
        "source_url": source_url(source, website or "", status),
        "last_verified": CHECKED,
        "status": status,
        "note": " ".join(notes) or None,
    }
    for field, value in override.items():
        if field != "phone":
            line[field] = value
    return line


def line_from_added(entry: dict[str, Any]) -> dict[str, Any]:
    code = entry["country"]
    phones = [{"number": entry["phone"], "note": None, "e164": e164(entry["phone"], code)}]
    return {
        "id": slug(code, entry["name"], entry["phone"]),
        "name": entry["name"],
        "phones": phones,
        "sms": None,
        "chat_url": None,
        "website": entry.get("website"),
        "hours": entry.get("hours", {"kind": "unknown", "note": None}),
        "languages": entry.get("languages", []),
        "topics": entry["topics"],
        "free": entry.get("free"),
        "anonymous": None,
        "source": entry["source"],
        "source_url": entry["source_url"],
        "last_verified": CHECKED,
        "status": entry["status"],
        "note": entry.get("note"),
    }


def parse_emergency(raw: str) -> tuple[str, list[str]]:
    raw = raw.strip()
    cell = re.match(r"^(.*?) \(\s*\(?cell: '(.*)'\)$", raw)
    if not cell:
        return raw, []
    primary = cell.group(1).strip().rstrip("(").strip()
    text = cell.group(2)
    others: list[str] = []
    if re.fullmatch(r"[\d ]+(?:\s*(?:or|and|/)\s*[\d ]+)+", text):
        for part in re.split(r"\s*(?:or|and|/)\s*", text):
            part = part.strip()
            if part and part != primary and part not in others:
                others.append(part)
    return primary, others


def main(reference: Path) -> None:
    tz = zones()
    helplines = list(csv.DictReader((reference / "helplines_reference.csv").open(encoding="utf-8")))
    emergency_rows = list(
        csv.DictReader((reference / "emergency_numbers_reference.csv").open(encoding="utf-8"))
    )

    countries: dict[str, dict[str, Any]] = {}

    def country(code: str, reference_name: str) -> dict[str, Any]:
        if code not in countries:
            display = country_name(code, reference_name)
            zone = tz.get(code)
            countries[code] = {
                "code": code,
                "name": display,
                "aliases": aliases(code, display, reference_name),
                "region": region(zone) if zone else "Other",
                "emergency": None,
                "lines": [],
            }
        return countries[code]

    for row in emergency_rows:
        code = CODE_FIXES.get(row["country_code"], row["country_code"])
        if code in MERGE_EMERGENCY:
            continue  # Ascension, Tristan da Cunha: covered by Saint Helena's entry; Clipperton: uninhabited
        number, others = parse_emergency(row["phone"])
        entry = country(code, row["country"])
        if entry["emergency"] is not None:
            continue  # the ISO row wins over a retired-code duplicate
        entry["emergency"] = {
            "number": number,
            "also": others,
            "source": row["source"].strip(),
            "source_url": WIKI_EMERGENCY_URL,
            "last_verified": CHECKED,
        }

    international: dict[str, Any] | None = None
    dropped: list[str] = []
    for row in helplines:
        if row["country_code"] == "INT":
            international = {
                "name": row["name"],
                "url": row["url"],
                "note": "A directory of helplines in most countries, run by ThroughLine (IASP's directory partner).",
                "source": row["source"],
            }
            continue
        code = CODE_FIXES.get(row["country_code"], row["country_code"])
        line = line_from_row(row, code)
        if line is None:
            dropped.append(f"{code} {row['phone']}")
            continue
        country(code, row["country"])["lines"].append(line)

    for entry in ADDED:
        line = line_from_added(entry)
        lines = country(entry["country"], entry["country"])["lines"]
        if entry.get("first"):
            lines.insert(0, line)
        else:
            lines.append(line)

    assert international is not None
    ordered = [countries[c] for c in sorted(countries, key=lambda c: countries[c]["name"])]
    data = {
        "schema": 1,
        "compiled": COMPILED,
        "topics": [
            "suicide_crisis",
            "self_harm",
            "mental_health",
            "eating_disorders",
            "substance_use",
            "domestic_violence",
            "sexual_assault",
            "lgbtq",
            "young_people",
            "veterans",
            "grief",
        ],
        "international": international,
        "countries": ordered,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = [line for c in ordered for line in c["lines"]]
    print(
        f"{len(ordered)} countries, {len(lines)} lines "
        f"({sum(1 for line in lines if line['status'] == 'verified')} verified), dropped: {dropped}"
    )
    missing_emergency = [c["code"] for c in ordered if c["emergency"] is None]
    print("no emergency number:", missing_emergency)
    no_line = [c["code"] for c in ordered if not c["lines"]]
    print(f"{len(no_line)} with no crisis line")
    _ = shortnumberinfo


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "reference" / "helplines")
