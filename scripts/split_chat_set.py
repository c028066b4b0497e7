"""Split Haven's labelled chat lines ONCE into a tuning part and a frozen held-out part, by a hash of the text.

    python scripts/split_chat_set.py SOURCE.csv [MORE.csv ...]     # write tests/data/chat_{tuning,heldout}.csv
    python scripts/split_chat_set.py --check                        # verify the two files are split by the rule

A line goes to the held-out part when ``int(sha256(text).hexdigest(), 16) % 10 < 3`` (about 30%). The rule depends
only on the text, so adding lines later never moves an existing line from one part to the other, and re-running the
script on the two files themselves reproduces them. The held-out part is never read while tuning the detector (see
tests/data/README.md).
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
TUNING = DATA / "chat_tuning.csv"
HELDOUT = DATA / "chat_heldout.csv"
COLUMNS: list[str] = ["text", "label", "category"]
HELD_OUT_TENTHS = 3


def held_out(text: str) -> bool:
    """Whether ``text`` belongs to the frozen held-out part."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 10 < HELD_OUT_TENTHS


def read(path: Path) -> list[dict[str, str]]:
    """The rows of a labelled CSV (``text,label,category``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [{c: (row.get(c) or "").strip() for c in COLUMNS} for row in csv.DictReader(handle)]


def write(path: Path, rows: list[dict[str, str]]) -> None:
    """Write rows sorted by label, category and text (stable diffs)."""
    rows = sorted(rows, key=lambda r: (r["label"], r["category"], r["text"]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def split(sources: list[Path]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Every distinct text once, in the part its hash names."""
    seen: dict[str, dict[str, str]] = {}
    for source in sources:
        for row in read(source):
            if row["text"] and row["label"] in ("crisis", "not_crisis"):
                seen.setdefault(row["text"], row)
    rows = list(seen.values())
    return [r for r in rows if not held_out(r["text"])], [r for r in rows if held_out(r["text"])]


def check() -> int:
    """0 when both files exist, share no text, and every line sits in the part the rule names."""
    tuning, heldout = read(TUNING), read(HELDOUT)
    wrong = [r["text"] for r in tuning if held_out(r["text"])] + [
        r["text"] for r in heldout if not held_out(r["text"])
    ]
    shared = {r["text"] for r in tuning} & {r["text"] for r in heldout}
    print(f"tuning {len(tuning)}, held-out {len(heldout)}, misplaced {len(wrong)}, in both {len(shared)}")
    return 1 if wrong or shared else 0


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        return check()
    if not argv:
        print(__doc__)
        return 2
    tuning, heldout = split([Path(a) for a in argv])
    write(TUNING, tuning)
    write(HELDOUT, heldout)
    print(f"tuning {len(tuning)}, held-out {len(heldout)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
