"""Measuring the detector on a labelled corpus: recall, precision and false-positive rate, overall and by group."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import InvalidInput

LABELS = ("crisis", "not_crisis")


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    crisis: bool
    severity: str = ""
    category: str = ""


@dataclass
class Counts:
    """Confusion counts for one group."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        """Count one example."""
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        """How many examples."""
        return self.tp + self.fp + self.tn + self.fn

    @property
    def recall(self) -> float | None:
        """Share of crisis texts that raised an alert."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def precision(self) -> float | None:
        """Share of alerts that were crisis texts."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def false_positive_rate(self) -> float | None:
        """Share of non-crisis texts that raised an alert."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else None

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain values."""
        return {
            "n": self.n,
            "recall": self.recall,
            "precision": self.precision,
            "false_positive_rate": self.false_positive_rate,
            "tp": self.tp,
            "fp": self.fp,
            "tn": self.tn,
            "fn": self.fn,
        }


@dataclass
class Report:
    """The evaluation: overall, by category and by severity, plus the misses and false alarms."""

    overall: Counts = field(default_factory=Counts)
    by_category: dict[str, Counts] = field(default_factory=lambda: {})
    by_severity: dict[str, Counts] = field(default_factory=lambda: {})
    misses: list[Example] = field(default_factory=lambda: [])
    false_alarms: list[tuple[Example, str]] = field(default_factory=lambda: [])
    # The same figures counting only cards that ping the moderator role (when the predictor says which do).
    ping: Counts | None = None
    ping_by_category: dict[str, Counts] = field(default_factory=lambda: {})

    def as_dict(self) -> dict[str, Any]:
        """One JSON-ready object; ``recall``, ``precision``, ``false_positive_rate`` and ``n`` at the top (any card),
        and a ``ping`` object with the same figures for pinged cards."""
        out: dict[str, Any] = {
            **self.overall.as_dict(),
            "by_category": {k: v.as_dict() for k, v in sorted(self.by_category.items())},
            "by_severity": {k: v.as_dict() for k, v in sorted(self.by_severity.items())},
        }
        if self.ping is not None:
            out["ping"] = {
                **self.ping.as_dict(),
                "by_category": {k: v.as_dict() for k, v in sorted(self.ping_by_category.items())},
            }
        out["misses"] = [e.text for e in self.misses]
        out["false_alarms"] = [{"text": e.text, "why": why} for e, why in self.false_alarms]
        return out


def read_examples(text: str) -> list[Example]:
    """Parse a CSV with columns ``text,label`` (and optional ``severity``, ``category``)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = set(reader.fieldnames or ())
    if not {"text", "label"} <= fields:
        raise InvalidInput("crisis.eval.error.columns")
    examples: list[Example] = []
    for number, row in enumerate(reader, start=2):
        label = (row.get("label") or "").strip()
        if label not in LABELS:
            raise InvalidInput("crisis.eval.error.label", line=number, label=label)
        examples.append(
            Example(
                text=row.get("text") or "",
                crisis=label == "crisis",
                severity=(row.get("severity") or "").strip(),
                category=(row.get("category") or "").strip(),
            )
        )
    return examples


Prediction = tuple[bool, str] | tuple[bool, str, bool]


def evaluate(examples: Iterable[Example], predict: Callable[[str], Prediction]) -> Report:
    """Run ``predict`` over ``examples``: it returns whether a card is raised and why, and optionally (a third value)
    whether that card pings the moderator role, which fills ``Report.ping``."""
    report = Report()
    for example in examples:
        result = predict(example.text)
        predicted, why = result[0], result[1]
        if len(result) == 3:
            pinged = predicted and result[2]
            report.ping = report.ping or Counts()
            report.ping.add(example.crisis, pinged)
            if example.category:
                report.ping_by_category.setdefault(example.category, Counts()).add(example.crisis, pinged)
        report.overall.add(example.crisis, predicted)
        if example.category:
            report.by_category.setdefault(example.category, Counts()).add(example.crisis, predicted)
        if example.crisis and example.severity:
            report.by_severity.setdefault(example.severity, Counts()).add(example.crisis, predicted)
        if example.crisis and not predicted:
            report.misses.append(example)
        elif predicted and not example.crisis:
            report.false_alarms.append((example, why))
    return report


def format_report(report: Report) -> str:
    """The report as plain text for maintainers."""

    def pct(value: float | None) -> str:
        return "   -  " if value is None else f"{value * 100:5.1f}%"

    def row(name: str, c: Counts) -> str:
        return f"{name:<24} {c.n:>5}  {pct(c.recall)}  {pct(c.precision)}  {pct(c.false_positive_rate)}"

    header = f"{'group':<24} {'n':>5}  recall  precision  false-positive rate"
    lines = [header, row("overall (any card)", report.overall)]
    if report.ping is not None:
        lines.append(row("pinged cards", report.ping))
    lines += ["", "by category (any card)"]
    lines += [row(k, v) for k, v in sorted(report.by_category.items())]
    if report.ping is not None and report.ping_by_category:
        lines += ["", "by category (pinged cards)"]
        lines += [row(k, v) for k, v in sorted(report.ping_by_category.items())]
    lines += ["", "by severity (crisis texts)"] + [row(k, v) for k, v in sorted(report.by_severity.items())]
    lines += ["", f"misses ({len(report.misses)})"] + [
        f"  [{e.category or '-'}] {e.text}" for e in report.misses
    ]
    lines += ["", f"false alarms ({len(report.false_alarms)})"]
    lines += [f"  [{e.category or '-'}] {e.text}\n      why: {why}" for e, why in report.false_alarms]
    return "\n".join(lines)
