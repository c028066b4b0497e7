"""Detector quality on the labelled corpora under tests/data (a regression guard, not a timing test).

`crisis_corpus.csv` was used to tune the lexicon. `crisis_holdout.csv` was written separately without seeing the
lexicon, then also used for tuning after its first measurement. `crisis_holdout2.csv` was written last and was round
one's honest estimate; round two read its false alarms, so the honest estimate is now the frozen held-out part of
the chat set (tests/domain/test_crisis_chat_set.py). docs/CRISIS.md records the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.crisis import Detector
from bot.domain.crisis_eval import Report, evaluate, read_examples
from bot.services.crisis import load_lexicon

DATA = Path(__file__).resolve().parents[1] / "data"
DETECTOR = Detector(load_lexicon())


def _report(name: str) -> Report:
    examples = read_examples((DATA / name).read_text(encoding="utf-8"))
    return evaluate(examples, lambda text: (DETECTOR.detect(text).is_crisis, ""))


@pytest.mark.parametrize(
    ("corpus", "min_recall", "min_precision", "max_fpr"),
    [
        ("crisis_corpus.csv", 0.97, 0.97, 0.03),
        ("crisis_holdout.csv", 0.85, 0.95, 0.03),
        ("crisis_holdout2.csv", 0.65, 0.88, 0.08),
    ],
)
def test_detector_quality_does_not_regress(
    corpus: str, min_recall: float, min_precision: float, max_fpr: float
) -> None:
    overall = _report(corpus).overall

    assert overall.recall is not None and overall.recall >= min_recall
    assert overall.precision is not None and overall.precision >= min_precision
    assert overall.false_positive_rate is not None and overall.false_positive_rate <= max_fpr


def test_every_rule_category_is_in_the_corpus() -> None:
    categories = {e.category for e in read_examples((DATA / "crisis_corpus.csv").read_text(encoding="utf-8"))}

    assert {
        "active_ideation",
        "passive_ideation",
        "plan_means",
        "preparation_goodbye",
        "self_harm",
        "algospeak",
        "obfuscated",
        "emoji",
        "third_person_concern",
        "negation",
        "hyperbole_idiom",
        "gaming",
        "lyrics_quotes",
        "past_recovery",
        "harassment",
        "everyday",
    } <= categories
