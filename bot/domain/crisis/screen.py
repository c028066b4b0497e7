"""The detector's early screen: whether a text could hold a phrase, before any full normalisation."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.crisis.index import LexiconIndex
from bot.domain.crisis.literal import Found, ascii_reading
from bot.domain.crisis.model import MAX_TEXT
from bot.domain.crisis.normalise import Normaliser
from bot.domain.crisis.server_rules import ServerRules
from bot.domain.crisis_screen import (
    SLANG_WORDS,
    fast_readings,
    fast_scan,
    fold_non_ascii,
    plain_text,
    screen_readings,
)


class Screen:
    """A literal scan of a cheap fold of the text against the lexicon's (and a server's) key words."""

    def __init__(self, base: LexiconIndex, rules: ServerRules | None, normaliser: Normaliser) -> None:
        self._base = base
        self._rules = rules
        self._n = normaliser

    def screen(self, text: str) -> bool:
        """Whether ``text`` could hold a phrase and goes on to the full normalisation (``False``: dismissed early).

        A literal scan on a cheap fold of the text (``bot/domain/crisis_screen.py``), in three steps, each only for
        what the one before could not dismiss: one set look-up of each phrase's least common word; then each phrase's
        least common pair of adjacent words; then every reading (slang, leetspeak, letters spelled out) against every
        phrase's words. Each step reads a superset of what the full normalisation reads.
        """
        if not text:
            return False
        text = text[:MAX_TEXT]
        return self.screen_found(text, self._literal(text))

    def literal(self, text: str) -> Found:
        """The screen's first step alone (the literal scan) on ``text``, for ``screen_found``."""
        return self._literal(text[:MAX_TEXT]) if text else Found.NOTHING

    def screen_found(self, text: str, found: Found) -> bool:
        """``screen`` for ``text`` (at most ``MAX_TEXT`` characters) given what its literal scan ``found``."""
        if not text:
            return False
        if found is Found.NOTHING:
            return False  # the common case for plain chat: no phrase in order, in C
        if found is Found.PHRASE:
            return True  # a phrase in order: the rest of the screen would pass it too
        text = plain_text(text, self._n.screen_table)
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

    def dismisses_whole(self, text: str) -> bool:
        """Whether the literal scan alone dismisses all of ``text`` (a long message: then none of its windows holds a
        phrase either, since each window's words are a run of the message's words)."""
        return self._literal(text) is Found.NOTHING

    def scan_whole(self, text: str) -> Found:
        """The literal scan of all of ``text`` (see ``dismisses_whole``): ``PHRASE`` also means a key word is there."""
        return self._literal(text)

    def _literal(self, text: str) -> Found:
        """The literal scan (``literal.py``), for text that is plain ASCII once its look-alikes and emoji are folded.

        Folded by the look-alike and emoji table alone, such text is exactly what the full normalisation makes of
        it (its NFKC and mark stripping change nothing in ASCII; other symbols become spaces, see ``ascii_reading``);
        text with any other character is left to the rest of the screen.
        """
        literal = self._base.literal
        if self._rules is not None or literal is None:
            return Found.UNKNOWN
        if not text.isascii():
            reading = ascii_reading(fold_non_ascii(text, self._n.screen_table))
            if reading is None:
                return Found.UNKNOWN
            text = reading
        return literal.scan(text)

    def _screen_all(self, text: str) -> bool:
        """The screen's last step: every reading of ``text`` (folded by ``plain_text``) against every phrase."""
        read = screen_readings(text, self._n.screen_table)
        if read is None:
            return True
        readings, spelled = read
        if spelled and self.spelled_out(readings):
            return True
        return self.candidate(readings)

    def no_key_word(self, plain: str) -> bool:
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

    def spelled_out(self, readings: Sequence[Sequence[str]]) -> bool:
        compact_any = self._base.compact_any
        return compact_any is not None and any(compact_any.search("".join(r)) for r in readings)

    def candidate(self, readings: Sequence[Sequence[str]]) -> bool:
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
