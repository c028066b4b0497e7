"""Crisis-language detection: normalise, match a curated lexicon, apply context rules, explain the result.

Pure: no discord, no I/O. The lexicon comes in as a mapping (``bot/data/crisis_lexicon.json``); servers add their own
phrases and allow-list. Every detection says what matched, which rule, its severity and its kind.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from bot.domain.crisis_screen import (
    CAPITAL_I_AS_L,
    LEET,
    LEET_CHARS,
    SLANG,
    SLANG_WORDS,
    SQUEEZE,
    FastKeys,
    chat_word_ranks,
    fast_readings,
    fast_scan,
    plain_text,
    screen_readings,
    screen_table,
)
from bot.domain.lookalikes import lookalike_fold, lookalike_table
from bot.errors import InvalidInput


class Severity(IntEnum):
    """How urgent a detection is. ``WATCH`` never raises a card; moderators are pinged for HIGH and IMMINENT."""

    WATCH = 0
    MODERATE = 1
    HIGH = 2
    IMMINENT = 3

    @property
    def label(self) -> str:
        """The lower-case name used in data, settings and the catalogs."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``imminent``, ``high``, ``moderate`` or ``watch``."""
        return cls[text.strip().upper()]


class Kind(StrEnum):
    """Whose safety a detection is about."""

    SELF = "self"  # the writer
    CONCERN = "concern"  # someone the writer is worried about
    HARASSMENT = "harassment"  # aimed at another member ("kys")


KIND_PRIORITY = {Kind.SELF: 0, Kind.CONCERN: 1, Kind.HARASSMENT: 2}
FIRST_PERSON = frozenset({"i", "im", "ive", "id", "il", "me", "myself", "my", "mine"})
MAX_TEXT = 4000


@dataclass(frozen=True)
class Entry:
    """A lexicon phrase (or a server's phrase) with what it means."""

    phrase: str
    tokens: tuple[str, ...]
    severity: Severity
    kind: Kind
    category: str
    source: str


@dataclass(frozen=True)
class Hit:
    """One match: the phrase, the rule that produced it, and (if it was set aside) why."""

    phrase: str
    rule: str
    severity: Severity
    kind: Kind
    start: int
    end: int
    suppressed_by: str | None = None


@dataclass(frozen=True)
class Detection:
    """The detector's verdict on one text, with its reasons."""

    severity: Severity | None
    kind: Kind | None
    hits: tuple[Hit, ...] = ()
    suppressed: tuple[Hit, ...] = ()
    escalated_by: tuple[str, ...] = ()

    @property
    def alert(self) -> bool:
        """Whether a server with default settings gets an alert card (moderate or above)."""
        return self.severity is not None and self.severity >= Severity.MODERATE

    @property
    def is_crisis(self) -> bool:
        """Whether this is a crisis alert about the writer or someone they worry about (not harassment)."""
        return self.alert and self.kind in (Kind.SELF, Kind.CONCERN)

    def explain(self) -> list[str]:
        """Plain-words reasons, one per hit, for /crisis test and the alert card."""
        lines = [
            f"matched \u201c{h.phrase}\u201d ({h.rule}, {h.severity.label}, {h.kind.value})"
            for h in self.hits
        ]
        lines += [f"escalated: {reason}" for reason in self.escalated_by]
        lines += [f"set aside \u201c{h.phrase}\u201d: {h.suppressed_by}" for h in self.suppressed]
        return lines


NO_DETECTION = Detection(severity=None, kind=None)


# --- normalisation -------------------------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u034f")
)
_LEET = LEET
_LEET_CHARS = LEET_CHARS
_MARKUP = re.compile(r"[*_~|`#]+")
_QUOTES = re.compile(r"\"[^\"\n]{3,}\"|\u201c[^\u201d\n]{3,}\u201d|(?:^|\n)\s*>[^\n]*")
_SPLIT_LETTERS = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$][ .\-/]){1,}[a-z0-9@$](?![a-z0-9])")
_SEPARATORS = re.compile(r"[ .\-/]+")
_CAPITAL_I_AS_L = CAPITAL_I_AS_L
_SLANG = SLANG
_SLANG_RE = re.compile(r"(?<![a-z0-9])(" + "|".join(_SLANG) + r")(?![a-z0-9])")
_SQUEEZE = SQUEEZE
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
        text = text[:MAX_TEXT].translate(_ZERO_WIDTH)
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
        without_quotes = _QUOTES.sub(" ", prepared)
        quoted = without_quotes != prepared
        tokens = _tokens(without_quotes)
        leet = None
        if _LEET_CHARS.search(without_quotes):
            leet_tokens = _tokens(without_quotes.translate(_LEET))
            leet = leet_tokens if leet_tokens != tokens else None
        split = _SPLIT_LETTERS.search(without_quotes) is not None
        unsqueezed = " ".join(prepared.split())
        return Normalised(tokens=tokens, leet_tokens=leet, unsqueezed=unsqueezed, quoted=quoted, split=split)


