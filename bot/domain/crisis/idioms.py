"""What an idiom pattern can't match without: a cheap substring test that skips most of the idiom regexes.

The context rules look for about two dozen idiom and hyperbole patterns around a matched phrase. Each pattern needs
at least one of a few literal strings to match at all ("kill", "dying", "to death"); testing those with ``in`` first
is exact (a pattern whose strings are all absent can't match) and much cheaper than running the regex.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, cast

# The standard library's own regex parser (``re._parser``; ``sre_parse`` before Python 3.11).
_p = cast(Any, importlib.import_module("re._parser"))
_c = cast(Any, importlib.import_module("re._constants"))

Needs = frozenset[str] | None  # at least one of these strings is in every match (``None``: no such set known)


def idiom_needs(pattern: str) -> Needs:
    """Strings of which every match of ``pattern`` contains at least one (``None`` when none can be told)."""
    try:
        parsed: Any = _p.parse(pattern)
    except re.error:
        return None
    return _sequence_needs(cast(list[tuple[Any, Any]], list(parsed)))


def _sequence_needs(items: list[tuple[Any, Any]]) -> Needs:
    """The most selective requirement of a sequence: its longest literal run, or a group's or branch's needs."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        close_run()
        needs = _item_needs(op, arg)
        if needs is not None:
            candidates.append(needs)
    close_run()
    if not candidates:
        return None
    return max(candidates, key=lambda needs: min(len(s) for s in needs))


def _item_needs(op: Any, arg: Any) -> Needs:
    if op is _c.SUBPATTERN:
        return _sequence_needs(list(arg[-1]))
    if op is _c.BRANCH:
        alternatives = [_sequence_needs(list(alt)) for alt in arg[1]]
        if any(a is None for a in alternatives):
            return None
        return frozenset[str]().union(*(a for a in alternatives if a is not None))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
        return _sequence_needs(list(arg[2]))
    return None


class IdiomFilter:
    """Which idiom patterns can match a text, from their ``Needs``, in one pass: the same answer as testing each
    pattern's strings with ``in`` (an Aho-Corasick automaton reports every occurrence, overlapping ones too)."""

    __slots__ = ("_always", "_automaton", "_needs")

    def __init__(self, needs: tuple[Needs, ...]) -> None:
        self._needs = needs
        self._always = frozenset(i for i, need in enumerate(needs) if need is None or "" in need)
        by_string: dict[str, set[int]] = {}
        for i, need in enumerate(needs):
            if i not in self._always and need is not None:
                for s in need:
                    by_string.setdefault(s, set()).add(i)
        self._automaton: Any = None
        try:
            module: Any = importlib.import_module("ahocorasick")
        except ImportError:  # pragma: no cover - a dependency; without it each string is tested with "in"
            return
        if by_string:
            automaton = module.Automaton()
            for s, indices in by_string.items():
                automaton.add_word(s, frozenset(indices))
            automaton.make_automaton()
            self._automaton = automaton

    def possible(self, text: str) -> list[int]:
        """The indices (in order) of the patterns whose needed strings ``text`` holds, or that need none known."""
        automaton = self._automaton
        if automaton is None:
            return [i for i, need in enumerate(self._needs) if need is None or any(s in text for s in need)]
        found = set(self._always)
        for _, indices in automaton.iter(text):
            found |= indices
        return sorted(found)
