"""One server's own phrases (with AutoMod-style wildcards) and allow-list, stored compactly."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.crisis.index import anchor_of, trie_regex
from bot.domain.crisis.lexicon import CustomPhrase
from bot.domain.crisis.model import Entry, Kind, Severity
from bot.domain.crisis.normalise import Normaliser, phrase_tokens


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
        self.wild_any = re.compile(trie_regex([w.split("|", 4)[3] for w in wild])) if wild else None
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