def _join_split_letters(text: str) -> str:
    return _SPLIT_LETTERS.sub(lambda m: _SEPARATORS.sub("", m.group(0)), text)


def _tokens(text: str) -> tuple[str, ...]:
    text = _join_split_letters(text)
    text = _SLANG_RE.sub(lambda m: _SLANG[m.group(1)], text)
    return tuple(_SQUEEZE.sub(r"\1", _NON_WORD.sub(" ", text)).split())


def phrase_tokens(phrase: str, normaliser: Normaliser) -> tuple[str, ...]:
    """A lexicon or server phrase in the same token form as normalised text."""
    return _tokens(normaliser.prepare(phrase))


# --- the lexicon ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Word lists and patterns the context rules use, all in token form."""

    negators: frozenset[str]
    negation_window: int
    fillers: frozenset[str]
    third_person: frozenset[tuple[str, ...]]
    subject_window: int
    time: tuple[tuple[str, ...], ...]
    means: tuple[tuple[str, ...], ...]
    goodbye: tuple[tuple[str, ...], ...]
    intent: tuple[tuple[str, ...], ...]
    self_harm: tuple[tuple[str, ...], ...]
    self_harm_intent: tuple[tuple[str, ...], ...]
    present: tuple[tuple[str, ...], ...]
    past: tuple[tuple[str, ...], ...]
    game: tuple[tuple[str, ...], ...]
    game_weak: frozenset[tuple[str, ...]]
    lyric: tuple[tuple[str, ...], ...]
    idioms: tuple[re.Pattern[str], ...]
    supportive: tuple[tuple[str, ...], ...] = ()
    inner_voice: tuple[tuple[str, ...], ...] = ()
    negation_breakers: tuple[tuple[str, ...], ...] = ()
    sincerity: tuple[tuple[str, ...], ...] = ()
    finality: tuple[tuple[str, ...], ...] = ()
    silence: tuple[tuple[str, ...], ...] = ()
    giving_away: tuple[tuple[str, ...], ...] = ()
    imperative_you: tuple[tuple[str, ...], ...] = ()
    imperative_start: tuple[tuple[str, ...], ...] = ()


NEGATION_FILLERS = (
    "going to gona gonna ever really want wana to be i am im will would could even planning plan trying try about "
    "thinking of think actually ever again just like do"
)


@dataclass(frozen=True)
class Lexicon:
    """The shipped lexicon, parsed and indexed."""

    entries: tuple[Entry, ...]
    context: Context
    normaliser: Normaliser
    version: str
    sources: Mapping[str, str] = field(default_factory=lambda: {})


def parse_lexicon(data: Mapping[str, Any]) -> Lexicon:
    """Parse the shipped lexicon JSON."""
    ctx: Mapping[str, Any] = data["context"]
    normaliser = Normaliser(ctx.get("emoji", {}))

    def tok(items: Iterable[str]) -> tuple[tuple[str, ...], ...]:
        return tuple(t for t in (phrase_tokens(i, normaliser) for i in items) if t)

    entries = tuple(
        Entry(
            phrase=e["phrase"],
            tokens=phrase_tokens(e["phrase"], normaliser),
            severity=Severity.parse(e["severity"]),
            kind=Kind(e["kind"]),
            category=e["category"],
            source=e["source"],
        )
        for e in data["entries"]
    )
    context = Context(
        negators=frozenset(t[0] for t in tok(ctx["negators"])),
        negation_window=int(ctx["negation_window"]),
        fillers=frozenset(t[0] for t in tok([*NEGATION_FILLERS.split(), *ctx.get("fillers_extra", ())])),
        third_person=frozenset(tok(ctx["third_person_subjects"])),
        subject_window=int(ctx["subject_window"]),
        time=tok(ctx["time_markers"]),
        means=tok(ctx["means_markers"]),
        goodbye=tok(ctx["goodbye_markers"]),
        intent=tok(ctx["intent_markers"]),
        self_harm=tok(ctx["self_harm_markers"]),
        self_harm_intent=tok(ctx["self_harm_intent"]),
        present=tok(ctx["present_markers"]),
        past=tok(ctx["past_markers"]),
        game=tok(ctx["game_markers"]),
        game_weak=frozenset(tok(ctx["game_weak_phrases"])),
        lyric=tok(ctx["lyric_markers"]),
        idioms=tuple(re.compile(rf"(?<![a-z0-9]){p}(?![a-z0-9])") for p in ctx["idioms"]),
        supportive=tok(ctx.get("supportive_markers", ())),
        inner_voice=tok(ctx.get("inner_voice_markers", ())),
        negation_breakers=tok(ctx.get("negation_breakers", ())),
        sincerity=tok(ctx.get("sincerity_markers", ())),
        finality=tok(ctx.get("finality_markers", ())),
        silence=tok(ctx.get("silence_markers", ())),
        giving_away=tok(ctx.get("giving_away_markers", ())),
        imperative_you=tok(ctx.get("imperative_you", ())),
        imperative_start=tok(ctx.get("imperative_start", ())),
    )
    return Lexicon(entries, context, normaliser, str(data.get("version", "")), dict(data.get("sources", {})))


