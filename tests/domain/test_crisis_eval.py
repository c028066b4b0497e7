"""crisis_eval: figures for any card, and for pinged cards when the predictor says which cards ping."""

from __future__ import annotations

from bot.domain.crisis_eval import Example, evaluate, format_report

EXAMPLES = [
    Example("a", crisis=True, category="x"),
    Example("b", crisis=True, category="x"),
    Example("c", crisis=False, category="y"),
    Example("d", crisis=False, category="y"),
]


def test_without_ping_information_there_is_no_ping_object() -> None:
    report = evaluate(EXAMPLES, lambda text: (text in "ac", ""))

    assert report.ping is None and "ping" not in report.as_dict()
    assert (report.overall.recall, report.overall.false_positive_rate) == (0.5, 0.5)


def test_pinged_cards_are_counted_apart_and_a_ping_needs_a_card() -> None:
    cards = {"a": (True, True), "b": (True, False), "c": (True, False), "d": (False, True)}

    report = evaluate(EXAMPLES, lambda text: (cards[text][0], "", cards[text][1]))

    assert (report.overall.recall, report.overall.false_positive_rate) == (1.0, 0.5)
    assert report.ping is not None
    assert (report.ping.tp, report.ping.fn, report.ping.fp, report.ping.tn) == (1, 1, 0, 2)  # "d" has no card
    data = report.as_dict()
    assert data["ping"]["recall"] == 0.5 and data["ping"]["false_positive_rate"] == 0.0
    assert data["ping"]["by_category"]["y"]["fp"] == 0
    assert "pinged cards" in format_report(report)
