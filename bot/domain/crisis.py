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
_HOMOGLYPHS = str.maketrans(
    "аеорсуххіјѕԁӏһԛԝѵɑοαεικνρτυχωςβγδλмтнвк",
    "aeopcyxxijsdlhqwvaoaeiknptuxwsbydlmtnbk",
)
_LEET = str.maketrans(
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
_LEET_CHARS = re.compile(r"[0134578@$!+]")
_MARKUP = re.compile(r"[*_~|`#]+")
_QUOTES = re.compile(r"\"[^\"\n]{3,}\"|\u201c[^\u201d\n]{3,}\u201d|(?:^|\n)\s*>[^\n]*")
_SPLIT_LETTERS = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$][ .\-/]){1,}[a-z0-9@$](?![a-z0-9])")
_SEPARATORS = re.compile(r"[ .\-/]+")
_CAPITAL_I_AS_L = re.compile(r"(?<=[a-z])I+")
_SLANG = {
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
}
_SLANG_RE = re.compile(r"(?<![a-z0-9])(" + "|".join(_SLANG) + r")(?![a-z0-9])")
_SQUEEZE = re.compile(r"([a-z])\1+")
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
        self._emoji_chars = frozenset(emoji)

    def prepare(self, text: str) -> str:
        """Lower-case, accent-free, look-alike-free text with emoji spelled out and markup removed."""
        text = text[:MAX_TEXT].translate(_ZERO_WIDTH)
        if "I" in text:
            text = _CAPITAL_I_AS_L.sub(lambda m: "l" * len(m.group(0)), text)
        if not text.isascii():
            text = text.translate(self._emoji)
            text = _strip_marks(unicodedata.normalize("NFKC", text)).translate(_HOMOGLYPHS)
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
    finality: tuple[tuple[str, ...], ...] = ()
    silence: tuple[tuple[str, ...], ...] = ()
    giving_away: tuple[tuple[str, ...], ...] = ()
    imperative_you: tuple[tuple[str, ...], ...] = ()


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
        finality=tok(ctx.get("finality_markers", ())),
        silence=tok(ctx.get("silence_markers", ())),
        giving_away=tok(ctx.get("giving_away_markers", ())),
        imperative_you=tok(ctx.get("imperative_you", ())),
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


def _wildcard_regex(phrase: str, normaliser: Normaliser) -> str:
    core = " ".join(phrase_tokens(phrase.strip("*"), normaliser))
    left = "" if phrase.startswith("*") else "(?<![a-z0-9])"
    right = "" if phrase.endswith("*") else "(?![a-z0-9])"
    return left + re.escape(core) + right


# --- the detector --------------------------------------------------------------------------------------------------


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
        entries = list(lexicon.entries)
        wildcards: list[tuple[re.Pattern[str], Entry]] = []
        for phrase in custom:
            tokens = phrase_tokens(phrase.text.strip("*"), self._n)
            if not tokens:
                continue
            entry = Entry(phrase.text, tokens, phrase.severity, Kind.SELF, "server phrase", "server")
            if "*" in phrase.text:
                wildcards.append((re.compile(_wildcard_regex(phrase.text, self._n)), entry))
            else:
                entries.append(entry)
        unique: dict[tuple[str, ...], Entry] = {}
        for entry in entries:  # "wanna die" and "want to die" normalise alike: keep the more severe
            current = unique.get(entry.tokens)
            if current is None or entry.severity > current.severity:
                unique[entry.tokens] = entry
        entries = list(unique.values())
        index: dict[str, list[Entry]] = {}
        for entry in entries:
            if entry.tokens:
                index.setdefault(entry.tokens[0], []).append(entry)
        for bucket in index.values():
            bucket.sort(key=lambda e: -len(e.tokens))
        self._index = index
        self._triggers = frozenset(index)
        self._wildcards = wildcards
        self._wildcard_any = re.compile("|".join(p.pattern for p, _ in wildcards)) if wildcards else None
        self._allow = tuple(t for t in (phrase_tokens(a, self._n) for a in allow) if t)
        ctx = lexicon.context
        self._pair_triggers = frozenset(
            t[0]
            for group in (ctx.means, ctx.self_harm, ctx.goodbye, ctx.silence, ctx.giving_away)
            for t in group
        )
        # For letters spelled out one by one, strong phrases are looked for with the spaces taken out.
        self._compact = tuple(
            ("".join(e.tokens), e)
            for e in entries
            if e.severity >= Severity.MODERATE and len("".join(e.tokens)) >= 6
        )

    def detect(self, text: str) -> Detection:
        """The verdict on ``text`` (``NO_DETECTION`` when nothing matched)."""
        if not text:
            return NO_DETECTION
        norm = self._n.normalise(text)
        token_sets = [norm.tokens] if norm.leet_tokens is None else [norm.tokens, norm.leet_tokens]
        candidates = False
        for tokens in token_sets:
            if not self._triggers.isdisjoint(tokens) or not self._pair_triggers.isdisjoint(tokens):
                candidates = True
        joined = " ".join(norm.tokens)
        if self._wildcard_any is not None and self._wildcard_any.search(joined):
            candidates = True
        if not candidates and not norm.quoted:
            return NO_DETECTION
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
        for pattern, entry in self._wildcards:
            if pattern.search(joined):
                hit = Hit(entry.phrase, entry.category, entry.severity, entry.kind, 0, len(tokens))
                raw.setdefault((hit.phrase, -1), (hit, tokens))
        if norm.split:
            for toks in token_sets:
                compact = "".join(toks)
                for squeezed, entry in self._compact:
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
        idiom_spans = self._idiom_spans(norm.unsqueezed)
        has = _Markers(tokens)
        past = has.any(ctx.past) and not has.any(ctx.present)
        gaming = has.any(ctx.game)
        lyrics = has.any(ctx.lyric)
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
        index = self._index
        for i, token in enumerate(tokens):
            bucket = index.get(token)
            if not bucket:
                continue
            for entry in bucket:
                n = len(entry.tokens)
                if tokens[i : i + n] == entry.tokens:
                    yield Hit(entry.phrase, entry.category, entry.severity, entry.kind, i, i + n)

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
        for marker in ctx.imperative_you:
            if before[-len(marker) :] == marker or (marker[0] == "you" and _contains(before, marker)):
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


class _Markers:
    """Checks whether a message contains any of several token phrases (built once per analysed message)."""

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens
        self._set = frozenset(tokens)
        self._text = " " + " ".join(tokens) + " "

    def position(self, markers: Iterable[tuple[str, ...]]) -> int | None:
        """Where the first of ``markers`` occurs (token index), or ``None``."""
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
