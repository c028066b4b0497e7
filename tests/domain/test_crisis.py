"""The crisis detector: normalisation, context rules, kinds, severities and explanations. Table-driven."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.crisis import CustomPhrase, Detector, Kind, Severity, parse_lexicon, validate_phrase
from bot.errors import InvalidInput

LEXICON = parse_lexicon(
    json.loads((Path(__file__).resolve().parents[2] / "bot/data/crisis_lexicon.json").read_text())
)
DETECTOR = Detector(LEXICON)


def verdict(text: str, detector: Detector = DETECTOR) -> tuple[str | None, str | None]:
    d = detector.detect(text)
    return (
        d.severity.label if d.severity is not None and d.alert else None,
        d.kind.value if d.alert and d.kind else None,
    )


@pytest.mark.parametrize(
    ("text", "severity", "kind"),
    [
        # active and passive ideation
        ("I want to kill myself", "high", "self"),
        ("i don't want to be alive", "moderate", "self"),
        ("everyone would be better off without me", "moderate", "self"),
        # preparation, means, time
        ("i have the pills and i'm doing it tonight", "imminent", "self"),
        ("I want to die tonight", "imminent", "self"),
        ("how many ibuprofen would it take", "imminent", "self"),  # a method with intent
        ("wrote my suicide note", "imminent", "self"),
        # self-harm
        ("i cut myself again last night", "moderate", "self"),
        # algospeak
        ("gonna unalive myself", "high", "self"),
        ("thinking about sewer slide", "high", "self"),
        ("kms fr", "high", "self"),
        ("ctb tonight", "imminent", "self"),
        # third-person concern and harassment
        ("my friend says she wants to die", "high", "concern"),
        ("my brother told me he's going to kill himself", "high", "concern"),
        ("kys loser", "moderate", "harassment"),
        ("u should just kill urself", "moderate", "harassment"),
        # harsh words in one's own head are about the writer
        ("my brain keeps saying kill yourself", "high", "self"),
    ],
)
def test_detects_what_needs_a_moderator(text: str, severity: str, kind: str) -> None:
    assert verdict(text) == (severity, kind)


@pytest.mark.parametrize(
    "text",
    [
        "5u1c1de is all i think about",  # leetspeak
        "k1ll mys3lf",
        "i want to diiiie",  # repeated letters
        "s u i c i d e is all i think about",  # letters spelled out
        "k.m.s",
        "||i want to die||",  # spoiler tags
        "**kill myself**",  # markdown
        "kіll myself",  # Cyrillic і
        "ki\u200bll myself",  # zero-width space
        "i want to kiII myself",  # capital I for l
        "Ｉ ＷＡＮＴ ＴＯ ＤＩＥ",  # full-width letters
        "i w a n t  t o  d i e",
        "i want to d̷̛i̴e̸",  # zalgo marks
    ],
)
def test_normalisation_sees_through_disguises(text: str) -> None:
    assert DETECTOR.detect(text).alert, text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("i'm not going to hurt myself, promise", "negated"),
        ("I would never kill myself", "negated"),
        ("this exam will kill me", "an idiom or hyperbole"),
        ("dying of laughter rn", "an idiom or hyperbole"),
        ("my boss is gonna kill me", "an idiom or hyperbole"),
        ("I keep dying on this boss", "gaming talk"),
        ('"I wanna die" is such a sad lyric', "inside quotes"),
        ("> i want to die\nthat line from the book hit hard", "inside quotes"),
        ("I used to want to die but I'm doing much better", "about the past, not now"),
        ("lol i cut myself chopping onions", "an idiom or hyperbole"),
        ("if you ever feel like you want to die, please reach out", "a supportive message"),
    ],
)
def test_context_rules_set_matches_aside_and_say_why(text: str, reason: str) -> None:
    detection = DETECTOR.detect(text)

    assert not detection.alert
    assert any(h.suppressed_by == reason for h in detection.suppressed), detection.explain()


@pytest.mark.parametrize(
    "text",
    [
        "i'm not okay, i want to die",  # "not okay" does not negate what follows
        "i can't promise i won't hurt myself tonight",
        "i was clean for a year but i cut again last night",  # the past, but now again
    ],
)
def test_context_rules_do_not_hide_real_risk(text: str) -> None:
    assert DETECTOR.detect(text).alert, DETECTOR.detect(text).explain()


@pytest.mark.parametrize("text", ["", " ", "hello there", "x" * 4000, "\x00\x01\x02\xff" * 100, "🙂" * 500])
def test_odd_input_is_safe(text: str) -> None:
    assert not DETECTOR.detect(text).alert


def test_every_detection_explains_itself() -> None:
    detection = DETECTOR.detect("I want to die tonight")

    assert detection.explain()[0].startswith("matched \u201c")
    assert "escalated: ideation with a time" in detection.explain() or detection.severity is Severity.IMMINENT
    hit = detection.hits[0]
    assert hit.rule and hit.severity and hit.kind is Kind.SELF


def test_watch_level_words_never_alert_alone() -> None:
    for text in ("suicide prevention week starts monday", "my battery is dead", "pills", "💊"):
        assert not DETECTOR.detect(text).alert, text


def test_server_phrases_with_wildcards_and_allow_list() -> None:
    detector = Detector(
        LEXICON,
        custom=[CustomPhrase("yeet myself*", Severity.HIGH), CustomPhrase("*bridgeday", Severity.MODERATE)],
        allow=["kill myself laughing"],
    )

    assert verdict("gonna yeet myselfff off", detector) == ("high", "self")
    assert verdict("tomorrow is my bridgeday", detector) == ("moderate", "self")
    assert not detector.detect("i'll kill myself laughing at this").alert


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        ("", "crisis.phrase.error.empty"),
        ("***", "crisis.phrase.error.empty"),
        ("x" * 101, "crisis.phrase.error.long"),
        ("a*b", "crisis.phrase.error.wildcard"),
        ("*a*", "crisis.phrase.error.too_short"),
    ],
)
def test_bad_server_phrases_are_refused_clearly(phrase: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_phrase(phrase, LEXICON.normaliser)

    assert caught.value.key == key
