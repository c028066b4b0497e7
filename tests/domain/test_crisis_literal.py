"""The screen's literal scan (Aho-Corasick on a cheap fold) and the idioms' substring gate change nothing found.

Oracle: the detector's analysis with no screen at all (as in ``test_crisis_screen.py``). Whatever it finds, even a
phrase it then sets aside, the literal scan must not dismiss; and the idiom spans must be the same with the gate.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from bot.domain.crisis import NO_DETECTION, Detection, Detector
from bot.domain.crisis.idioms import idiom_needs
from bot.domain.crisis.literal import LiteralScan
from bot.services.crisis import load_lexicon

ROOT = Path(__file__).resolve().parents[2]
LEXICON = load_lexicon()
DETECTOR = Detector(LEXICON)
LITERAL = DETECTOR._base.literal  # pyright: ignore[reportPrivateUsage]


def _texts(path: str) -> list[str]:
    with (ROOT / path).open(encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


CORPUS = [
    t
    for name in ("crisis_corpus", "crisis_holdout", "crisis_holdout2")
    for t in _texts(f"tests/data/{name}.csv")
]
CHAT = _texts("bench/data/goemotions_sample.csv")[:4000]
POSTS = _texts("bench/data/cssrs_posts_sample.csv")


def _disguises(text: str) -> list[str]:
    words = text.split()
    return [
        text,
        text.upper(),
        text.lower(),
        text.replace("i", "1").replace("e", "3"),
        text.replace("o", "0").replace("a", "@"),
        text.replace("i", "!"),
        text.replace("ll", "lll").replace("e", "ee"),
        text.replace("'", ""),
        text.replace(" ", "`"),
        text.replace(" ", "_"),
        text.replace("to", "2").replace("want to", "wanna").replace("you", "u"),
        " ".join(words[:1] + [" ".join(w) for w in words[1:2]] + words[2:]),
        " ".join(words[:1] + [".".join(w) for w in words[1:2]] + words[2:]),
        text.replace("l", "I"),
        f'he said "{text}" lol',
        f"> {text}",
        f'"{text}" is what she said, and I said "no way"',
        f'he says "hi there" {text}',
        f"nice\n> quoted line\n{text}",
        "**".join(text),  # letters split by markup runs
        text.replace(" ", "**"),
        text.replace("e", "*e*"),
        f"{text} $ x",
    ]


def unscreened(text: str) -> Detection:
    norm = DETECTOR._n.normalise(text)  # pyright: ignore[reportPrivateUsage]
    sets = [norm.tokens] if norm.leet_tokens is None else [norm.tokens, norm.leet_tokens]
    return DETECTOR._analyse(text, norm, sets, " ".join(norm.tokens))  # pyright: ignore[reportPrivateUsage]


def test_the_literal_scan_never_dismisses_what_the_analysis_finds() -> None:
    assert LITERAL is not None
    texts = [v for t in CORPUS for v in _disguises(t)] + CHAT + POSTS
    missed = [t for t in texts if t.isascii() and LITERAL.dismisses(t) and unscreened(t) != NO_DETECTION]

    assert missed == []


FANCY = str.maketrans("aeiouklmnst", "аеіоукӏмпѕт")  # Cyrillic look-alikes


def _folded_disguises(text: str) -> list[str]:
    return [
        text.translate(FANCY),
        "\u24d8 " + text,
        text.replace(" ", " \U0001f480 "),  # an emoji between words
        text.replace("i", "\u0131"),  # dotless i
        text.replace("e", "e\u0301"),  # a combining accent
        text.replace("l", "l\u200b"),  # a zero-width space inside words
        text.replace("'", "\u2019"),
        f"\u201c{text}\u201d",
        "\uff49 \uff57\uff41\uff4e\uff54 " + text,  # full-width letters
        text.replace(" ", "\u2605"),  # a star between words
        text.replace(" ", "\u3000"),  # an ideographic space
        text + " \u4f60\u597d \u2028 ok",  # CJK and a line separator
        text.replace("l", "\u0130"),  # dotted capital I: case folding makes it "i" and a mark
        text.replace(" ", "\u00ad"),  # a soft hyphen, deleted
        f"\u201c{text}\u201d and \u201cnot really\u201d",
    ]


def test_text_folded_to_ascii_is_screened_as_exactly() -> None:
    texts = [v for t in CORPUS for v in _folded_disguises(t)] + [t for t in CHAT if not t.isascii()]
    missed = [t for t in texts if not DETECTOR.screen(t) and unscreened(t) != NO_DETECTION]

    assert missed == []


def test_the_literal_scan_dismisses_most_everyday_comments() -> None:
    assert LITERAL is not None
    plain = [t for t in CHAT if t.isascii()]

    assert sum(LITERAL.dismisses(t) for t in plain) / len(plain) > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "i want to k i l l myself",
        "i want to k.i.l.l myself",
        "i want to kiII myself",
        "i want to k!ll mys3lf",
        'she wrote "i want to" and then "die"',
        "> i want to die",
        "i wanna dieeee",
        "i want to kil`myself",
    ],
)
def test_disguised_plain_text_goes_on_to_the_rest_of_the_screen(text: str) -> None:
    assert LITERAL is not None
    assert not LITERAL.dismisses(text)
    assert DETECTOR.screen(text)


LOOKALIKES = [
    "ⓘ ⓦⓐⓝⓣ ⓣⓞ ⓚⓘⓛⓛ ⓜⓨⓢⓔⓛⓕ",
    "ɪ ᴡᴀɴᴛ ᴛᴏ ᴋɪʟʟ ᴍʏꜱᴇʟꜰ",
    "ι ωαηт тσ кιℓℓ мүѕєℓf",
    "Ι ωαντ το κιλλ мүѕελf",
    "ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ",
    "𝐈 𝐰𝐚𝐧𝐭 𝐭𝐨 𝐤𝐢𝐥𝐥 𝐦𝐲𝐬𝐞𝐥𝐟",
]
FILLER = "We went to the lake on Saturday and the weather was lovely, then had pizza and watched a film. "


@pytest.mark.parametrize("text", LOOKALIKES)
def test_look_alike_text_is_never_dropped_by_a_quick_path(text: str) -> None:
    assert DETECTOR.screen(text)
    assert not DETECTOR._quick_reject(text)  # pyright: ignore[reportPrivateUsage]
    assert DETECTOR.detect(text).alert
    assert DETECTOR.detect(FILLER * 20 + text + " " + FILLER * 10).alert  # in a long message too
    assert DETECTOR.detect(text + " " + FILLER * 10).alert


def test_a_long_everyday_message_is_dismissed_by_the_literal_scan_alone() -> None:
    screen = DETECTOR._screen  # pyright: ignore[reportPrivateUsage]

    assert screen.dismisses_whole(FILLER * 40)
    assert not screen.dismisses_whole(FILLER * 20 + "I want to kill myself. " + FILLER * 10)


def test_without_the_automaton_nothing_is_dismissed(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.domain.crisis import literal

    monkeypatch.setattr(literal, "_new_automaton", lambda: None)
    scan = LiteralScan([("kill", "myself")], frozenset({"kil"}))

    assert not scan.dismisses("good morning")


def test_the_idioms_have_substring_gates_and_each_gate_is_exact() -> None:
    context = LEXICON.context
    gated = [need for need in context.idiom_needs if need is not None]
    assert len(gated) >= 0.9 * len(context.idioms)  # an idiom without a gate still works, only slower
    texts = [DETECTOR._n.normalise(t).unsqueezed for t in CORPUS + CHAT[:1500]]  # pyright: ignore[reportPrivateUsage]
    for pattern, need in zip(context.idioms, context.idiom_needs, strict=True):
        if need is None:
            continue
        for text in texts:
            if pattern.search(text):
                assert any(s in text for s in need), (pattern.pattern, text)


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        ("(?:killing|killed|kill) it", {"kill"}),
        ("dead (?:tired|serious)", {"dead "}),
        ("(?:phone|car)(?: \\w+){0,2} dead", {" dead"}),
        ("(?:ab|cd)+x?", {"ab", "cd"}),
        ("[ab]x", {"x"}),
        ("\\w+", None),
        ("(?:a|)z", {"z"}),
    ],
)
def test_idiom_needs(pattern: str, needs: set[str] | None) -> None:
    got = idiom_needs(pattern)

    assert got == (None if needs is None else frozenset(needs))
    if got is not None:
        compiled = re.compile(pattern)
        for sample in ("killing it", "dead tired", "phone is dead", "abcd", "z", "bx"):
            match = compiled.search(sample)
            if match:
                assert any(s in match.group(0) for s in got)
