"""Context rules applied around a matched phrase: idioms, negation, the past, gaming, lyrics, whose safety it is,
the pair rules for weak words, and the verdict with escalation."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from bot.domain.crisis.lexicon import Lexicon
from bot.domain.crisis.model import FIRST_PERSON, KIND_PRIORITY, Detection, Hit, Kind, Severity
from bot.domain.crisis.normalise import tokens_of

_MEANS = ("plan_means",)
_ABSENCE = ("preparation_goodbye", "hopelessness")
# Methods and means ("how many pills would it take") are the strongest signal even without "I"; algospeak ("kms")
# is first-person by itself; a server's own phrases are the moderators' choice.
_SOMEONE_NAMED = frozenset({"he", "she", "hes", "shes", "his", "her", "him", "hers"})
_PINGS_WITHOUT_I = ("plan_means", "algospeak", "harsh words in one's own thoughts", "server phrase")


class ContextRules:
    """The lexicon's context rules, plus a server's allow-list."""

    def __init__(self, lexicon: Lexicon, allow: tuple[tuple[str, ...], ...]) -> None:
        self.lexicon = lexicon
        self._allow = allow

    def idiom_spans(self, text: str) -> list[tuple[str, ...]]:
        """The idioms and hyperbole in ``text`` (lower-case, unsqueezed), as token spans."""
        spans: list[tuple[str, ...]] = []
        ctx = self.lexicon.context
        idioms, possible = ctx.idioms, ctx.idiom_filter
        # Only the patterns whose needed strings are there can match (see ``bot/domain/crisis/idioms.py``).
        for i in possible.possible(text) if possible is not None else range(len(idioms)):
            for match in idioms[i].finditer(text):
                spans.append(tokens_of(match.group(0)))
        return spans

    def suppression(
        self,
        hit: Hit,
        tokens: tuple[str, ...],
        idiom_spans: list[tuple[str, ...]],
        *,
        past: bool,
        gaming: bool,
        lyrics: bool,
        everyday: Markers | None = None,
    ) -> str | None:
        """Why ``hit`` is set aside (allow-list, lyrics, idiom, negation, the past, gaming, and, given the message's
        ``everyday`` markers, everyday talk), or ``None``."""
        ctx = self.lexicon.context
        phrase_toks = tokens[hit.start : hit.end]
        for allowed in self._allow:
            if contains(allowed, phrase_toks) or window_has(tokens, hit.start, hit.end, allowed):
                return "on this server's allow-list"
        if lyrics:
            return "looks like lyrics or a quote"
        if any(
            contains(span, phrase_toks) or window_has(tokens, hit.start, hit.end, span)
            for span in idiom_spans
        ):
            return "an idiom or hyperbole"
        if self._negated(tokens, hit.start):
            return "negated"
        if past and hit.kind in (Kind.SELF, Kind.CONCERN):
            return "about the past, not now"
        if gaming and phrase_toks in ctx.game_weak:
            return "gaming talk"
        return None if everyday is None else self.everyday(hit, everyday)

    def everyday(self, hit: Hit, has: Markers) -> str | None:
        """Why a weak signal reads as everyday talk: said laughing, an absence with a reason, a medicine in use."""
        ctx = self.lexicon.context
        if hit.rule.startswith(_MEANS) and has.any(ctx.everyday_use):
            return "a medicine, tool or place in everyday use"
        if hit.rule.startswith(_ABSENCE) and has.any(ctx.everyday_reasons):
            return "an everyday reason for going or being away"
        if hit.severity <= Severity.MODERATE and hit.kind is Kind.SELF and has.any(ctx.laughter):
            return "a weak signal said laughing"
        return None

    def _negated(self, tokens: tuple[str, ...], start: int) -> bool:
        ctx = self.lexicon.context
        window = tokens[max(0, start - 8) : start]
        if any(contains(window, breaker) for breaker in ctx.negation_breakers):
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

    def first_person_near(self, tokens: tuple[str, ...], start: int) -> bool:
        """Whether the writer speaks of themself within six words of ``start``."""
        return (start == 0 and not tokens) or any(
            t in FIRST_PERSON for t in tokens[max(0, start - 6) : start + 6]
        )

    def with_subject(self, hit: Hit, tokens: tuple[str, ...], has: Markers) -> Hit:
        """A self-kind hit whose nearest subject is someone else becomes concern; "kys" in one's own head is self."""
        ctx = self.lexicon.context
        if hit.kind is Kind.HARASSMENT:
            if any(contains(tokens[max(0, hit.start - 8) : hit.start], m) for m in ctx.inner_voice):
                return replace_hit(
                    hit, kind=Kind.SELF, severity=Severity.HIGH, rule="harsh words in one's own thoughts"
                )
            return hit
        if hit.kind is not Kind.SELF:
            return hit
        before = tokens[max(0, hit.start - 5) : hit.start]
        opening = tokens[: hit.start]
        aimed = any(
            before[-len(m) :] == m or (m[0] == "you" and contains(before, m)) for m in ctx.imperative_you
        )
        aimed = aimed or any(
            opening == m for m in ctx.imperative_start
        )  # "go kill yourself" opens the message
        if aimed:
            return replace_hit(hit, kind=Kind.HARASSMENT, rule=f"{hit.rule}, aimed at someone")
        for j in range(hit.start - 1, max(-1, hit.start - 1 - ctx.subject_window), -1):
            token = tokens[j]
            if token in FIRST_PERSON:
                return hit
            if (token,) in ctx.third_person or (j > 0 and (tokens[j - 1], token) in ctx.third_person):
                return replace_hit(hit, kind=Kind.CONCERN, rule=f"{hit.rule}, about someone else")
        return hit

    def pair_rules(
        self, has: Markers, active: list[Hit], *, past: bool, gaming: bool, lyrics: bool
    ) -> list[Hit]:
        """Weak words count when paired: a method with intent or a goodbye, a goodbye with finality, and so on."""
        if lyrics or past or gaming or any(h.kind is Kind.HARASSMENT for h in active):
            return []
        if any(h.severity >= Severity.HIGH and h.kind in (Kind.SELF, Kind.CONCERN) for h in active):
            return []
        ctx = self.lexicon.context
        tokens = has.tokens
        means, goodbye, finality = has.any(ctx.means), has.any(ctx.goodbye), has.any(ctx.finality)
        if has.any(ctx.everyday_use):
            means = False  # "how many ibuprofen for a headache"
        if has.any(ctx.everyday_reasons) or has.any(ctx.laughter):
            goodbye = finality = False  # "logging off for good, moving to a new server lol"

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
            and not has.any(ctx.everyday_use)
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

    def verdict(self, active: list[Hit], suppressed: list[Hit], has: Markers) -> Detection:
        """Kind and severity from the active hits, escalated by a time, a method or a goodbye."""
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
            elif severity == Severity.MODERATE and "a method" in signals:
                severity = (
                    Severity.HIGH
                )  # a goodbye alone doesn't make a weak signal ping ("bye everyone, ...")
                escalated.append("ideation with a method")
        quiet = self._quiet(severity, kind, active, has)
        if quiet is not None:
            severity = Severity.MODERATE
        unique: dict[str, Hit] = {}
        for hit in sorted(active, key=lambda h: (-h.severity, h.start)):
            unique.setdefault(hit.phrase, hit)
        ordered = list(unique.values())
        return Detection(severity, kind, tuple(ordered), tuple(suppressed), tuple(escalated), quiet)

    def _quiet(self, severity: Severity, kind: Kind, active: list[Hit], has: Markers) -> str | None:
        """Why a detection that would ping is lower-confidence and gets a quiet card (moderate) instead, or ``None``.

        With no first-person word anywhere in the message, a warning sign about the writer ("goodbye everyone, it
        was nice knowing you all") or concern about nobody in particular ("experts say talking about suicide...")
        is worth a card, not a ping. Methods and means, algospeak, and concern for a named person ("she said she
        wants to end her life") still ping.
        """
        if severity < Severity.HIGH or not FIRST_PERSON.isdisjoint(has.tokens):
            return None
        if kind is Kind.CONCERN:
            return None if not _SOMEONE_NAMED.isdisjoint(has.tokens) else "concern about nobody in particular"
        if kind is not Kind.SELF:
            return None
        if any(h.rule.startswith(_PINGS_WITHOUT_I) for h in active if h.severity >= Severity.HIGH):
            return None
        return "a warning sign without a first-person statement"