# --- server phrases ------------------------------------------------------------------------------------------------

PHRASE_MAX = 100
PHRASES_MAX = 1000


@dataclass(frozen=True)
class CustomPhrase:
    """A server's own phrase, with AutoMod-style wildcards at either end (``word*``, ``*word``, ``*word*``)."""

    text: str
    severity: Severity


def validate_phrase(text: str, normaliser: Normaliser) -> str:
    """Check a server's phrase; raise ``InvalidInput`` naming what to fix. Returns it tidied."""
    text = " ".join(text.split())
    core = text.strip("*")
    if not text or not core.strip():
        raise InvalidInput("crisis.phrase.error.empty")
    if len(text) > PHRASE_MAX:
        raise InvalidInput("crisis.phrase.error.long", max=PHRASE_MAX)
    if "*" in core:
        raise InvalidInput("crisis.phrase.error.wildcard")
    if sum(ch.isalnum() for ch in core) < 2 or not phrase_tokens(core, normaliser):
        raise InvalidInput("crisis.phrase.error.too_short")
    return text


# --- the detector --------------------------------------------------------------------------------------------------


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
_STOP_SQUEEZED = frozenset(_SQUEEZE.sub(r"\1", w) for w in STOPWORDS) | STOPWORDS
LONG_TEXT = 600  # longer messages are analysed a window at a time, around the screen's candidates
WINDOW = 240
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


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
            compact_any=re.compile(_trie_regex([c for c, _ in compact])) if compact else None,
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


def _index_for(lexicon: Lexicon) -> LexiconIndex:
    index = _INDEXES.get(id(lexicon))
    if index is None:
        index = _INDEXES[id(lexicon)] = LexiconIndex.build(lexicon)
    return index


class ServerRules:
    """One server's phrases and allow-list, stored compactly (a server may have a thousand phrases)."""

    __slots__ = ("allow", "exact", "wild", "wild_any")

    def __init__(self, custom: Sequence[CustomPhrase], allow: Sequence[str], normaliser: Normaliser) -> None:
        # anchor -> "severity|offset|token token" (a list when several phrases share an anchor)
        exact: dict[str, str | list[str]] = {}
        wild: list[str] = []
        for phrase in custom:
            tokens = phrase_tokens(phrase.text.strip("*"), normaliser)
            if not tokens:
                continue
            if "*" in phrase.text:
                left = "*" if phrase.text.startswith("*") else ""
                right = "*" if phrase.text.endswith("*") else ""
                wild.append(f"{int(phrase.severity)}|{left}|{right}|{' '.join(tokens)}|{phrase.text}")
                continue
            anchor, offset = anchor_of(tokens)
            code = f"{int(phrase.severity)}|{offset}|{' '.join(tokens)}|{phrase.text}"
            current = exact.get(anchor)
            if current is None:
                exact[anchor] = code
            elif isinstance(current, list):
                current.append(code)
            else:
                exact[anchor] = [current, code]
        self.exact = exact
        self.wild = tuple(wild)
        self.wild_any = re.compile(_trie_regex([w.split("|", 4)[3] for w in wild])) if wild else None
        self.allow = tuple(t for t in (phrase_tokens(a, normaliser) for a in allow) if t)

    def entries_at(self, token: str) -> list[tuple[Entry, int]]:
        """The server phrases anchored on ``token``."""
        found = self.exact.get(token)
        if found is None:
            return []
        codes = [found] if isinstance(found, str) else found
        out: list[tuple[Entry, int]] = []
        for code in codes:
            severity, offset, tokens, text = code.split("|", 3)
            entry = Entry(
                text, tuple(tokens.split()), Severity(int(severity)), Kind.SELF, "server phrase", "server"
            )
            out.append((entry, int(offset)))
        return out

    def wildcard_hits(self, joined: str) -> list[Entry]:
        """Server phrases with wildcards that occur in ``joined`` (normalised tokens joined by spaces)."""
        if self.wild_any is None or not self.wild_any.search(joined):
            return []
        hits: list[Entry] = []
        padded = f" {joined} "
        for code in self.wild:
            severity, left, right, core, text = code.split("|", 4)
            start = padded.find(core)
            while start != -1:
                before, after = padded[start - 1], padded[start + len(core)]
                if (left or before == " ") and (right or after == " "):
                    hits.append(
                        Entry(
                            text,
                            tuple(core.split()),
                            Severity(int(severity)),
                            Kind.SELF,
                            "server phrase",
                            "server",
                        )
                    )
                    break
                start = padded.find(core, start + 1)
        return hits


