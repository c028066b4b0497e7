"""Text normalisation for the full analysis: case, accents, look-alikes, zero-width, leetspeak, repeats, split
letters, markup and quotes, into tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.crisis.model import MAX_TEXT
from bot.domain.crisis_screen import CAPITAL_I_AS_L, LEET, LEET_CHARS, SLANG, screen_table, squeezed
from bot.domain.lookalikes import lookalike_fold, lookalike_table

_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u034f")
)
_LEET = LEET
_LEET_CHARS = LEET_CHARS
_MARKUP = re.compile(r"[*_~|`#]+")
QUOTES = re.compile(r"\"[^\"\n]{3,}\"|\u201c[^\u201d\n]{3,}\u201d|(?:^|\n)\s*>[^\n]*")
_SPLIT_LETTERS = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$][ .\-/]){1,}[a-z0-9@$](?![a-z0-9])")
_SEPARATORS = re.compile(r"[ .\-/]+")
_CAPITAL_I_AS_L = CAPITAL_I_AS_L
_SLANG = SLANG
_SLANG_KEYS = frozenset(_SLANG)
if not all(
    re.fullmatch(r"[a-z0-9]+", k) and re.fullmatch(r"[a-z]+(?: [a-z]+)*", v) for k, v in _SLANG.items()
):
    raise ValueError(
        "tokens_of spells out slang word by word: slang is lower-case letters and digits, words out"
    )
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_NON_WORD = re.compile(r"[^a-z0-9\s]+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Normalised:
    """A text ready for matching: plain tokens, and leetspeak-decoded tokens when the text had any."""

    tokens: tuple[str, ...]
    leet_tokens: tuple[str, ...] | None
    unsqueezed: str  # lower-case, markup and accents removed, for idiom patterns
    quoted: bool  # whether quotes, quote blocks or lyric marks were present (and removed)
    split: bool = False  # whether letters were spelled out one by one ("s u i c i d e")


class Normaliser:
    """Turns chat text into tokens: case, accents, look-alikes, zero-width, leetspeak, repeats, split letters, markup."""

    def __init__(self, emoji: Mapping[str, str]) -> None:
        self._emoji = str.maketrans({k: f" {v} " for k, v in emoji.items()})
        self.emoji_table = self._emoji
        self._emoji_chars = frozenset(emoji)
        self.screen_table = screen_table(emoji, lookalike_fold())

    def prepare(self, text: str) -> str:
        """Lower-case, accent-free, look-alike-free text with emoji spelled out and markup removed."""
        text = text[:MAX_TEXT]
        if not text.isascii():  # every zero-width character is outside ASCII
            text = text.translate(_ZERO_WIDTH)
        if "I" in text:
            text = _CAPITAL_I_AS_L.sub(lambda m: "l" * len(m.group(0)), text)
        if not text.isascii():
            text = text.translate(self._emoji).translate(lookalike_table())
            text = _strip_marks(unicodedata.normalize("NFKC", text)).translate(lookalike_table())
        text = _MARKUP.sub(" ", text.casefold())
        return _APOSTROPHES.sub("", text)

    def normalise(self, raw: str) -> Normalised:
        """Tokens with quoted text removed (see ``quoted``), plus a leetspeak reading when relevant."""
        prepared = self.prepare(raw)
        without_quotes = QUOTES.sub(" ", prepared)
        quoted = without_quotes != prepared
        tokens = tokens_of(without_quotes)
        leet = None
        if _LEET_CHARS.search(without_quotes):
            leet_tokens = tokens_of(without_quotes.translate(_LEET))
            leet = leet_tokens if leet_tokens != tokens else None
        split = _SPLIT_LETTERS.search(without_quotes) is not None
        unsqueezed = " ".join(prepared.split())
        return Normalised(tokens=tokens, leet_tokens=leet, unsqueezed=unsqueezed, quoted=quoted, split=split)


def _join_split_letters(text: str) -> str:
    return _SPLIT_LETTERS.sub(lambda m: _SEPARATORS.sub("", m.group(0)), text)


def tokens_of(text: str) -> tuple[str, ...]:
    """The words of ``text`` (letters spelled out joined, chat slang spelled out, repeated letters squeezed).

    Word by word, which is what a slang pattern bounded by non-alphanumerics and a repeated-letter pattern over the
    whole text come to: every slang word is letters and digits only, so such a pattern matches exactly a whole word
    (a longest run of letters and digits, what is left between the spaces once ``_NON_WORD`` has spaced everything
    else); and no repeat spans a space.
    """
    words = _NON_WORD.sub(" ", _join_split_letters(text)).split()
    if not _SLANG_KEYS.isdisjoint(words):
        words = " ".join([_SLANG.get(w, w) for w in words]).split()
    return tuple(squeezed(words))


def phrase_tokens(phrase: str, normaliser: Normaliser) -> tuple[str, ...]:
    """A lexicon or server phrase in the same token form as normalised text."""
    return tokens_of(normaliser.prepare(phrase))
