"""Build ``bot/data/lookalikes.json``: the fold from look-alike characters to plain letters the crisis detector uses.

Run at development time, never by the bot:

    .venv/bin/python scripts/build_confusables.py PATH/TO/confusables.txt

``confusables.txt`` is Unicode's TR39 data (https://www.unicode.org/Public/security/latest/confusables.txt, or
``unicodetools/data/security/<version>/confusables.txt`` in github.com/unicode-org/unicodetools), under the Unicode
License v3 (see ``bot/data/README.md``). For every character outside ASCII the fold is, in order:

1. Unicode compatibility (NFKC, from Python's ``unicodedata``), then accents and other marks removed, then case
   folded: full-width, circled, parenthesised and mathematical letters, ligatures, accented letters. Kept when the
   result is plain ASCII (letters, digits, or punctuation such as a full-width ``!``, which stays leetspeak).
2. Otherwise TR39's confusable prototype, resolved until it is plain (for example Cyrillic ``т`` to small-capital
   ``ᴛ`` to ``t``), for letters only (categories L*): Cyrillic, Greek, Armenian, Cherokee and other look-alikes.
3. Otherwise a character whose Unicode name is ``LATIN LETTER SMALL CAPITAL X`` or ``NEGATIVE CIRCLED LATIN CAPITAL
   LETTER X`` (and the like) folds to ``x``: TR39 leaves most small capitals out because they are not confusable with
   a *lower-case* letter, but "ᴋɪʟʟ" is still "kill". Parenthesised letters lose their brackets.
4. Otherwise the short supplement below: letters that "fancy text" generators use for Latin ones although Unicode
   does not call them confusable (each was in Haven's earlier hand list, or is named in issue #14).

Combining marks and invisible characters fold to nothing. Characters that fold to themselves or to something that
is not plain are left out. The output groups characters by what they fold to, which keeps the file small.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "bot" / "data" / "lookalikes.json"

# Letters styled as Latin by fancy-text generators that TR39 maps elsewhere or not at all (Greek, Cyrillic).
SUPPLEMENT = {
    "ε": "e",
    "ω": "w",
    "χ": "x",
    "ς": "s",
    "β": "b",
    "δ": "d",
    "λ": "l",
    "γ": "y",
    "η": "n",
    "κ": "k",
    "ν": "n",
    "τ": "t",
    "м": "m",
    "к": "k",
    "н": "n",
    "в": "b",
    "т": "t",
    "є": "e",
    "ц": "u",
    "я": "r",
    "ш": "w",
    "ᴍ": "m",
    "ᴋ": "k",
    "ĸ": "k",
    "ғ": "f",
    "ɾ": "r",
    "ʀ": "r",
}
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u034f"


def read_confusables(path: Path) -> dict[str, str]:
    """Single-character sources mapped to their prototype (``source ; target ; type # comment`` lines)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = "".join(chr(int(h, 16)) for h in fields[0].split())
        target = "".join(chr(int(h, 16)) for h in fields[1].split())
        if len(source) == 1:
            out[source] = target
    return out


def plain(text: str) -> str:
    """NFKC, marks removed, case folded."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def by_name(char: str) -> str | None:
    """``x`` for a character named ``LATIN LETTER SMALL CAPITAL X`` or ``NEGATIVE CIRCLED LATIN CAPITAL LETTER X``."""
    name = unicodedata.name(char, "")
    last = name.rsplit(" ", 1)[-1]
    if len(last) == 1 and (
        name.startswith("LATIN LETTER SMALL CAPITAL ")
        or (unicodedata.category(char) == "So" and " LATIN CAPITAL LETTER " in f" {name}")
    ):
        return last.lower()
    return None


def unwrap(text: str) -> str:
    """``(a)`` to ``a``: NFKC spells parenthesised letters with their brackets."""
    return (
        text[1:-1] if len(text) > 2 and text[0] == "(" and text[-1] == ")" and text[1:-1].isalnum() else text
    )


def resolve(char: str, confusables: dict[str, str]) -> str | None:
    """What ``char`` folds to, or ``None`` when it stays as it is."""
    if char in INVISIBLE or unicodedata.combining(char):
        return ""
    first = unwrap(plain(char))
    if first.isascii() and first.strip() and first != char:
        return first
    named = by_name(char)
    if named is not None:
        return named
    if not unicodedata.category(char).startswith("L"):
        return None
    text = char
    for _ in range(4):
        text = "".join(confusables.get(c) or by_name(c) or c if not c.isascii() else c for c in plain(text))
        text = plain(text)
        if text.isascii():
            return text if text.isalpha() else None
    return SUPPLEMENT.get(char)


def build(confusables: dict[str, str]) -> dict[str, str]:
    fold: dict[str, str] = {}
    for code in range(0x80, 0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        folded = SUPPLEMENT.get(char) if char in SUPPLEMENT else resolve(char, confusables)
        if folded is not None and folded != char:
            fold[char] = folded
    return fold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build bot/data/lookalikes.json from Unicode confusables.txt"
    )
    parser.add_argument("confusables", type=Path, help="Unicode's confusables.txt (TR39)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = args.confusables.read_text(encoding="utf-8-sig")
    version = next(
        (ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("# Version:")), "?"
    )
    fold = build(read_confusables(args.confusables))
    grouped: dict[str, str] = {}
    for char, target in sorted(fold.items()):
        grouped[target] = grouped.get(target, "") + char
    data = {
        "about": "Look-alike characters folded to plain text for the crisis detector; see bot/data/README.md.",
        "generated_by": "scripts/build_confusables.py",
        "confusables_version": version,
        "unicodedata_version": unicodedata.unidata_version,
        "characters": len(fold),
        "fold": dict(sorted(grouped.items())),
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(fold):,} characters folded (confusables {version}) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