def _trie_regex(words: Sequence[str]) -> str:
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


class Detector:
    """Matches normalised text against the lexicon plus a server's phrases, then applies the context rules."""

    def __init__(
        self,
        lexicon: Lexicon,
        custom: Sequence[CustomPhrase] = (),
        allow: Sequence[str] = (),
    ) -> None:
        self.lexicon = lexicon
        self._n = lexicon.normaliser
        self._base = _index_for(lexicon)
        self._rules = ServerRules(custom, allow, self._n) if custom or allow else None
        self._allow = self._rules.allow if self._rules else ()

    def _quick_reject(self, text: str) -> bool:
        """Whether the early screen dismisses ``text`` (it can't match)."""
        return not self.screen(text)

    def screen(self, text: str) -> bool:
        """Whether ``text`` could hold a phrase and goes on to the full normalisation (``False``: dismissed early).

        A literal scan on a cheap fold of the text (``bot/domain/crisis_screen.py``), in three steps, each only for
        what the one before could not dismiss: one set look-up of each phrase's least common word; then each phrase's
        least common pair of adjacent words; then every reading (slang, leetspeak, letters spelled out) against every
        phrase's words. Each step reads a superset of what the full normalisation reads.
        """
        if not text:
            return False
        text = plain_text(text[:MAX_TEXT], self._n.screen_table)
        keys = self._base.fast
        if keys is None:
            return True
        dismissed, fast = fast_scan(text, keys.keys, words_too=self._rules is not None)
        if self._rules is not None and (  # a server's own phrases: on the same readings
            fast is None or self._server_words(fast) or any(not SLANG_WORDS.isdisjoint(r) for r in fast)
        ):
            return self._screen_all(text)
        if dismissed:
            return False  # the common case: no key word of any phrase
        if (
            fast is not None
            and all(keys.slang.isdisjoint(r) for r in fast)
            and not any(keys.hit(r) for r in fast)
        ):
            return False  # key words, but not in the order of any phrase
        return self._screen_all(text)

    def _screen_all(self, text: str) -> bool:
        """The screen's last step: every reading of ``text`` (folded by ``plain_text``) against every phrase."""
        read = screen_readings(text, self._n.screen_table)
        if read is None:
            return True
        readings, spelled = read
        if spelled and self._spelled_out(readings):
            return True
        return self._candidate(readings)

    def _no_key_word(self, plain: str) -> bool:
        """The screen's first step on text already folded by ``plain_text``: no phrase's key word is there."""
        keys = self._base.fast
        if keys is None or not fast_scan(plain, keys.keys)[0]:
            return False
        if self._rules is None:
            return True
        fast = fast_readings(plain)
        return (
            fast is not None and not self._server_words(fast) and all(SLANG_WORDS.isdisjoint(r) for r in fast)
        )

    def _server_words(self, readings: list[list[str]]) -> bool:
        """Whether the fast ``readings`` may hold one of this server's phrases (``False`` without any)."""
        rules = self._rules
        if rules is None:
            return False
        wild = rules.wild_any
        return any(
            not rules.exact.keys().isdisjoint(r)
            or (wild is not None and wild.search(" ".join(r)) is not None)
            for r in readings
        )

    def _spelled_out(self, readings: Sequence[Sequence[str]]) -> bool:
        compact_any = self._base.compact_any
        return compact_any is not None and any(compact_any.search("".join(r)) for r in readings)

    def _candidate(self, readings: Sequence[Sequence[str]]) -> bool:
        """Whether the words of ``readings`` hold all the words of a phrase, a pair rule's markers, or a server phrase.

        Words are compared as sets (order aside), which is a superset of the phrase match the analysis does.
        """
        words = set(readings[0]).union(*readings[1:]) if len(readings) > 1 else set(readings[0])
        base = self._base
        needs = base.needs
        for anchor in needs.keys() & words:
            if any(need <= words for need in needs[anchor]):
                return True
        if (not base.pair_triggers.isdisjoint(words) or not base.common_farewell.isdisjoint(words)) and (
            self._pair_possible(words)
        ):
            return True
        rules = self._rules
        if rules is None:
            return False
        if not rules.exact.keys().isdisjoint(words):
            return True
        return rules.wild_any is not None and any(rules.wild_any.search(" ".join(r)) for r in readings)

    def _pair_possible(self, words: set[str]) -> bool:
        """Whether the markers of one of the pair rules (``_pair_rules``) are all there."""
        base = self._base
        means, goodbye = base.has("means", words), base.has("goodbye", words)
        if (means or goodbye) and base.has("silence", words):
            return True
        if means and (goodbye or base.has("intent", words)):
            return True
        finality = base.has("finality", words)
        if means and finality and base.has("time", words):
            return True
        if (goodbye or base.has("giving_away", words)) and finality:
            return True
        return base.has("self_harm", words) and base.has("self_harm_intent", words)

    def detect(self, text: str) -> Detection:
        """The verdict on ``text`` (``NO_DETECTION`` when nothing matched)."""
        if len(text) > LONG_TEXT:
            return self._detect_long(text[:MAX_TEXT])
        if not self.screen(text):
            return NO_DETECTION
        return self._full(text)

    def _detect_long(self, text: str) -> Detection:
        """A long message a window at a time: only windows the screen passes are normalised and analysed.

        Windows are whole sentences (or lines) of about ``WINDOW`` characters, so context rules look at the sentences
        around a phrase rather than at the whole message.
        """
        if self._no_key_word(plain_text(text, self._n.screen_table)):
            return NO_DETECTION
        found: list[Detection] = []
        for window in _windows(text):
            if self.screen(window):
                detection = self._full(window)
                if detection is not NO_DETECTION:
                    found.append(detection)
        return _merge(found)

    def _full(self, text: str) -> Detection:
        """Normalise ``text`` fully and analyse it if it holds a candidate (no early screen)."""
        norm = self._n.normalise(text)
        token_sets = [norm.tokens] if norm.leet_tokens is None else [norm.tokens, norm.leet_tokens]
        candidates = norm.split and self._spelled_out(token_sets)
        candidates = candidates or self._candidate(token_sets)
        joined = " ".join(norm.tokens)
        if not candidates and not norm.quoted:
            return NO_DETECTION
        if not candidates:  # only quoted text could hold a phrase: say so, set aside
            quoted = self._quoted_hits(text, [])
            return Detection(None, None, (), tuple(quoted)) if quoted else NO_DETECTION
        return self._analyse(text, norm, token_sets, joined)

    # The slow path runs only for messages with a candidate word.
    def _analyse(
        self, text: str, norm: Normalised, token_sets: list[tuple[str, ...]], joined: str
    ) -> Detection:
        ctx = self.lexicon.context
        tokens = norm.tokens
        raw: dict[tuple[str, int], tuple[Hit, tuple[str, ...]]] = {}
        for toks in token_sets:
            for hit in self._match(toks):
                raw.setdefault((hit.phrase, hit.start), (hit, toks))
        if self._rules is not None:
            for entry in self._rules.wildcard_hits(joined):
                hit = Hit(entry.phrase, entry.category, entry.severity, entry.kind, 0, len(tokens))
                raw.setdefault((hit.phrase, -1), (hit, tokens))
        if norm.split:
            for toks in token_sets:
                compact = "".join(toks)
                for squeezed, entry in self._base.compact:
                    if squeezed in compact and not any(h.phrase == entry.phrase for h, _ in raw.values()):
                        hit = Hit(
                            entry.phrase,
                            f"{entry.category}, letters spelled out",
                            entry.severity,
                            entry.kind,
                            0,
                            0,
                        )
                        raw.setdefault((hit.phrase, -2), (hit, toks))
        hits = _drop_contained([h for h, _ in raw.values()])
        token_of = {(h.phrase, h.start): t for h, t in raw.values()}

        active: list[Hit] = []
        suppressed: list[Hit] = []
        idiom_spans: list[tuple[str, ...]] = []
        if hits:  # idioms only matter around a phrase that matched
            idiom_spans = self._idiom_spans(norm.unsqueezed)
            if norm.leet_tokens is not None:
                idiom_spans += self._idiom_spans(norm.unsqueezed.translate(_LEET))
        has = _Markers(tokens)
        past = has.any(ctx.past) and not has.any(ctx.present)
        gaming = has.any(ctx.game)
        lyrics = has.any(ctx.lyric) and not has.any(
            ctx.sincerity
        )  # "this song is literally me" is not a quote
        for hit in hits:
            toks = token_of.get((hit.phrase, hit.start), tokens)
            reason = self._suppression(hit, toks, idiom_spans, past=past, gaming=gaming, lyrics=lyrics)
            if reason:
                suppressed.append(_replace(hit, suppressed_by=reason))
                continue
            active.append(self._with_subject(hit, toks, has))
        if norm.quoted:
            suppressed += self._quoted_hits(text, active)
        if not any(
            h.suppressed_by in ("an idiom or hyperbole", "negated", "gaming talk") for h in suppressed
        ):
            active += self._pair_rules(has, active, past=past, gaming=gaming, lyrics=lyrics)
        if has.any(ctx.supportive):
            kept = [
                h for h in active if h.kind is Kind.HARASSMENT or self._first_person_near(tokens, h.start)
            ]
            suppressed += [_replace(h, suppressed_by="a supportive message") for h in active if h not in kept]
            active = kept
        if not active:
            return Detection(None, None, (), tuple(suppressed)) if suppressed else NO_DETECTION
        return self._verdict(active, suppressed, has)

    def _match(self, tokens: tuple[str, ...]) -> Iterable[Hit]:
        by_anchor = self._base.by_anchor
        rules = self._rules
        for i, token in enumerate(tokens):
            bucket: Sequence[tuple[Entry, int]] = by_anchor.get(token, ())
            if rules is not None and token in rules.exact:
                bucket = [*bucket, *rules.entries_at(token)]
            for entry, offset in bucket:
                start = i - offset
                n = len(entry.tokens)
                if start >= 0 and tokens[start : start + n] == entry.tokens:
                    yield Hit(entry.phrase, entry.category, entry.severity, entry.kind, start, start + n)

    def _idiom_spans(self, text: str) -> list[tuple[str, ...]]:
        spans: list[tuple[str, ...]] = []
        for pattern in self.lexicon.context.idioms:
            for match in pattern.finditer(text):
                spans.append(_tokens(match.group(0)))
        return spans

    def _suppression(
        self,
        hit: Hit,
        tokens: tuple[str, ...],
        idiom_spans: list[tuple[str, ...]],
        *,
        past: bool,
        gaming: bool,
        lyrics: bool,
    ) -> str | None:
        ctx = self.lexicon.context
        phrase_toks = tokens[hit.start : hit.end]
        for allowed in self._allow:
            if _contains(allowed, phrase_toks) or _window_has(tokens, hit.start, hit.end, allowed):
                return "on this server's allow-list"
        if lyrics:
            return "looks like lyrics or a quote"
        if any(
            _contains(span, phrase_toks) or _window_has(tokens, hit.start, hit.end, span)
            for span in idiom_spans
        ):
            return "an idiom or hyperbole"
        if self._negated(tokens, hit.start):
            return "negated"
        if past and hit.kind is Kind.SELF:
            return "about the past, not now"
        if gaming and phrase_toks in ctx.game_weak:
            return "gaming talk"
        return None

    def _negated(self, tokens: tuple[str, ...], start: int) -> bool:
        ctx = self.lexicon.context
        window = tokens[max(0, start - 8) : start]
        if any(_contains(window, breaker) for breaker in ctx.negation_breakers):
            return False  # "I can't promise I won't hurt myself"
        j = start - 1
        steps = 0
        while j >= 0 and steps < ctx.negation_window + 2:
            token = tokens[j]
            if token in ctx.negators:
                return True
            if token not in ctx.fillers:
                return False
            j -= 1
            steps += 1
        return False

    def _first_person_near(self, tokens: tuple[str, ...], start: int) -> bool:
        return (start == 0 and not tokens) or any(
            t in FIRST_PERSON for t in tokens[max(0, start - 6) : start + 6]
        )

    def _with_subject(self, hit: Hit, tokens: tuple[str, ...], has: _Markers) -> Hit:
        """A self-kind hit whose nearest subject is someone else becomes concern; "kys" in one's own head is self."""
        ctx = self.lexicon.context
        if hit.kind is Kind.HARASSMENT:
            if any(_contains(tokens[max(0, hit.start - 8) : hit.start], m) for m in ctx.inner_voice):
                return _replace(
                    hit, kind=Kind.SELF, severity=Severity.HIGH, rule="harsh words in one's own thoughts"
                )
            return hit
        if hit.kind is not Kind.SELF:
            return hit
        before = tokens[max(0, hit.start - 5) : hit.start]
        opening = tokens[: hit.start]
        aimed = any(
            before[-len(m) :] == m or (m[0] == "you" and _contains(before, m)) for m in ctx.imperative_you
        )
        aimed = aimed or any(
            opening == m for m in ctx.imperative_start
        )  # "go kill yourself" opens the message
        if aimed:
            return _replace(hit, kind=Kind.HARASSMENT, rule=f"{hit.rule}, aimed at someone")
        for j in range(hit.start - 1, max(-1, hit.start - 1 - ctx.subject_window), -1):
            token = tokens[j]
            if token in FIRST_PERSON:
                return hit
            if (token,) in ctx.third_person or (j > 0 and (tokens[j - 1], token) in ctx.third_person):
                return _replace(hit, kind=Kind.CONCERN, rule=f"{hit.rule}, about someone else")
        return hit

    def _quoted_hits(self, text: str, active: list[Hit]) -> list[Hit]:
        """Hits that appear only inside quotes, for the explanation."""
        prepared = self._n.prepare(text)
        seen = {h.phrase for h in active}
        return [
            _replace(h, suppressed_by="inside quotes")
            for h in _drop_contained(list(self._match(_tokens(prepared))))
            if h.phrase not in seen
        ]

    def _pair_rules(
        self, has: _Markers, active: list[Hit], *, past: bool, gaming: bool, lyrics: bool
    ) -> list[Hit]:
        """Weak words count when paired: a method with intent or a goodbye, a goodbye with finality, and so on."""
        if lyrics or past or gaming or any(h.kind is Kind.HARASSMENT for h in active):
            return []
        if any(h.severity >= Severity.HIGH and h.kind in (Kind.SELF, Kind.CONCERN) for h in active):
            return []
        ctx = self.lexicon.context
        tokens = has.tokens
        means, goodbye, finality = has.any(ctx.means), has.any(ctx.goodbye), has.any(ctx.finality)

        def hit(name: str, rule: str, severity: Severity, markers: tuple[tuple[str, ...], ...]) -> Hit | None:
            position = has.position(markers)
            if position is None or self._negated(tokens, position):
                return None
            return Hit(name, rule, severity, self._subject_before(tokens, position), position, position)

        candidates: list[Hit | None] = []
        if has.any(ctx.silence) and (goodbye or means):
            candidates.append(
                hit("goodbye or method, then silence", "preparation pair", Severity.HIGH, ctx.silence)
            )
        if means and has.any(ctx.intent):
            candidates.append(hit("method word with intent", "plan_means pair", Severity.HIGH, ctx.intent))
        if means and (goodbye or (finality and has.any(ctx.time))):
            candidates.append(hit("method word with a goodbye", "preparation pair", Severity.HIGH, ctx.means))
        if (goodbye or has.any(ctx.giving_away)) and finality:
            candidates.append(
                hit(
                    "goodbye or giving things away, with finality",
                    "preparation pair",
                    Severity.HIGH,
                    ctx.finality,
                )
            )
        if (
            has.any(ctx.self_harm)
            and has.any(ctx.self_harm_intent)
            and not any(h.kind is Kind.SELF and h.severity >= Severity.MODERATE for h in active)
        ):
            candidates.append(
                hit("self-harm word with intent", "self_harm pair", Severity.MODERATE, ctx.self_harm_intent)
            )
        found = [c for c in candidates if c is not None]
        return found[:1]

    def _subject_before(self, tokens: tuple[str, ...], position: int) -> Kind:
        """Whose the sentence is, judged by the nearest subject before ``position`` (or the message's first)."""
        third = self.lexicon.context.third_person
        end = min(len(tokens), position + 3)
        for j in range(end - 1, -1, -1):
            token = tokens[j]
            if token in FIRST_PERSON and token != "my":
                return Kind.SELF
            if (token,) in third or (j > 0 and (tokens[j - 1], token) in third):
                return Kind.CONCERN
        return self._message_subject(tokens)

    def _message_subject(self, tokens: tuple[str, ...]) -> Kind:
        """Whether a message is first about the writer or about someone else."""
        third = self.lexicon.context.third_person
        for j, token in enumerate(tokens[:12]):
            if token in FIRST_PERSON and token != "my":
                return Kind.SELF
            if (token,) in third or (j > 0 and (tokens[j - 1], token) in third):
                return Kind.CONCERN
        return Kind.SELF

    def _negated_anywhere(self, tokens: tuple[str, ...]) -> bool:
        return any(t in self.lexicon.context.negators for t in tokens)

    def _verdict(self, active: list[Hit], suppressed: list[Hit], has: _Markers) -> Detection:
        ctx = self.lexicon.context
        kind = min(
            (h.kind for h in active if h.severity >= Severity.MODERATE),
            key=KIND_PRIORITY.__getitem__,
            default=None,
        )
        if kind is None:
            kind = min((h.kind for h in active), key=KIND_PRIORITY.__getitem__)
        severity = max(h.severity for h in active if h.kind is kind)
        escalated: list[str] = []
        if kind in (Kind.SELF, Kind.CONCERN) and severity >= Severity.MODERATE:
            signals = [
                name
                for name, markers in (
                    ("a time", ctx.time),
                    ("a method", ctx.means),
                    ("a goodbye", ctx.goodbye),
                )
                if has.any(markers)
            ]
            if severity == Severity.HIGH and signals:
                severity = Severity.IMMINENT
                escalated.append(f"ideation with {', '.join(signals)}")
            elif severity == Severity.MODERATE and ("a method" in signals or "a goodbye" in signals):
                severity = Severity.HIGH
                escalated.append(f"ideation with {', '.join(s for s in signals if s != 'a time')}")
        unique: dict[str, Hit] = {}
        for hit in sorted(active, key=lambda h: (-h.severity, h.start)):
            unique.setdefault(hit.phrase, hit)
        ordered = list(unique.values())
        return Detection(severity, kind, tuple(ordered), tuple(suppressed), tuple(escalated))


