"""Look-alike text: the fold built from Unicode's data (TR39 confusables, compatibility forms, small capitals)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.crisis import Detector
from bot.domain.lookalikes import lookalike_fold
from bot.services.crisis import load_lexicon

DETECTOR = Detector(load_lexicon())
DATA = Path(__file__).resolve().parents[2] / "bot" / "data" / "lookalikes.json"


@pytest.mark.parametrize(
    "text",
    [
        "ⓘ ⓦⓐⓝⓣ ⓣⓞ ⓚⓘⓛⓛ ⓜⓨⓢⓔⓛⓕ",  # circled letters
        "🅘 🅦🅐🅝🅣 🅣🅞 🅚🅘🅛🅛 🅜🅨🅢🅔🅛🅕",  # negative circled letters (TR39)
        "ɪ ᴡᴀɴᴛ ᴛᴏ ᴋɪʟʟ ᴍʏꜱᴇʟꜰ",  # small capitals
        "ι ωαηт тσ кιℓℓ мүѕєℓf",  # Greek- and Cyrillic-styled "fancy text"
        "Ι ωαντ το κιλλ мүѕελf",  # Greek capitals and small letters
        "і wаnt tо kіll mуsеlf",  # Cyrillic look-alikes mixed into Latin
        "𝐈 𝐰𝐚𝐧𝐭 𝐭𝐨 𝐤𝐢𝐥𝐥 𝐦𝐲𝐬𝐞𝐥𝐟",  # mathematical bold
        "𝔦 𝔴𝔞𝔫𝔱 𝔱𝔬 𝔨𝔦𝔩𝔩 𝔪𝔶𝔰𝔢𝔩𝔣",  # mathematical fraktur
        "𝒾 𝓌𝒶𝓃𝓉 𝓉ℴ 𝓀𝒾𝓁𝓁 𝓂𝓎𝓈ℯ𝓁𝒻",  # mathematical script
        "ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ",  # full-width
        "⒤ ⒲⒜⒩⒯ ⒯⒪ ⒦⒤⒧⒧ ⒨⒴⒮⒠⒧⒡",  # parenthesised letters
    ],
)
def test_look_alike_text_is_read_as_plain_letters(text: str) -> None:
    detection = DETECTOR.detect(text)

    assert detection.alert, text
    assert detection.kind is not None and detection.kind.value == "self"


def test_circled_letters_are_not_dismissed_early() -> None:
    assert not DETECTOR._quick_reject("ⓘ ⓦⓐⓝⓣ ⓣⓞ ⓚⓘⓛⓛ ⓜⓨⓢⓔⓛⓕ")  # pyright: ignore[reportPrivateUsage]


@pytest.mark.parametrize(
    "text",
    ["ⓘ ⓛⓞⓥⓔ ⓜⓨ ⓒⓐⓣ", "ᴛʜɪꜱ ᴇxᴀᴍ ᴡɪʟʟ ᴋɪʟʟ ᴍᴇ", "ι ωαηт тσ ѕℓєєρ", "Привет, как дела?", "Καλημέρα σε όλους"],
)
def test_look_alike_text_keeps_its_context_rules(text: str) -> None:
    assert not DETECTOR.detect(text).alert, text


def test_the_fold_comes_from_unicode_data() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    fold = lookalike_fold()

    assert data["generated_by"] == "scripts/build_confusables.py"
    assert data["characters"] == len(fold) > 3000
    assert fold["ᴋ"] == "k" and fold["т"] == "t" and fold["ⓘ"] == "i" and fold["𝐤"] == "k"
    assert all(target.isascii() for target in fold.values())
