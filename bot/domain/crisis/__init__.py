"""Crisis-language detection: normalise, match a curated lexicon, apply context rules, explain the result.

Pure: no discord, no I/O. The lexicon comes in as a mapping (``bot/data/crisis_lexicon.json``); servers add their own
phrases and allow-list. Every detection says what matched, which rule, its severity and its kind.

The package's modules, in the order a message meets them:

- ``model``: severities, kinds, lexicon entries, hits and the verdict (``Detection``).
- ``lexicon``: the shipped lexicon parsed (phrases and the context rules' word lists); a server's phrases checked.
- ``normalise``: the full normalisation of a text into tokens (case, look-alikes, leetspeak, split letters, quotes).
- ``index``: the lexicon indexed for matching and for the early screen, built once and shared by every server.
- ``server_rules``: one server's own phrases and allow-list, stored compactly.
- ``literal``: the screen's first step, one Aho-Corasick pass for whole phrases in order on a cheap fold.
- ``screen``: the early screen (the literal scan, then the word-set steps of ``bot/domain/crisis_screen.py``).
- ``idioms``: the strings an idiom pattern can't match without, so most idiom regexes are skipped.
- ``context``: the context rules around a matched phrase, and the verdict.
- ``detector``: ``Detector``, which puts these together.
"""

from bot.domain.crisis.context import ContextRules, Markers
from bot.domain.crisis.detector import LONG_TEXT, WINDOW, Detector
from bot.domain.crisis.index import STOPWORDS, LexiconIndex, anchor_of
from bot.domain.crisis.lexicon import (
    NEGATION_FILLERS,
    PHRASE_MAX,
    PHRASES_MAX,
    Context,
    CustomPhrase,
    Lexicon,
    parse_lexicon,
    validate_phrase,
)
from bot.domain.crisis.model import (
    FIRST_PERSON,
    KIND_PRIORITY,
    MAX_TEXT,
    NO_DETECTION,
    Detection,
    Entry,
    Hit,
    Kind,
    Severity,
)
from bot.domain.crisis.normalise import Normalised, Normaliser, phrase_tokens
from bot.domain.crisis.screen import Screen
from bot.domain.crisis.server_rules import ServerRules

__all__ = [
    "FIRST_PERSON",
    "KIND_PRIORITY",
    "LONG_TEXT",
    "MAX_TEXT",
    "NEGATION_FILLERS",
    "NO_DETECTION",
    "PHRASES_MAX",
    "PHRASE_MAX",
    "STOPWORDS",
    "WINDOW",
    "Context",
    "ContextRules",
    "CustomPhrase",
    "Detection",
    "Detector",
    "Entry",
    "Hit",
    "Kind",
    "Lexicon",
    "LexiconIndex",
    "Markers",
    "Normalised",
    "Normaliser",
    "Screen",
    "ServerRules",
    "Severity",
    "anchor_of",
    "parse_lexicon",
    "phrase_tokens",
    "validate_phrase",
]