_FIRST_WORDS: dict[int, tuple[object, frozenset[str]]] = {}


def _first_words(markers: Iterable[tuple[str, ...]]) -> frozenset[str]:
    """The first words of a marker group (the groups live as long as their lexicon; remembered by identity)."""
    entry = _FIRST_WORDS.get(id(markers))
    if entry is None or entry[0] is not markers:
        entry = (markers, frozenset(m[0] for m in markers if m))
        _FIRST_WORDS[id(markers)] = entry
    return entry[1]


class _Markers:
    """Checks whether a message contains any of several token phrases (built once per analysed message)."""

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens
        self._set = frozenset(tokens)
        self._text = " " + " ".join(tokens) + " "

    def position(self, markers: Iterable[tuple[str, ...]]) -> int | None:
        """Where the first of ``markers`` occurs (token index), or ``None``."""
        if _first_words(markers).isdisjoint(self._set):
            return None
        best: int | None = None
        for marker in markers:
            if marker[0] not in self._set:
                continue
            n = len(marker)
            for i in range(len(self.tokens) - n + 1):
                if self.tokens[i : i + n] == marker:
                    best = i if best is None else min(best, i)
                    break
        return best

    def any(self, markers: Iterable[tuple[str, ...]]) -> bool:
        if _first_words(markers).isdisjoint(self._set):
            return False  # no marker's first word: the common case, one set operation
        for marker in markers:
            if len(marker) == 1:
                if marker[0] in self._set:
                    return True
            elif marker[0] in self._set and f" {' '.join(marker)} " in self._text:
                return True
        return False


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    n = len(inner)
    return any(outer[i : i + n] == inner for i in range(len(outer) - n + 1)) if n else False


