"""The detector: screen, normalise, match the lexicon and a server's phrases, apply the context rules, explain."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

from bot.domain.crisis.context import ContextRules, Markers, drop_contained, replace_hit
from bot.domain.crisis.index import index_for
from bot.domain.crisis.lexicon import CustomPhrase, Lexicon
from bot.domain.crisis.literal import Found
from bot.domain.crisis.model import KIND_PRIORITY, MAX_TEXT, NO_DETECTION, Detection, Entry, Hit, Kind
from bot.domain.crisis.normalise import Normalised, tokens_of
from bot.domain.crisis.screen import Screen
from bot.domain.crisis.server_rules import ServerRules
from bot.domain.crisis_screen import LEET, plain_text

LONG_TEXT = 600  # longer messages are analysed a window at a time, around the screen's candidates
WINDOW = 240
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


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
        self._base = index_for(lexicon)
        self._rules = ServerRules(custom, allow, self._n) if custom or allow else None
        self._allow = self._rules.allow if self._rules else ()
        self._screen = Screen(self._base, self._rules, self._n)
        # The screen's literal scan, called directly for short ASCII text (the common case); see ``detect``.
        self._literal = self._base.literal if self._rules is None else None
        # Curly apostrophes ("it’s", common in chat) are the only characters outside ASCII that the screen's table
        # deletes outright; text with no other such character is then plain ASCII for the literal scan.
        table = self._n.screen_table
        self._curly_deleted = all(c in table and table[c] is None for c in (0x2019, 0x2018))
        self._context = ContextRules(lexicon, self._allow)

    def _quick_reject(self, text: str) -> bool:
        """Whether the early screen dismisses ``text`` (it can't match)."""
        return not self.screen(text)

    def screen(self, text: str) -> bool:
        """Whether ``text`` could hold a phrase and goes on to the full normalisation (``False``: dismissed early).

        See ``Screen.screen`` (``bot/domain/crisis/screen.py``).
        """
        return self._screen.screen(text)

    def detect(self, text: str) -> Detection:
        """The verdict on ``text`` (``NO_DETECTION`` when nothing matched)."""
        if len(text) > LONG_TEXT:
            return self._detect_long(text[:MAX_TEXT])
        literal = self._literal
        if literal is not None:  # what ``Screen.screen`` does first, without the calls around it
            plain = text
            if not text.isascii() and self._curly_deleted:
                plain = text.replace("\u2019", "").replace("\u2018", "")
            found = literal.scan(plain) if plain.isascii() else Found.UNKNOWN
            if found is Found.NOTHING:
                return NO_DETECTION
            if found is Found.PHRASE:
                return self._full(text)
        if not self.screen(text):
            return NO_DETECTION
        return self._full(text)

    def _detect_long(self, text: str) -> Detection:
        """A long message a window at a time: only windows the screen passes are normalised and analysed.

        Windows are whole sentences (or lines) of about ``WINDOW`` characters, so context rules look at the sentences
        around a phrase rather than at the whole message.
        """
        screen = self._screen
        windows = _windows(text)
        literal = [screen.literal(window) for window in windows]
        if all(f is Found.NOTHING for f in literal):
            return NO_DETECTION  # the screen dismisses every window
        if not any(f is Found.PHRASE and _as_written(w) for f, w in zip(literal, windows, strict=True)):
            # Unless a window holds a phrase as written (then the whole text does too, key word and all), the
            # literal scan and the key-word look-up of the whole text may still dismiss it.
            scanned = screen.scan_whole(text)
            if scanned is Found.NOTHING:
                return NO_DETECTION
            # A phrase in order holds its key word, so the key-word look-up can only dismiss text the scan left open.
            if scanned is not Found.PHRASE and screen.no_key_word(plain_text(text, self._n.screen_table)):
                return NO_DETECTION
        found: list[Detection] = []
        for window, scan in zip(windows, literal, strict=True):
            if screen.screen_found(window, scan):
                detection = self._full(window)
                if detection is not NO_DETECTION:
                    found.append(detection)
        return _merge(found)

    def _full(self, text: str) -> Detection:
        """Normalise ``text`` fully and analyse it if it holds a candidate (no early screen)."""
        norm = self._n.normalise(text)
        token_sets = [norm.tokens] if norm.leet_tokens is None else [norm.tokens, norm.leet_tokens]
        candidates = norm.split and self._screen.spelled_out(token_sets)
        candidates = candidates or self._screen.candidate(token_sets)
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
        rules = self._context
        tokens = norm.tokens
        raw = self._raw_hits(norm, token_sets, joined)
        hits = drop_contained([h for h, _ in raw.values()])
        token_of = {(h.phrase, h.start): t for h, t in raw.values()}

        active: list[Hit] = []
        suppressed: list[Hit] = []
        idiom_spans: list[tuple[str, ...]] = []
        if hits:  # idioms only matter around a phrase that matched
            idiom_spans = rules.idiom_spans(norm.unsqueezed)
            if norm.leet_tokens is not None:
                idiom_spans += rules.idiom_spans(norm.unsqueezed.translate(LEET))
        has = Markers(tokens)
        # "2 years ago today i tried...; today i graduated": a recovery story stays in the past despite "today"
        recovered = has.any(ctx.recovery) and not has.any(ctx.relapse)
        past = has.any(ctx.past) and (recovered or not has.any(ctx.present))
        gaming = has.any(ctx.game)
        lyrics = has.any(ctx.lyric) and not has.any(
            ctx.sincerity
        )  # "this song is literally me" is not a quote
        for hit in hits:
            toks = token_of.get((hit.phrase, hit.start), tokens)
            reason = rules.suppression(
                hit, toks, idiom_spans, past=past, gaming=gaming, lyrics=lyrics, everyday=has
            )
            if reason:
                suppressed.append(replace_hit(hit, suppressed_by=reason))
                continue
            active.append(rules.with_subject(hit, toks, has))
        if norm.quoted:
            suppressed += self._quoted_hits(text, active)
        if not any(
            h.suppressed_by in ("an idiom or hyperbole", "negated", "gaming talk") for h in suppressed
        ):
            active += rules.pair_rules(has, active, past=past, gaming=gaming, lyrics=lyrics)
        if has.any(ctx.supportive):
            kept = [
                h for h in active if h.kind is Kind.HARASSMENT or rules.first_person_near(tokens, h.start)
            ]
            suppressed += [
                replace_hit(h, suppressed_by="a supportive message") for h in active if h not in kept
            ]
            active = kept
        if not active:
            return Detection(None, None, (), tuple(suppressed)) if suppressed else NO_DETECTION
        return rules.verdict(active, suppressed, has)

    def _raw_hits(
        self, norm: Normalised, token_sets: list[tuple[str, ...]], joined: str
    ) -> dict[tuple[str, int], tuple[Hit, tuple[str, ...]]]:
        """Every phrase found in any reading (lexicon, server phrases, letters spelled out), with its reading."""
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
        return raw

    def _match(self, tokens: tuple[str, ...]) -> Iterable[Hit]:
        by_anchor = self._base.by_anchor
        rules = self._rules
        anchors = by_anchor.keys() & set(tokens) if rules is None else None
        if anchors is not None and not anchors:
            return  # no phrase's anchor word: the common case for a window
        for i, token in enumerate(tokens):
            if anchors is not None and token not in anchors:
                continue
            bucket: Sequence[tuple[Entry, int]] = by_anchor.get(token, ())
            if rules is not None and token in rules.exact:
                bucket = [*bucket, *rules.entries_at(token)]
            for entry, offset in bucket:
                start = i - offset
                n = len(entry.tokens)
                if start >= 0 and tokens[start : start + n] == entry.tokens:
                    yield Hit(entry.phrase, entry.category, entry.severity, entry.kind, start, start + n)

    def _quoted_hits(self, text: str, active: list[Hit]) -> list[Hit]:
        """Hits that appear only inside quotes, for the explanation."""
        prepared = self._n.prepare(text)
        seen = {h.phrase for h in active}
        return [
            replace_hit(h, suppressed_by="inside quotes")
            for h in drop_contained(list(self._match(tokens_of(prepared))))
            if h.phrase not in seen
        ]


def _as_written(window: str) -> bool:
    """Whether the literal scan reads ``window`` only as written: plain ASCII without quotes (quotes set aside can
    bring words together that the whole text, its quotes read differently, doesn't)."""
    return window.isascii() and '"' not in window and ">" not in window


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
