"""The mood chart is a valid PNG whatever the history looks like, with its labels, dots and line drawn."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date

import pytest
from PIL import Image

from bot.ui.chart import AVERAGE, BOTTOM, CARD, DOT, HEIGHT, LEFT, TOP, WIDTH, ChartText, mood_chart


@pytest.mark.parametrize(
    ("daily", "rolling"),
    [([], []), ([3.0], [3.0]), ([None] * 30, [None] * 30), ([1.0, None, 5.0] * 122, [3.0] * 366)],
)
def test_chart_is_a_valid_png(daily: list[float | None], rolling: list[float | None]) -> None:
    png = mood_chart(daily or [None], rolling or [None])

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (WIDTH, HEIGHT)
    idat = png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8]
    assert len(zlib.decompress(idat)) == HEIGHT * (WIDTH * 3 + 1)


TEXT = ChartText(
    "Your mood, 3 Dec 2025 to 2 Dec 2026",
    ("Awful", "Low", "Okay", "Good", "Great"),
    "Daily mood",
    "7-day average",
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
)


def _pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def test_a_year_chart_has_labels_dots_and_the_average_line() -> None:
    daily = [None if i % 5 == 0 else float(1 + i % 5) for i in range(365)]
    rolling = [3.0 if i % 40 else None for i in range(365)]

    image = _pixels(mood_chart(daily, rolling, date(2025, 12, 3), TEXT))

    assert image.size == (WIDTH, HEIGHT)
    colours = {colour for _, colour in image.getcolors(maxcolors=WIDTH * HEIGHT) or []}
    assert {CARD, DOT, AVERAGE} <= colours  # the card, the dots and the line are all there
    assert len(colours) > 20  # anti-aliased text: many shades, not a blank picture
    # Text pixels: the mood names in the left margin and the dates under the axis are drawn.
    left_margin = image.crop((0, TOP, LEFT - 12, HEIGHT - BOTTOM))
    under_axis = image.crop((LEFT, HEIGHT - BOTTOM + 6, WIDTH, HEIGHT - 30))
    for area in (left_margin, under_axis):
        assert area.getcolors(maxcolors=10_000) is not None
        assert len({c for _, c in area.getcolors(maxcolors=10_000) or []}) > 5


def test_an_empty_period_draws_just_the_frame() -> None:
    image = _pixels(mood_chart([None] * 30, [None] * 30, date(2026, 11, 3), TEXT))

    plot = image.crop((LEFT + 1, TOP, WIDTH, HEIGHT - BOTTOM))
    colours = {colour for _, colour in plot.getcolors(maxcolors=WIDTH * HEIGHT) or []}
    assert CARD in colours and AVERAGE not in colours and DOT not in colours  # no zeros drawn for missed days