def _window_has(tokens: tuple[str, ...], start: int, end: int, phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` occurs in the text overlapping the span ``start:end``."""
    n = len(phrase)
    return any(
        tokens[i : i + n] == phrase for i in range(max(0, start - n + 1), min(end, len(tokens) - n + 1))
    )


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Keep the longest phrase where matches overlap (``want to kill myself`` over ``kill myself``)."""
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in hits:
        if any(
            k.start <= hit.start and hit.end <= k.end and (k.end - k.start) > (hit.end - hit.start)
            for k in kept
        ):
            continue
        kept.append(hit)
    return kept


def _replace(hit: Hit, **changes: Any) -> Hit:
    return dataclasses.replace(hit, **changes)


def _windows(text: str) -> list[str]:
    """Whole sentences (or lines) grouped into windows of about ``WINDOW`` characters; a longer sentence alone."""
    windows: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > WINDOW:
            windows.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        windows.append(current)
    return windows


def _merge(found: list[Detection]) -> Detection:
    """One verdict for a long message: its most severe window's, with the other windows' phrases of the same kind
    and what every window set aside."""
    if not found:
        return NO_DETECTION

    def weight(d: Detection) -> tuple[bool, int, int]:
        return (
            d.alert,
            -1 if d.severity is None else int(d.severity),
            -KIND_PRIORITY[d.kind] if d.kind else -3,
        )

    best = max(found, key=weight)
    hits = {h.phrase: h for h in best.hits}
    for other in found:
        if other is not best and other.alert and other.kind is best.kind:
            for hit in other.hits:
                hits.setdefault(hit.phrase, hit)
    suppressed = tuple(h for d in found for h in d.suppressed)
    return dataclasses.replace(best, hits=tuple(hits.values()), suppressed=suppressed)
