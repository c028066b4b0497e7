"""The early screen never dismisses what the full analysis would find, and long messages are read a window at a time.

The oracle is the detector's own analysis run on every text without any screen: whatever it finds (even a phrase it
then sets aside), the screen must pass on. Checked on the team's corpora, on disguised variants of their crisis lines,
and on everyday comments (the benchmark's GoEmotions sample).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.domain.crisis import LONG_TEXT, NO_DETECTION, CustomPhrase, Detection, Detector, Severity
from bot.services.crisis import load_lexicon

ROOT = Path(__file__).resolve().parents[2]
LEXICON = load_lexicon()
DETECTOR = Detector(LEXICON)
SERVER = Detector(
    LEXICON,
    custom=[
        CustomPhrase("yeet myself*", Severity.HIGH),
        CustomPhrase("*bridgeday", Severity.MODERATE),
        CustomPhrase("want to vanish", Severity.MODERATE),
    ],
    allow=["kill myself laughing"],
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


CORPUS = [
    r["text"]
    for name in ("crisis_corpus", "crisis_holdout", "crisis_holdout2")
    for r in _rows(ROOT / "tests/data" / f"{name}.csv")
]
CHAT = [r["text"] for r in _rows(ROOT / "bench/data/goemotions_sample.csv")[:3000]]
LEET = str.maketrans({"i": "1", "e": "3", "o": "0", "s": "5"})


def _variants(text: str) -> list[str]:
    return [
        text,
        text.upper(),
        text.translate(LEET),
        text.replace("'", "\u2019"),
        "**" + text + "**",
        text.replace(" ", "  "),
        " ".join(text.split()[:1] + [" ".join(w) for w in text.split()[1:2]] + text.split()[2:]),
        text.replace("u", "\u0443").replace("o", "\u043e"),  # Cyrillic look-alikes
        "\u24d8 " + text,
        "i wanna say: " + text,
    ]


def unscreened(detector: Detector, text: str) -> Detection:
    """What the analysis finds with no screen at all."""
    norm = detector._n.normalise(text)  # pyright: ignore[reportPrivateUsage]
    sets = [norm.tokens] if norm.leet_tokens is None else [norm.tokens, norm.leet_tokens]
    return detector._analyse(text, norm, sets, " ".join(norm.tokens))  # pyright: ignore[reportPrivateUsage]


@pytest.mark.parametrize("detector", [DETECTOR, SERVER], ids=["lexicon", "with server phrases"])
def test_the_screen_never_dismisses_what_the_analysis_finds(detector: Detector) -> None:
    texts = [v for t in CORPUS for v in _variants(t)] + CHAT
    missed = [
        t
        for t in texts
        if len(t) <= LONG_TEXT and not detector.screen(t) and unscreened(detector, t) != NO_DETECTION
    ]

    assert missed == []


@pytest.mark.parametrize("detector", [DETECTOR, SERVER], ids=["lexicon", "with server phrases"])
def test_detection_is_the_same_with_and_without_the_screen(detector: Detector) -> None:
    texts = [v for t in CORPUS for v in _variants(t)] + CHAT[:1000]
    different = [t for t in texts if len(t) <= LONG_TEXT and detector.detect(t) != unscreened(detector, t)]

    assert different == []


def test_most_everyday_comments_are_dismissed_early() -> None:
    passed = sum(DETECTOR.screen(t) for t in CHAT)

    assert passed / len(CHAT) < 0.05


FILLER = (
    "We went to the lake on Saturday and the weather was lovely. My sister brought her dog, who swam for hours. "
    "Afterwards we had pizza and watched a film about a heist, which was silly but fun.\n"
)


def test_a_long_message_is_read_around_its_crisis_sentence() -> None:
    text = (FILLER * 40)[:3000] + "\nHonestly I want to kill myself tonight. " + FILLER

    detection = DETECTOR.detect(text)

    assert detection.alert and detection.severity is Severity.IMMINENT
    assert any(h.phrase == "want to kill myself" for h in detection.hits)


def test_a_long_everyday_message_raises_nothing() -> None:
    assert DETECTOR.detect((FILLER * 40)[:4000]) == NO_DETECTION


def test_context_rules_still_apply_inside_a_long_message() -> None:
    text = (
        FILLER * 5
        + "This exam will kill me, I swear. "
        + FILLER * 5
        + "I'm not going to hurt myself. "
        + FILLER
    )

    assert not DETECTOR.detect(text).alert


def test_only_the_first_4000_characters_are_read() -> None:
    text = (FILLER * 60)[:4000] + " I want to kill myself"

    assert DETECTOR.detect(text) == NO_DETECTION
