"""Detector quality in one table: the team's chat set (tuning and frozen held-out), everyday chat, public corpora.

    .venv/bin/python bench/crisis_quality.py [--corpora DIR] [--json]

For each set: recall, precision and false-alarm rate counting any crisis card (self or concern, moderate and above),
and the same counting only cards that ping the moderator role (high and imminent). On the chat set, false alarms are
also given on its hard negatives (every `not_crisis` category except `everyday`).

Without ``--corpora`` only files in the repository are read (``tests/data``, ``bench/data``). With ``--corpora DIR``
every ``*.csv`` in DIR with columns ``text,label,source`` (``label`` ``crisis`` or ``not_crisis``) is measured too,
one row per ``source``: for example the public corpora (Reddit C-SSRS posts, 54,000 GoEmotions comments, the Suicide
Risk Lexicon's phrases). Those files are not vendored; nothing of their text is printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.alerts import should_ping
from bot.domain.crisis import Detector
from bot.domain.crisis_eval import Counts
from bot.services.crisis import load_lexicon

ROOT = Path(__file__).resolve().parents[1]
csv.field_size_limit(1 << 24)


@dataclass
class Figures:
    """Any card and pinged cards for one set of texts."""

    name: str
    card: Counts = field(default_factory=Counts)
    ping: Counts = field(default_factory=Counts)

    def row(self) -> dict[str, Any]:
        def pct(v: float | None) -> float | None:
            return None if v is None else round(v * 100, 1)

        return {
            "set": self.name,
            "n": self.card.n,
            "crisis": self.card.tp + self.card.fn,
            "recall": pct(self.card.recall),
            "precision": pct(self.card.precision),
            "false_alarms": pct(self.card.false_positive_rate),
            "ping_recall": pct(self.ping.recall),
            "ping_precision": pct(self.ping.precision),
            "ping_false_alarms": pct(self.ping.false_positive_rate),
        }


def measure(detector: Detector, rows: Iterable[tuple[str, bool]], name: str) -> Figures:
    """Run the detector over ``(text, is_crisis)`` rows."""
    figures = Figures(name)
    for text, truth in rows:
        detection = detector.detect(text)
        card = detection.is_crisis
        ping = card and detection.severity is not None and should_ping(detection.severity)
        figures.card.add(truth, card)
        figures.ping.add(truth, ping)
    return figures


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _truth(label: str) -> bool:
    return label.strip().lower() in ("crisis", "yes")


def chat_sets(detector: Detector) -> list[Figures]:
    """The team's chat set: each part whole, its hard negatives alone, and everyday chat."""
    out: list[Figures] = []
    for part in ("tuning", "heldout"):
        rows = _read(ROOT / "tests" / "data" / f"chat_{part}.csv")
        out.append(measure(detector, ((r["text"], _truth(r["label"])) for r in rows), f"chat {part}"))
        hard = [(r["text"], False) for r in rows if not _truth(r["label"]) and r["category"] != "everyday"]
        out.append(measure(detector, hard, f"chat {part}: hard negatives"))
    goemotions = _read(ROOT / "bench" / "data" / "goemotions_sample.csv")
    out.append(
        measure(detector, ((r["text"], False) for r in goemotions), "everyday chat (GoEmotions 8,000)")
    )
    cssrs = _read(ROOT / "bench" / "data" / "cssrs_posts_sample.csv")
    out.append(
        measure(detector, ((r["text"], _truth(r["label"])) for r in cssrs), "C-SSRS posts (600 sample)")
    )
    return out


def corpora(detector: Detector, folder: Path) -> list[Figures]:
    """One row per ``source`` of every CSV in ``folder``."""
    by_source: dict[str, list[tuple[str, bool]]] = {}
    for path in sorted(folder.glob("*.csv")):
        for row in _read(path):
            by_source.setdefault(row.get("source") or path.stem, []).append(
                (row["text"], _truth(row["label"]))
            )
    return [measure(detector, rows, f"corpus {source}") for source, rows in sorted(by_source.items())]


def table(rows: list[dict[str, Any]]) -> str:
    """A markdown table."""

    def cell(v: Any) -> str:
        return "-" if v is None else f"{v:,}" if isinstance(v, int) else str(v)

    head = "| set | n | crisis | recall % | precision % | false alarms % | ping recall % | ping precision % | ping false alarms % |"
    lines = [head, "|---" + "|---:" * 8 + "|"]
    lines += ["| " + " | ".join(cell(v) for v in r.values()) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpora", type=Path, help="folder of public labelled CSVs (text,label,source)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    detector = Detector(load_lexicon())
    figures = chat_sets(detector)
    if args.corpora is not None:
        figures += corpora(detector, args.corpora)
    rows = [f.row() for f in figures]
    print(json.dumps(rows, indent=2) if args.json else table(rows))


if __name__ == "__main__":
    main()
