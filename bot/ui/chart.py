"""A small PNG line chart for mood history, drawn in pure Python (no plotting library to install).

Daily moods are dots (missed days stay empty: gaps, not zeros) and the 7-day average is a line.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

WIDTH, HEIGHT = 800, 300
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 16, 28
BACKGROUND = (255, 255, 255)
GRID = (225, 229, 236)
AXIS = (150, 156, 166)
DOT = (91, 141, 239)
AVERAGE = (59, 165, 93)


class Canvas:
    """An RGB raster with the few drawing operations the chart needs."""

    def __init__(self, width: int, height: int, colour: tuple[int, int, int]) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(colour) * (width * height))

    def dot(self, x: int, y: int, colour: tuple[int, int, int], radius: int = 1) -> None:
        """A filled square of side 2*radius+1 (reads as a dot at this size)."""
        for yy in range(max(0, y - radius), min(self.height, y + radius + 1)):
            start = (yy * self.width + max(0, x - radius)) * 3
            end = (yy * self.width + min(self.width - 1, x + radius)) * 3 + 3
            self.pixels[start:end] = bytes(colour) * ((end - start) // 3)

    def hline(self, x0: int, x1: int, y: int, colour: tuple[int, int, int]) -> None:
        """A horizontal line."""
        if 0 <= y < self.height:
            start, end = (y * self.width + max(0, x0)) * 3, (y * self.width + min(self.width - 1, x1)) * 3 + 3
            self.pixels[start:end] = bytes(colour) * ((end - start) // 3)

    def line(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        """A 2-pixel line (Bresenham)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.dot(x0, y0, colour, radius=1)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def png(self) -> bytes:
        """The canvas as PNG bytes."""
        row = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[y * row : (y + 1) * row]) for y in range(self.height))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + kind
                + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
            )

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b"")
        )


def mood_chart(daily: Sequence[float | None], rolling: Sequence[float | None]) -> bytes:
    """A chart of daily moods (1-5) and their 7-day average, as PNG bytes."""
    canvas = Canvas(WIDTH, HEIGHT, BACKGROUND)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(mood: float) -> int:
        return TOP + round((5 - mood) / 4 * plot_h)

    def x_of(i: int) -> int:
        return LEFT + (round(i * plot_w / (len(daily) - 1)) if len(daily) > 1 else plot_w // 2)

    for mood in range(1, 6):
        canvas.hline(LEFT, WIDTH - RIGHT, y_of(mood), GRID)
    canvas.hline(LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM + 1, AXIS)
    for mood in range(1, 6):  # tick marks on the left, one per mood step
        canvas.hline(LEFT - 8, LEFT - 2, y_of(mood), AXIS)
    previous: tuple[int, int] | None = None
    for i, value in enumerate(rolling):
        if value is None:
            previous = None
            continue
        point = (x_of(i), y_of(value))
        if previous is not None:
            canvas.line(*previous, *point, AVERAGE)
        previous = point
    radius = 3 if len(daily) <= 31 else 2 if len(daily) <= 120 else 1
    for i, value in enumerate(daily):
        if value is not None:
            canvas.dot(x_of(i), y_of(value), DOT, radius=radius)
    return canvas.png()
