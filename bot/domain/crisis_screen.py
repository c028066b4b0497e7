"""The crisis detector's early screen: a cheap fold of the text into word sequences, for a literal scan.

The screen reads every disguise the full normalisation reads (look-alike letters, marks, zero-width characters,
emoji, leetspeak, repeated letters, letters spelled out, chat slang) but only as far as needed to see whether a
phrase's distinctive word could be there: one ``str.translate`` for anything outside ASCII, one for case and
punctuation, and set look-ups. Its readings are a superset of the full normalisation's, so a message the screen
dismisses can't match (``tests/domain/test_crisis_screen.py`` checks this on the team's corpora).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "!": "i",
        "+": "t",
    }
)
LEET_CHARS = re.compile(r"[0134578@$!+]")
SQUEEZE = re.compile(r"([a-z])\1+")
CAPITAL_I_AS_L = re.compile(r"(?<=[a-z])I+")
SLANG = {
    "wanna": "want to",
    "gonna": "going to",
    "gona": "going to",
    "gotta": "got to",
    "imma": "i am going to",
    "ima": "i am going to",
    "u": "you",
    "ur": "your",
    "2": "to",
    "r": "are",
    "cuz": "because",
    "bc": "because",
    "abt": "about",
    "thinkin": "thinking",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "msg": "message",
    "ppl": "people",
    "pls": "please",
    "plz": "please",
}
_SLANG_KEYS = frozenset(SLANG)
_PUNCTUATION = '!"#%&()*+,-./:;<=>?[\\]^_{|}~'
FOLD_ASCII = str.maketrans(
    {c: " " for c in _PUNCTUATION + "@$"}
    | {"'": None, "`": None}
    | {chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
SPLIT_LETTERS = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$][ .\-/]){1,}[a-z0-9@$](?![a-z0-9])")
SEPARATORS = re.compile(r"[ .\-/]+")
_MARKUP = re.compile(r"[*_~|`#]+")
_APOSTROPHES = "\u2019\u2018"
_SQUEEZE_CACHE: dict[str, str] = {}
squeezed_if_known = _SQUEEZE_CACHE.get  # a word's squeezed form if the cache has it, else ``None``
SLANG_WORDS = frozenset(SLANG) | frozenset(SQUEEZE.sub(r"\1", w) for w in SLANG)  # as written and squeezed


def screen_table(emoji: Mapping[str, str], fold: Mapping[str, str]) -> dict[int, str | None]:
    """One ``str.translate`` table for text outside ASCII: emoji spelled out, look-alikes folded, curly apostrophes."""
    table: dict[int, str | None] = {ord(c): (t or None) for c, t in fold.items()}
    table |= {ord(c): None for c in _APOSTROPHES}
    table |= {ord(k): f" {v} " for k, v in emoji.items() if len(k) == 1}
    return table


def squeezed(tokens: list[str]) -> list[str]:
    """Tokens with repeated letters squeezed, remembering common words (chat repeats them constantly)."""
    cache = _SQUEEZE_CACHE
    out: list[str | None] = list(map(cache.get, tokens))
    if None in out:
        for i, token in enumerate(tokens):
            if out[i] is None:
                value = SQUEEZE.sub(r"\1", token)
                if len(cache) >= 100_000:
                    cache.clear()  # a long-running bot meets many words: start again rather than grow
                cache[token] = value
                out[i] = value
    return out  # type: ignore[return-value]  # every None was filled


def screen_readings(text: str, table: Mapping[int, str | None]) -> tuple[list[list[str]], bool] | None:
    """The word sequences a text could be read as, and whether letters were spelled out one by one.

    ``None`` when only the full normalisation can tell. The readings: plain and (when there are digits or symbols)
    leetspeak, each as written and with single letters joined ("s u i c i d e"), each as written and with chat slang
    spelled out.
    """
    if not text.isascii():
        text = plain_text(text, table)
    if "I" in text and CAPITAL_I_AS_L.search(text):
        return None  # "kiII" is "kill": rare enough to leave to the full normalisation
    lower = _MARKUP.sub(" ", text.lower()).replace("'", "")
    raw = [lower, lower.translate(LEET)] if LEET_CHARS.search(lower) else [lower]
    readings: list[list[str]] = []
    spelled = False
    for written in raw:
        variants = [written.translate(FOLD_ASCII).split()]
        if SPLIT_LETTERS.search(written):  # joined as the full normalisation joins them
            joined = SPLIT_LETTERS.sub(lambda m: SEPARATORS.sub("", m.group(0)), written)
            variants.append(joined.translate(FOLD_ASCII).split())
            spelled = True
        for variant in variants:
            readings.append(squeezed(variant))
            if not _SLANG_KEYS.isdisjoint(variant):
                readings.append(squeezed(" ".join([SLANG.get(w, w) for w in variant]).split()))
    return readings, spelled


# --- the fast reading, for text that is plain ASCII (or became so through the table) -------------------------------


def _byte_table(extra: Mapping[str, str]) -> bytes:
    table = bytearray(range(256))
    for char in _PUNCTUATION + "@$":  # as the full normalisation's tokens: "@" and "$" are not letters
        table[ord(char)] = ord(" ")
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = code + 32
    for char, target in extra.items():
        table[ord(char)] = ord(target)
    return bytes(table)


_B_FOLD = _byte_table({})
_B_LEET_FOLD = _byte_table(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"}
    | {"@": "a", "$": "s", "!": "i", "+": "t"}
)
_B_LEET = re.compile(rb"[0134578@$!+]")
_B_CAPITAL_I = re.compile(rb"[a-z]I")
# Two one-character words in a row, not both "a" or "i", in words joined by single spaces with a space at each end.
_B_TWO_SINGLES = re.compile(rb" (?:[^ai ] [^ ]|[^ ] [^ai ]) ")
_SINGLES = frozenset(chr(c) for c in range(33, 127)) - {"a", "i"}


def plain_text(text: str, table: Mapping[int, str | None]) -> str:
    """``text`` with everything outside ASCII folded by ``table`` or turned into spaces."""
    if text.isascii():
        return text
    # Only the runs outside ASCII: ``table`` has no ASCII keys, and translating a long text with a large table
    # costs about 50 ns a character.
    text = fold_non_ascii(text, table)
    return text if text.isascii() else _NON_ASCII_RUN.sub(" ", text)


def fold_non_ascii(text: str, table: Mapping[int, str | None]) -> str:
    """``text`` with its runs outside ASCII translated by ``table`` (which has no ASCII keys); the rest untouched."""
    return _NON_ASCII_RUN.sub(lambda m: m.group(0).translate(table), text)


def fast_scan(
    text: str, keys: frozenset[str | None], *, words_too: bool = False
) -> tuple[bool, list[list[str]] | None]:
    """Whether ASCII ``text`` certainly holds none of ``keys`` in any reading (the common case, a few C calls).

    Returns ``(True, None)`` when it doesn't; otherwise ``(False, readings)`` with the squeezed words as written and
    (if it has digits or symbols) as leetspeak, or ``(False, None)`` when only the complete screen can tell: letters
    spelled out one by one, or a capital I inside a word. Chat slang is left to the caller (see ``SLANG``).
    With ``words_too`` the readings come back when the text is dismissed too (for a server's own phrases).
    """
    raw = text.encode()
    if b"I" in raw and _B_CAPITAL_I.search(raw):
        return False, None  # "kiII" is "kill": rare enough to leave to the complete screen
    get = _SQUEEZE_CACHE.get
    found = False
    readings: list[list[str]] = []
    for table in (_B_FOLD, _B_LEET_FOLD) if _B_LEET.search(raw) else (_B_FOLD,):
        words = raw.translate(table, b"'`").decode().split()
        if not _SINGLES.isdisjoint(words) and _B_TWO_SINGLES.search(f" {' '.join(words)} ".encode()):
            return False, None  # letters spelled out one by one (runs of "a" and "i" alone spell nothing)
        found = found or not keys.isdisjoint(map(get, words))
        readings.append(words)
    if not found:
        # Every word is known to the squeeze cache here (an unknown one counts as found).
        return True, ([list(map(get, words)) for words in readings] if words_too else None)  # type: ignore[misc]
    return False, [squeezed(words) for words in readings]


def fast_readings(text: str) -> list[list[str]] | None:
    """The squeezed words of ASCII ``text``, as written and (if it has digits or symbols) as leetspeak.

    ``None`` when only the complete screen can tell: letters spelled out one by one, or a capital I inside a word.
    Chat slang is left to the caller (see ``SLANG``).
    """
    raw = text.encode()
    if b"I" in raw and _B_CAPITAL_I.search(raw):
        return None
    tables = (_B_FOLD, _B_LEET_FOLD) if _B_LEET.search(raw) else (_B_FOLD,)
    out: list[list[str]] = []
    for table in tables:
        words = raw.translate(table, b"'`").decode().split()
        if not _SINGLES.isdisjoint(words) and _B_TWO_SINGLES.search(f" {' '.join(words)} ".encode()):
            return None  # letters spelled out one by one (runs of "a" and "i" alone spell nothing)
        out.append(squeezed(words))
    return out


@cache
def chat_word_ranks() -> dict[str, int]:
    """How common each word is in everyday online comments (0 is the most common), from ``bot/data/chat_words.txt``.

    Generated at development time by ``scripts/build_chat_words.py`` and read once, like a constant.
    """
    text = resources.files("bot").joinpath("data", "chat_words.txt").read_text(encoding="utf-8")
    words = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {word: rank for rank, word in enumerate(words)}


@dataclass(frozen=True)
class FastKeys:
    """What the fast reading looks up: each phrase's least common word, then its least common two adjacent words."""

    keys: frozenset[
        str | None
    ]  # trigger words, slang words that spell one out, and None (a word not seen yet)
    words: frozenset[str]  # one-word phrases and markers
    pairs: frozenset[str]  # "hope left", "end it": the key of each longer phrase or marker
    slang: frozenset[str]  # slang words whose spelled-out form holds a key word

    @classmethod
    def build(cls, phrases: Iterable[tuple[str, ...]], ranks: Mapping[str, int]) -> FastKeys:
        """Keys for ``phrases`` (token tuples): a text holding none of them in order can't hold any phrase.

        ``ranks`` say how common words are in chat (see ``chat_word_ranks``); unranked words count as rare.
        """
        rare = len(ranks)

        def rank(word: str) -> int:
            return ranks.get(word, rare)

        unique = set(phrases)
        words = {p[0] for p in unique if len(p) == 1}
        pairs: set[str] = set()
        triggers = set(words)
        for phrase in (p for p in unique if len(p) > 1):
            best = max(range(len(phrase) - 1), key=lambda i: (max(rank(phrase[i]), rank(phrase[i + 1])), -i))
            a, b = phrase[best], phrase[best + 1]
            pairs.add(f"{a} {b}")
            triggers.add(a if rank(a) >= rank(b) else b)
        used = triggers | {w for p in pairs for w in p.split()}
        slang_words = [k for k, v in SLANG.items() if not used.isdisjoint(squeezed(v.split()))]
        slang = set(slang_words) | set(squeezed(slang_words))  # the fast reading is squeezed
        keys: frozenset[str | None] = frozenset({*triggers, *slang, None})
        return cls(keys, frozenset(words), frozenset(pairs), frozenset(slang))

    def hit(self, tokens: list[str]) -> bool:
        """Whether squeezed ``tokens`` hold a one-word phrase or a phrase's key pair (the caller looks closer)."""
        if not self.words.isdisjoint(tokens):
            return True
        return not self.pairs.isdisjoint(map(_join2, tokens, tokens[1:]))


_join2 = "{} {}".format
