"""Look-alike characters folded to plain text, from Unicode's data (TR39 confusables and compatibility forms).

The table is generated at development time by ``scripts/build_confusables.py`` into ``bot/data/lookalikes.json``
(sources and licence in ``bot/data/README.md``) and read once, the first time it is needed, like a constant: it is
shipped with the code and never changes while the bot runs.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def lookalike_fold() -> dict[str, str]:
    """Each folded character and what it folds to (``""`` for marks and invisible characters)."""
    text = resources.files("bot").joinpath("data", "lookalikes.json").read_text(encoding="utf-8")
    groups: dict[str, str] = json.loads(text)["fold"]
    return {char: target for target, chars in groups.items() for char in chars}


@cache
def lookalike_table() -> dict[int, str | None]:
    """The fold as a ``str.translate`` table."""
    return {ord(char): (target or None) for char, target in lookalike_fold().items()}
