"""The words around the mood chart: its title, axis labels and legend, and the same chart in words for screen readers."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from bot.domain.checkins import Mood, Summary, best_and_hardest
from bot.ui.chart import ChartText


class Text(Protocol):
    """The member's catalog: ``t(key, **params)``."""

    def __call__(self, key: str, /, **params: Any) -> str: ...


def day_label(t: Text, day: date) -> str:
    """ "3 Nov 2026", with the catalog's month names (ISO dates if the catalog has no twelve)."""
    months = t("checkin.chart.months").split()
    return f"{day.day} {months[day.month - 1]} {day.year}" if len(months) == 12 else day.isoformat()


def chart_text(t: Text, summary: Summary) -> ChartText:
    """Every word drawn on the chart, in the member's language."""
    moods = [t(f"checkin.mood.{m}") for m in range(1, 6)]
    return ChartText(
        title=t(
            "checkin.chart.title", start=day_label(t, summary.days[0]), end=day_label(t, summary.days[-1])
        ),
        moods=(moods[0], moods[1], moods[2], moods[3], moods[4]),
        daily=t("checkin.chart.daily"),
        average=t("checkin.chart.average"),
        months=tuple(t("checkin.chart.months").split()),
    )


def alt_text(t: Text, summary: Summary, average: str, word: str, trend: str) -> str:
    """The chart in words, for screen readers: the range, the average, the trend, the best and hardest day."""
    extremes = best_and_hardest(summary)
    assert extremes is not None  # only called with check-ins
    (best_day, best), (hard_day, hard) = extremes
    return t(
        "checkin.chart.alt",
        start=day_label(t, summary.days[0]),
        end=day_label(t, summary.days[-1]),
        average=average,
        word=word,
        trend=trend,
        best_day=day_label(t, best_day),
        best=t(f"checkin.mood.{Mood(round(best)).value}"),
        hard_day=day_label(t, hard_day),
        hard=t(f"checkin.mood.{Mood(round(hard)).value}"),
    )
