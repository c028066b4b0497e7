"""The screen's first step: one literal multi-pattern scan (Aho-Corasick, in C) for whole phrases, in order.

For plain ASCII text without letters spelled out one by one or a capital I inside a word, a cheap fold (one
``bytes.translate`` for case and markup, one for punctuation, the cached squeeze of each word, chat slang spelled out,
quotes set aside) gives exactly the word sequences the full normalisation reads (as written, as leetspeak, and with
the quotes for the explanation). The full analysis can
only find something where a lexicon phrase, or one of the markers every pair rule needs, occurs in one of those
sequences as whole words in order; so a text where the automaton finds none is dismissed, and any other text goes on
to the rest of the screen unchanged. Anything outside that plain case (letters spelled out, characters outside ASCII
that the look-alike table doesn't fold, see ``Screen``) is left to the rest of the screen, which reads every disguise.

The automaton comes from ``pyahocorasick`` (a C extension). Without it the step is skipped: detection is the same,
only slower.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from enum import Enum
from typing import Any, Protocol, cast

from bot.domain.crisis.normalise import QUOTES
from bot.domain.crisis_screen import SLANG, squeezed, squeezed_if_known

_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_LOWER = bytes(range(ord("a"), ord("z") + 1))
# As ``Normaliser.prepare`` does for ASCII: lower case, each run of markup one space, apostrophes deleted.
_LOWER_CASE = bytes.maketrans(_UPPER, _LOWER)
_MARKUP_CHARS = b"*_~|`#"
_B_MARKUP = re.compile(rb"[*_~|`#]+")
# As ``_tokens`` does: anything but a letter or a digit becomes a space (white space too: the same words).
_NON_WORD = bytes(
    c if (chr(c).isascii() and (chr(c).islower() or chr(c).isdigit())) else ord(" ") for c in range(256)
)
_LEET = bytes.maketrans(b"0134578@$!+", b"oieastbasit")
_LEET_CHARS = b"0134578@$!+"
_B_CAPITAL_I = re.compile(rb"[a-z]I")
_B_SPLIT_LETTERS = re.compile(rb"(?<![a-z0-9])(?:[a-z0-9@$][ .\-/]){1,}[a-z0-9@$](?![a-z0-9])")
_SLANG_KEYS = frozenset(SLANG)
# Two one-character words in a row (a superset of ``SPLIT_LETTERS`` once every separator is a single space; "@" and
# "$", letters there but not in words, are checked on their own).
_B_TWO_SINGLES = re.compile(rb" [a-z0-9] [a-z0-9] ")
# The plain case: none of the characters the fold treats specially (markup, quotes, "@" and "$"), so each reading
# (as written, and as leetspeak if it has any leetspeak character) is one table: case, leetspeak, punctuation spaced.
_NOT_PLAIN = b'*_~|`#">@$'
_PLAIN_FOLD = _LOWER_CASE.translate(_NON_WORD)
_PLAIN_LEET_FOLD = _LOWER_CASE.translate(_LEET).translate(_NON_WORD)


class _Automaton(Protocol):
    def add_word(self, key: str, value: object) -> bool: ...
    def make_automaton(self) -> None: ...
    def iter(self, text: str) -> Iterator[tuple[int, bool]]: ...


def _new_automaton() -> _Automaton | None:
    try:
        module: Any = importlib.import_module("ahocorasick")
    except ImportError:  # pragma: no cover - pyahocorasick is a dependency; without it the step is skipped
        return None
    return cast(_Automaton, module.Automaton())


class Found(Enum):
    """What the literal scan found in a text."""

    NOTHING = 0  # no phrase and no pair marker in any reading: the analysis can't find anything either
    PHRASE = 1  # a lexicon phrase, in order: worth the full analysis
    UNKNOWN = 2  # a pair marker only, or a text the scan can't read exactly: the rest of the screen decides


class LiteralScan:
    """Whole phrases (token tuples) found in order in a cheap fold of plain ASCII text."""

    __slots__ = ("_automaton", "_keys")

    def __init__(
        self,
        phrases: Iterable[tuple[str, ...]],
        keys: frozenset[str | None],
        markers: Iterable[tuple[str, ...]] = (),
    ) -> None:
        """``phrases``: the lexicon's; ``markers``: the pair rules' (found, they leave the question open); ``keys``: at
        least one word of every phrase and marker (``FastKeys.keys``), for a set look-up before the scan."""
        automaton = _new_automaton()
        if automaton is not None:
            for marker in set(markers):
                if marker:
                    automaton.add_word(f" {' '.join(marker)} ", False)
            for phrase in set(phrases):
                if phrase:
                    automaton.add_word(f" {' '.join(phrase)} ", True)
            automaton.make_automaton()
        self._automaton = automaton
        self._keys = keys

    def dismisses(self, text: str) -> bool:
        """Whether ASCII ``text`` certainly holds no phrase (``False``: the rest of the screen must look)."""
        return self.scan(text) is Found.NOTHING

    def scan(self, text: str) -> Found:
        """What the scan finds in ASCII ``text``: nothing (dismiss it), a phrase (analyse it), or can't tell."""
        automaton = self._automaton
        if automaton is None:
            return Found.UNKNOWN
        raw = text.encode()
        if b"I" in raw and _B_CAPITAL_I.search(raw):
            return Found.UNKNOWN  # "kiII" reads as "kill"
        if len(raw.translate(None, _NOT_PLAIN)) == len(raw):
            plain = self._scan_plain(automaton, raw)
            if plain is not None:
                return plain
        prepared = raw.translate(_LOWER_CASE, b"'")
        if len(prepared.translate(None, _MARKUP_CHARS)) != len(prepared):
            prepared = _B_MARKUP.sub(b" ", raw.translate(_LOWER_CASE)).replace(b"'", b"")
        if b'"' in prepared or b">" in prepared:
            # Quotes are set aside before matching (which can bring words together), and quoted phrases are still
            # looked for to explain what was set aside: both readings.
            without = QUOTES.sub(" ", prepared.decode()).encode()
            bases = (without, prepared) if without != prepared else (prepared,)
        else:
            bases = (prepared,)
        readings: list[bytes] = []
        for base in bases:
            if b"@" in base or b"$" in base:
                if _B_SPLIT_LETTERS.search(base):
                    return Found.UNKNOWN  # "@" and "$" count as letters when spelled out, though not as words
                readings += (base, base.translate(_LEET))
            elif len(base.translate(None, _LEET_CHARS)) != len(base):
                readings += (base, base.translate(_LEET))
            else:
                readings.append(base)
        keys = self._keys
        known = squeezed_if_known
        for reading in readings:
            spaced = b" " + reading.translate(_NON_WORD) + b" "
            words = spaced.decode().split()
            if _B_TWO_SINGLES.search(spaced):
                return Found.UNKNOWN  # letters spelled out one by one are joined, and then matched anywhere
            if not _SLANG_KEYS.isdisjoint(words):
                words = " ".join([SLANG.get(w, w) for w in words]).split()
            if keys.isdisjoint(map(known, words)):
                continue  # not one word of any phrase (an unknown word counts as one): the common case
            for _, is_phrase in automaton.iter(f" {' '.join(squeezed(words))} "):
                return Found.PHRASE if is_phrase else Found.UNKNOWN
        return Found.NOTHING

    @staticmethod
    def _scan_plain(automaton: _Automaton, raw: bytes) -> Found | None:
        """``scan`` for the common case in chat, the same readings in a few C calls: ASCII ``raw`` without markup,
        quotes, "@" or "$", so one table folds each reading (case, leetspeak, apostrophes deleted, punctuation
        spaced). ``None``: chat slang, left to ``scan``.

        The key-word look-up of ``scan`` is left out: it only saves a scan (every phrase holds a key word), so the
        answer is the same.
        """
        if len(raw.translate(None, _LEET_CHARS)) == len(raw):
            tables: tuple[bytes, ...] = (_PLAIN_FOLD,)
        else:
            tables = (_PLAIN_FOLD, _PLAIN_LEET_FOLD)
        for table in tables:
            spaced = b" " + raw.translate(table, b"'") + b" "
            if _B_TWO_SINGLES.search(spaced):
                return Found.UNKNOWN  # letters spelled out one by one, as in ``scan``
            words = spaced.decode().split()
            if not _SLANG_KEYS.isdisjoint(words):
                return None
            try:
                joined = " ".join(map(squeezed_if_known, words))  # type: ignore[arg-type]  # None: TypeError
            except TypeError:  # a word not in the squeeze cache yet
                joined = " ".join(squeezed(words))
            for _, is_phrase in automaton.iter(f" {joined} "):
                return Found.PHRASE if is_phrase else Found.UNKNOWN
        return Found.NOTHING


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_INERT: dict[str, bool] = {}


def ascii_reading(folded: str) -> str | None:
    """``folded`` (text whose look-alikes and emoji the table has folded) as the full normalisation reads it, when
    every character still outside ASCII is one it can only read as a separator; otherwise ``None``.

    Such a character is left alone by NFKC, mark stripping and case folding and is neither invisible (zero-width
    characters are deleted, joining words) nor a curly quote: the normalisation then turns it into a space.
    """
    if folded.isascii():
        return folded
    if not all(map(_inert, set(_NON_ASCII.findall(folded)))):
        return None
    return _NON_ASCII.sub(" ", folded)


def _inert(char: str) -> bool:
    known = _INERT.get(char)
    if known is None:
        known = (
            unicodedata.normalize("NFKD", char) == char
            and char.casefold() == char
            and not unicodedata.combining(char)
            and unicodedata.category(char) not in ("Cf", "Mn", "Me", "Mc")
            and char not in "\u201c\u201d"
        )
        if len(_INERT) < 10_000:
            _INERT[char] = known
    return known
