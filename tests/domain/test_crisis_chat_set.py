"""The chat-style labelled set (tests/data/chat_tuning.csv + chat_heldout.csv): its split, its coverage, and the
detector's figures on it (a regression guard, not a timing test). How it was made: tests/data/README.md."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from bot.domain.alerts import should_ping
from bot.domain.crisis import Detector
from bot.domain.crisis_eval import Counts
from bot.services.crisis import load_lexicon

DATA = Path(__file__).resolve().parents[1] / "data"
DETECTOR = Detector(load_lexicon())
CRISIS_CATEGORIES = {
    "explicit_ideation",
    "passive_ideation",
    "preparation_goodbye",
    "giving_away",
    "burden",
    "hopeless_time",
    "means_place",
    "self_harm",
    "typos",
    "algospeak",
    "concern",
}
HARD_NEGATIVES = {
    "hyperbole",
    "gaming",
    "negation",
    "recovery",
    "lyrics",
    "kys_others",
    "news",
    "jokes",
    "helpers",
}


def _rows(part: str) -> list[dict[str, str]]:
    with (DATA / f"chat_{part}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _held_out(text: str) -> bool:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 10 < 3


def test_the_set_is_split_once_by_a_hash_of_the_text() -> None:
    tuning, heldout = _rows("tuning"), _rows("heldout")

    assert len(tuning) + len(heldout) >= 1500
    assert not any(_held_out(r["text"]) for r in tuning)
    assert all(_held_out(r["text"]) for r in heldout)
    assert not {r["text"] for r in tuning} & {r["text"] for r in heldout}


@pytest.mark.parametrize("part", ["tuning", "heldout"])
def test_every_category_is_in_both_parts(part: str) -> None:
    rows = _rows(part)
    crisis = {r["category"] for r in rows if r["label"] == "crisis"}
    negatives = {r["category"] for r in rows if r["label"] == "not_crisis"}

    assert crisis >= CRISIS_CATEGORIES
    assert negatives >= HARD_NEGATIVES


def _figures(rows: list[dict[str, str]]) -> tuple[Counts, Counts]:
    card, ping = Counts(), Counts()
    for row in rows:
        detection = DETECTOR.detect(row["text"])
        pinged = detection.is_crisis and detection.severity is not None and should_ping(detection.severity)
        card.add(row["label"] == "crisis", detection.is_crisis)
        ping.add(row["label"] == "crisis", pinged)
    return card, ping


def test_frozen_held_out_figures_do_not_regress() -> None:
    """The figures the README states (docs/CRISIS.md): recall for any card at least 0.80, at most 10% false alarms
    on the hard negatives for any card and at most 5% for cards that ping."""
    rows = _rows("heldout")
    card, _ = _figures(rows)
    hard, hard_ping = _figures(
        [r for r in rows if r["label"] == "not_crisis" and r["category"] != "everyday"]
    )

    assert card.recall is not None and card.recall >= 0.80
    assert hard.false_positive_rate is not None and hard.false_positive_rate <= 0.10
    assert hard_ping.false_positive_rate is not None and hard_ping.false_positive_rate <= 0.05


def test_tuning_figures_do_not_regress() -> None:
    card, ping = _figures(_rows("tuning"))

    assert card.recall is not None and card.recall >= 0.97
    assert card.false_positive_rate is not None and card.false_positive_rate <= 0.04
    assert ping.false_positive_rate is not None and ping.false_positive_rate <= 0.02
