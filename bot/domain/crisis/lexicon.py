"""The shipped lexicon (phrases and the context rules' word lists) parsed, and a server's own phrases checked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.domain.crisis.idioms import IdiomFilter, Needs, idiom_needs
from bot.domain.crisis.model import Entry, Kind, Severity
from bot.domain.crisis.normalise import Normaliser, phrase_tokens
from bot.errors import InvalidInput


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
    # Everyday talk: "lol" (weak signals said laughing), "moving" or "wedding" (an absence or goodbye with a
    # reason), "headache" or "cleaning" (a medicine or place in daily use).
    laughter: tuple[tuple[str, ...], ...] = ()
    everyday_reasons: tuple[tuple[str, ...], ...] = ()
    everyday_use: tuple[tuple[str, ...], ...] = ()
    # "clean for", "graduated": a recovery story stays in the past despite "today", unless "again" or "relapsed".
    recovery: tuple[tuple[str, ...], ...] = ()
    relapse: tuple[tuple[str, ...], ...] = ()
    idiom_needs: tuple[
        Needs, ...
    ] = ()  # per idiom: strings one of which every match holds (a cheap test first)

    @cached_property
    def idiom_filter(self) -> IdiomFilter | None:
        """Which idioms can match a text, from ``idiom_needs`` in one pass (None without them: try every idiom)."""
        if not self.idiom_needs:
            return None
        if len(self.idiom_needs) != len(self.idioms):
            raise ValueError("one idiom_needs entry per idiom")
        return IdiomFilter(self.idiom_needs)


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
        laughter=tok(ctx.get("laughter_markers", ())),
        everyday_reasons=tok(ctx.get("everyday_reason_markers", ())),
        everyday_use=tok(ctx.get("everyday_use_markers", ())),
        recovery=tok(ctx.get("recovery_markers", ())),
        relapse=tok(ctx.get("relapse_markers", ())),
        idiom_needs=tuple(idiom_needs(p) for p in ctx["idioms"]),
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
