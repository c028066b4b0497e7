"""The screen's first step: one literal multi-pattern scan (Aho-Corasick, in C) for whole phrases, in order.

For plain ASCII text without quotes, letters spelled out one by one or a capital I inside a word, a cheap fold (one
``bytes.translate`` for case and markup, one for punctuation, the cached squeeze of each word, chat slang spelled out)
gives exactly the word sequences the full normalisation reads (as written, and as leetspeak). The full analysis can
only find something where a lexicon phrase, or one of the markers every pair rule needs, occurs in one of those
sequences as whole words in order; so a text where the automaton finds none is dismissed, and any other text goes on
to the rest of the screen unchanged. Anything outside that plain case (look-alike letters, emoji, quotes, letters
spelled out) is left to the rest of the screen, which reads every disguise.

The automaton comes from ``pyahocorasick`` (a C extension). Without it the step is skipped: detection is the same,
only slower.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, cast

from bot.domain.crisis_screen import SLANG, squeezed

_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_LOWER = bytes(range(ord("a"), ord("z") + 1))
# As ``Normaliser.prepare`` does for ASCII: lower case, markup to spaces (the apostrophe is deleted separately).
_PREPARE = bytes.maketrans(_UPPER + b"*_~|`#", _LOWER + b"      ")
# As ``_tokens`` does: anything but a letter, a digit or white space becomes a space.
_NON_WORD = bytes(
    c if (chr(c).isascii() and (chr(c).islower() or chr(c).isdigit() or chr(c).isspace())) else ord(" ")
    for c in range(256)
)
_LEET = bytes.maketrans(b"0134578@$!+", b"oieastbasit")
_B_LEET = re.compile(rb"[0134578@$!+]")
_B_CAPITAL_I = re.compile(rb"[a-z]I")
_B_SPLIT_LETTERS = re.compile(rb"(?<![a-z0-9])(?:[a-z0-9@$][ .\-/]){1,}[a-z0-9@$](?![a-z0-9])")
_SLANG_KEYS = frozenset(SLANG)
_SINGLES = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SINGLES_NOT_AI = _SINGLES - {"a", "i"}


class _Automaton(Protocol):
    def add_word(self, key: str, value: object) -> bool: ...
    def make_automaton(self) -> None: ...
    def iter(self, text: str) -> Iterator[tuple[int, object]]: ...


def _new_automaton() -> _Automaton | None:
    try:
        module: Any = importlib.import_module("ahocorasick")
    except ImportError:  # pragma: no cover - pyahocorasick is a dependency; without it the step is skipped
        return None
    return cast(_Automaton, module.Automaton())


class LiteralScan:
    """Whole phrases (token tuples) found in order in a cheap fold of plain ASCII text."""

    __slots__ = ("_automaton", "_keys")

    def __init__(self, phrases: Iterable[tuple[str, ...]], keys: frozenset[str | None]) -> None:
        """``keys``: at least one word of every phrase (``FastKeys.keys``), for a set look-up before the scan."""
        automaton = _new_automaton()
        if automaton is not None:
            for phrase in set(phrases):
                if phrase:
                    key = f" {' '.join(phrase)} "
                    automaton.add_word(key, key)
            automaton.make_automaton()
        self._automaton = automaton
        self._keys = keys

    def dismisses(self, text: str) -> bool:
        """Whether ASCII ``text`` certainly holds no phrase (``False``: the rest of the screen must look)."""
        automaton = self._automaton
        if automaton is None:
            return False
        raw = text.encode()
        if b'"' in raw or b">" in raw:
            return False  # quotes are removed before matching, which can bring words together
        if b"I" in raw and _B_CAPITAL_I.search(raw):
            return False  # "kiII" reads as "kill"
        prepared = raw.translate(_PREPARE, b"'")
        if b"@" in prepared or b"$" in prepared:
            if _B_SPLIT_LETTERS.search(prepared):
                return False
            readings = [prepared, prepared.translate(_LEET)]
        else:
            readings = [prepared, prepared.translate(_LEET)] if _B_LEET.search(prepared) else [prepared]
        keys = self._keys
        for reading in readings:
            words = reading.translate(_NON_WORD).decode().split()
            if not _SINGLES.isdisjoint(words) and _spelled_out(reading, words):
                return False  # letters spelled out one by one are joined, and then matched anywhere
            if not _SLANG_KEYS.isdisjoint(words):
                words = " ".join([SLANG.get(w, w) for w in words]).split()
            folded = squeezed(words)
            if keys.isdisjoint(folded):
                continue  # not even one word of a phrase: the common case
            if next(automaton.iter(f" {' '.join(folded)} "), None) is not None:
                return False
        return True


def _spelled_out(reading: bytes, words: list[str]) -> bool:
    """Whether letters may be spelled out one by one in ``reading`` (a superset of ``SPLIT_LETTERS``)."""
    if _SINGLES_NOT_AI.isdisjoint(words):  # only "a" and "i" stand alone: look for two of them in a row
        joined = f" {' '.join(words)} "
        return any(pair in joined for pair in (" a i ", " i a ", " a a ", " i i "))
    return _B_SPLIT_LETTERS.search(reading) is not None
