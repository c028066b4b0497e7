"""The shipped lexicon indexed for matching: phrases by their most distinctive word, and the screen's key words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.crisis.lexicon import Lexicon
from bot.domain.crisis.literal import LiteralScan
from bot.domain.crisis.model import Entry, Severity
from bot.domain.crisis_screen import SQUEEZE, FastKeys, chat_word_ranks

STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be because been being but by can cant could did didnt do
    does doesnt dont for from get got had has have he her here him his how i id if im in into is isnt it its ive just
    like me more most my myself no not now of off on one only or our out over really so some still than that thats the
    their them then there they theyre this to too up us very was wasnt we were what when where which who will with
    wont would you your youre going want gona wana gonna wanna should shouldnt ever never need every even much many
    message tomorrow today tonight night friend friends server tired sleep thank thanks cat dog people everyone
    everything anyone someone nobody back good time day week anymore again home school work think know said say tell
    told made make take feel way thing things last first new old little right left before after soon later doing
    really reply see look okay ok yeah lol please sorry love guys all always read post call text play game watch
    show movie song music book news update plans trip food lunch dinner coffee tea pizza work job class exam test
    homework study teacher meeting weekend morning evening week month year happy sad excited nervous proud fine great
    nice cool fun funny best better worse worst bad big small long short hard easy free full open close start end
    stop keep let put give gave find found leave left run walk come came went go goes gone try tried use used call
    called ask asked help show shown talk talked mom dad sister brother family kid kids baby man woman girl boy guy
    house room car phone computer picture photo art draw paint team match round level win won lost lose play played
    yes no maybe sure thing stuff lot lots bit pretty quite kinda sorta gonna gotta lmao haha omg wow thx pls""".split()  # noqa: SIM905
)
_STOP_SQUEEZED = frozenset(SQUEEZE.sub(r"\1", w) for w in STOPWORDS) | STOPWORDS


def anchor_of(tokens: tuple[str, ...]) -> tuple[str, int]:
    """The most distinctive token of a phrase (the longest that isn't a common word) and its position."""
    best = max(range(len(tokens)), key=lambda i: (tokens[i] not in _STOP_SQUEEZED, len(tokens[i]), -i))
    return tokens[best], best


@dataclass(frozen=True)
class LexiconIndex:
    """The shipped lexicon indexed by each phrase's distinctive token: built once, shared by every server."""

    by_anchor: Mapping[str, tuple[tuple[Entry, int], ...]]
    pair_triggers: frozenset[str]
    compact: tuple[tuple[str, Entry], ...]
    rare_anchors: frozenset[str]  # anchors that are not common words: seeing one is worth a full look
    common_anchors: frozenset[str]  # phrases made only of common words: check the phrase itself first
    common_farewell: frozenset[str]  # goodbye / giving-away markers made only of common words
    common_phrases: Mapping[str, tuple[str, ...]]  # common anchor -> its phrases as " padded text "
    finality_anchors: frozenset[str]
    compact_any: re.Pattern[str] | None = None  # any compact phrase, for text with letters spelled out
    # The screen's literal scan: anchor -> the word sets of its phrases; pair-rule marker groups the same way.
    needs: Mapping[str, tuple[frozenset[str], ...]] = field(default_factory=lambda: {})
    markers: Mapping[str, Mapping[str, tuple[frozenset[str], ...]]] = field(default_factory=lambda: {})
    fast: FastKeys | None = None
    literal: LiteralScan | None = None  # the screen's first step: whole phrases and pair markers, in order

    def has(self, group: str, words: frozenset[str] | set[str]) -> bool:
        """Whether every word of some marker of ``group`` is among ``words`` (in any order: a superset test)."""
        index = self.markers[group]
        return any(any(need <= words for need in index[a]) for a in index.keys() & words)

    @classmethod
    def build(cls, lexicon: Lexicon) -> LexiconIndex:
        """Index ``lexicon`` (the more severe entry wins where two phrases normalise alike)."""
        unique: dict[tuple[str, ...], Entry] = {}
        for entry in lexicon.entries:
            current = unique.get(entry.tokens)
            if entry.tokens and (current is None or entry.severity > current.severity):
                unique[entry.tokens] = entry
        by_anchor: dict[str, list[tuple[Entry, int]]] = {}
        for entry in unique.values():
            anchor, offset = anchor_of(entry.tokens)
            by_anchor.setdefault(anchor, []).append((entry, offset))
        ctx = lexicon.context
        compact = tuple(
            ("".join(e.tokens), e)
            for e in unique.values()
            if e.severity >= Severity.MODERATE and len("".join(e.tokens)) >= 6
        )
        markers = (ctx.means, ctx.self_harm, ctx.goodbye, ctx.silence, ctx.giving_away)
        anchors = {anchor_of(t)[0] for group in markers for t in group}
        rare = frozenset(a for a in by_anchor if a not in _STOP_SQUEEZED)
        triggers = frozenset(a for a in anchors if a not in _STOP_SQUEEZED)
        farewell = frozenset(
            a for a in (anchor_of(t)[0] for t in (*ctx.goodbye, *ctx.giving_away)) if a in _STOP_SQUEEZED
        )
        finality = frozenset(anchor_of(t)[0] for t in ctx.finality)
        # Every pair rule needs one of these markers (see ``_pair_rules``), so they are keys like the phrases.
        fast = FastKeys.build([*unique, *(t for group in markers for t in group)], chat_word_ranks())
        return cls(
            fast=fast,
            literal=LiteralScan(unique, fast.keys, markers=[t for group in markers for t in group]),
            by_anchor={k: tuple(sorted(v, key=lambda eo: -len(eo[0].tokens))) for k, v in by_anchor.items()},
            pair_triggers=triggers,
            rare_anchors=rare,
            common_anchors=frozenset(a for a in by_anchor if a in _STOP_SQUEEZED),
            common_phrases={
                a: tuple(f" {' '.join(e.tokens)} " for e, _ in entries)
                for a, entries in by_anchor.items()
                if a in _STOP_SQUEEZED
            },
            finality_anchors=finality,
            common_farewell=farewell,
            compact=compact,
            needs={a: tuple(frozenset(e.tokens) for e, _ in entries) for a, entries in by_anchor.items()},
            markers={name: _word_sets(getattr(ctx, name)) for name in _PAIR_GROUPS},
            compact_any=re.compile(trie_regex([c for c, _ in compact])) if compact else None,
        )


_PAIR_GROUPS = (
    "means",
    "intent",
    "goodbye",
    "finality",
    "time",
    "silence",
    "giving_away",
    "self_harm",
    "self_harm_intent",
)


def _word_sets(markers: Iterable[tuple[str, ...]]) -> dict[str, tuple[frozenset[str], ...]]:
    out: dict[str, list[frozenset[str]]] = {}
    for marker in markers:
        out.setdefault(anchor_of(marker)[0], []).append(frozenset(marker))
    return {a: tuple(sets) for a, sets in out.items()}


_INDEXES: dict[int, LexiconIndex] = {}


def index_for(lexicon: Lexicon) -> LexiconIndex:
    index = _INDEXES.get(id(lexicon))
    if index is None:
        index = _INDEXES[id(lexicon)] = LexiconIndex.build(lexicon)
    return index


def trie_regex(words: Sequence[str]) -> str:
    """One regex that finds any of ``words`` (as substrings), shaped as a trie so it stays fast with many words."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        if "" in node:
            return ""  # the shortest match is enough to know one occurs
        parts = [re.escape(ch) + build(child) for ch, child in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return build(trie)
