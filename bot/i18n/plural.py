"""Plural categories (CLDR) for the catalog languages, so a message reads "1 pairing" and "2 pairings".

A catalog gives plural forms as sibling keys: ``buddy.admin.ran.one``, ``buddy.admin.ran.other`` (and ``.many`` where a
language has it). Code asks for ``buddy.admin.ran`` with a ``count`` parameter; the form follows the count in the
member's language. ``other`` is always the fallback.

Rules, from CLDR's plural rules for cardinal numbers (https://cldr.unicode.org/, "Language Plural Rules"):
- English, German (and the fallback for languages without a rule here): ``one`` for exactly 1, else ``other``.
- Spanish: ``one`` for exactly 1; ``many`` for whole millions (1,000,000, 2,000,000: "de millones"); else ``other``.
"""

from __future__ import annotations

PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


def _english(n: float) -> str:
    return "one" if n == 1 else "other"


def _spanish(n: float) -> str:
    if n == 1:
        return "one"
    if n != 0 and float(n).is_integer() and int(n) % 1_000_000 == 0:
        return "many"
    return "other"


RULES = {"en": _english, "de": _english, "es": _spanish}


def plural_category(locale: str, count: float) -> str:
    """The CLDR plural category of ``count`` in ``locale`` ("en", "es-ES", "de")."""
    rule = RULES.get(locale.split("-", 1)[0], _english)
    return rule(abs(count))


def plural_base(key: str) -> str | None:
    """``buddy.admin.ran`` for ``buddy.admin.ran.one``; None for a key that isn't a plural form."""
    base, _, form = key.rpartition(".")
    return base if base and form in PLURAL_FORMS else None
