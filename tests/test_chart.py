"""The mood chart is a valid PNG whatever the history looks like."""

from __future__ import annotations

import struct
import zlib

import pytest

from bot.ui.chart import HEIGHT, WIDTH, mood_chart


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
