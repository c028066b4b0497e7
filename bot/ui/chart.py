"""The mood chart, drawn with Pillow: dates along the bottom, mood names up the side, daily dots, a 7-day average
line with gaps for missed days, and a title with the date range.

The chart sits on its own dark card, so it reads the same in Discord's dark and light themes. Every word on it comes
from the caller (the message catalogs), so it can be drawn in any language. Drawing a year takes a few milliseconds;
the cog still runs it in a worker thread so the event loop never waits on it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 900, 420
LEFT, RIGHT, TOP, BOTTOM = 96, 40, 64, 62
CARD = (35, 39, 52)  # its own card: not the page colour of either Discord theme
GRID = (66, 72, 90)
AXIS = (140, 148, 168)
TEXT = (236, 238, 244)
MUTED = (178, 184, 200)
DOT = (120, 170, 255)
AVERAGE = (255, 196, 92)
Scale = Callable[[float], int]


@dataclass(frozen=True)
class ChartText:
    """The words on the chart, from the member's catalog."""

    title: str  # e.g. "Your mood, 3 Nov 2026 to 2 Dec 2026"
    moods: tuple[str, str, str, str, str]  # names for 1 (worst) to 5 (best)
    daily: str  # legend for the dots
    average: str  # legend for the line
    months: tuple[str, ...]  # twelve short month names


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's own scalable font (Pillow >= 10.1): nothing to download or install."""
    return ImageFont.load_default(size=size)


def _day_label(day: date, months: Sequence[str]) -> str:
    return f"{day.day} {months[day.month - 1]}" if len(months) == 12 else day.isoformat()


def _tick_indexes(count: int, max_ticks: int = 7) -> list[int]:
    """Evenly spread positions for date labels, always the first and the last day."""
    if count <= 1:
        return [0]
    steps = min(max_ticks - 1, count - 1)
    return sorted({round(i * (count - 1) / steps) for i in range(steps + 1)})


def mood_chart(
    daily: Sequence[float | None],
    rolling: Sequence[float | None],
    first_day: date | None = None,
    text: ChartText | None = None,
) -> bytes:
    """A chart of daily moods (1-5) and their 7-day average, as PNG bytes. ``first_day`` is the date of
    ``daily[0]``; without it (or ``text``) the axes are labelled with numbers and ISO dates."""
    words = text or ChartText("Mood", ("1", "2", "3", "4", "5"), "Daily mood", "7-day average", ())
    start = first_day or date(2000, 1, 1)
    count = max(len(daily), 1)
    image = Image.new("RGB", (WIDTH, HEIGHT), CARD)
    draw = ImageDraw.Draw(image)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(mood: float) -> int:
        return TOP + round((5 - mood) / 4 * plot_h)

    def x_of(i: int) -> int:
        return LEFT + (round(i * plot_w / (count - 1)) if count > 1 else plot_w // 2)

    _frame(draw, words, y_of)
    for i in _tick_indexes(count if first_day else len(daily)):
        x = x_of(i)
        draw.line([(x, HEIGHT - BOTTOM), (x, HEIGHT - BOTTOM + 5)], fill=AXIS, width=1)
        label = _day_label(start + timedelta(days=i), words.months) if first_day else str(i + 1)
        draw.text((x, HEIGHT - BOTTOM + 8), label, fill=MUTED, font=_font(14), anchor="ma")
    _average_line(draw, rolling, x_of, y_of)
    radius = 5 if count <= 31 else 4 if count <= 120 else 2
    for i, value in enumerate(daily):
        if value is not None:
            x, y = x_of(i), y_of(value)
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=DOT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _frame(draw: ImageDraw.ImageDraw, words: ChartText, y_of: Scale) -> None:
    """Title, legend, grid lines with the mood names, and the axes."""
    draw.text((LEFT, 18), words.title, fill=TEXT, font=_font(20))
    legend_y = HEIGHT - 20
    draw.ellipse([LEFT, legend_y - 5, LEFT + 10, legend_y + 5], fill=DOT)
    draw.text((LEFT + 16, legend_y), words.daily, fill=MUTED, font=_font(13), anchor="lm")
    offset = LEFT + 40 + round(draw.textlength(words.daily, font=_font(13)))
    draw.line([(offset, legend_y), (offset + 24, legend_y)], fill=AVERAGE, width=3)
    draw.text((offset + 30, legend_y), words.average, fill=MUTED, font=_font(13), anchor="lm")
    for mood in range(1, 6):
        y = y_of(mood)
        draw.line([(LEFT, y), (WIDTH - RIGHT, y)], fill=GRID, width=1)
        draw.text((LEFT - 10, y), words.moods[mood - 1], fill=MUTED, font=_font(14), anchor="rm")
    draw.line([(LEFT, TOP - 6), (LEFT, HEIGHT - BOTTOM)], fill=AXIS, width=1)
    draw.line([(LEFT, HEIGHT - BOTTOM), (WIDTH - RIGHT, HEIGHT - BOTTOM)], fill=AXIS, width=1)


def _average_line(
    draw: ImageDraw.ImageDraw, rolling: Sequence[float | None], x_of: Callable[[int], int], y_of: Scale
) -> None:
    """The 7-day average as connected runs: a day without an average breaks the line (a gap, not a zero)."""
    run: list[tuple[int, int]] = []
    for i, value in enumerate([*rolling, None]):
        if value is None:
            if len(run) > 1:
                draw.line(run, fill=AVERAGE, width=3, joint="curve")
            elif len(run) == 1:
                x, y = run[0]
                draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=AVERAGE)
            run = []
            continue
        run.append((x_of(i), y_of(value)))