_FIRST_WORDS: dict[int, tuple[object, frozenset[str], dict[str, list[tuple[str, ...]]]]] = {}


def _by_first_word(
    markers: Iterable[tuple[str, ...]],
) -> tuple[frozenset[str], dict[str, list[tuple[str, ...]]]]:
    """The first words of a marker group, and its markers by first word (the groups live as long as their lexicon;
    remembered by identity)."""
    entry = _FIRST_WORDS.get(id(markers))
    if entry is None or entry[0] is not markers:
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for marker in markers:
            if marker:
                by_first.setdefault(marker[0], []).append(marker)
        entry = (markers, frozenset(by_first), by_first)
        _FIRST_WORDS[id(markers)] = entry
    return entry[1], entry[2]


class Markers:
    """Checks whether a message contains any of several token phrases (built once per analysed message)."""

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens
        self._set = frozenset(tokens)
        self._text = " " + " ".join(tokens) + " "

    def position(self, markers: Iterable[tuple[str, ...]]) -> int | None:
        """Where the first of ``markers`` occurs (token index), or ``None``."""
        firsts, by_first = _by_first_word(markers)
        if firsts.isdisjoint(self._set):
            return None
        best: int | None = None
        for marker in (m for w in firsts & self._set for m in by_first[w]):
            n = len(marker)
            for i in range(len(self.tokens) - n + 1):
                if self.tokens[i : i + n] == marker:
                    best = i if best is None else min(best, i)
                    break
        return best

    def any(self, markers: Iterable[tuple[str, ...]]) -> bool:
        firsts, by_first = _by_first_word(markers)
        if firsts.isdisjoint(self._set):
            return False  # no marker's first word: the common case, one set operation
        for word in firsts & self._set:  # only the markers that start with a word of the message
            for marker in by_first[word]:
                if len(marker) == 1 or f" {' '.join(marker)} " in self._text:
                    return True
        return False


def contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """Whether ``inner`` occurs in ``outer`` (as consecutive tokens)."""
    n = len(inner)
    return any(outer[i : i + n] == inner for i in range(len(outer) - n + 1)) if n else False


def window_has(tokens: tuple[str, ...], start: int, end: int, phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` occurs in the text overlapping the span ``start:end``."""
    n = len(phrase)
    return any(
        tokens[i : i + n] == phrase for i in range(max(0, start - n + 1), min(end, len(tokens) - n + 1))
    )


def drop_contained(hits: list[Hit]) -> list[Hit]:
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


def replace_hit(hit: Hit, **changes: Any) -> Hit:
    """``hit`` with ``changes``."""
    return dataclasses.replace(hit, **changes)
