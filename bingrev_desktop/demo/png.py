"""Minimal pure-Python PNG encoder and a row-based RGB canvas.

The demo engine must not depend on Qt or Pillow, so images are drawn here.
Every drawing primitive works on whole row slices (``bytearray`` slice
assignment) instead of single pixels, which keeps a 640x480 image well under
0.3 s even in CPython.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence

Color = tuple[int, int, int]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(tag: bytes, data: bytes) -> bytes:
    # The CRC covers the tag and the data, as the PNG spec requires.
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def _ihdr(width: int, height: int) -> bytes:
    # 8-bit depth, colour type 2 (RGB), deflate, adaptive filter, no interlace.
    return _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


def encode_png(width: int, height: int, rows: Sequence[bytes | bytearray]) -> bytes:
    """Encode ``height`` rows of ``width * 3`` RGB bytes as a PNG file."""
    if len(rows) != height or any(len(r) != width * 3 for r in rows):
        raise ValueError("row data does not match the image size")
    # Filter type 0 (None) for each row: flat colour areas compress well anyway.
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return b"".join(
        (
            PNG_SIGNATURE,
            _ihdr(width, height),
            _chunk(b"IDAT", zlib.compress(raw, 6)),
            _chunk(b"IEND", b""),
        )
    )


def bomb_png(claimed_width: int = 40000, claimed_height: int = 40000) -> bytes:
    """A tiny, well-formed PNG whose IHDR claims a gigantic size.

    Only a few rows of pixel data are present, so a decoder that trusts the
    header and allocates ``width * height * 3`` bytes up front is the bug this
    is meant to reveal.  All chunk CRCs are valid.
    """
    few_rows = (b"\x00" + b"\x00" * (claimed_width * 3)) * 4
    return b"".join(
        (
            PNG_SIGNATURE,
            _ihdr(claimed_width, claimed_height),
            _chunk(b"IDAT", zlib.compress(few_rows, 9)),
            _chunk(b"IEND", b""),
        )
    )


def read_png_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) from a PNG's IHDR; raises ValueError otherwise."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def lerp_color(a: Color, b: Color, t: float) -> Color:
    t = min(1.0, max(0.0, t))
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


class Canvas:
    """An RGB image held as one ``bytearray`` per row."""

    def __init__(self, width: int, height: int, fill: Color = (0, 0, 0)) -> None:
        if width < 1 or height < 1:
            raise ValueError("canvas must be at least 1x1")
        self.width = width
        self.height = height
        line = bytes(fill) * width
        self.rows = [bytearray(line) for _ in range(height)]

    def to_png(self) -> bytes:
        return encode_png(self.width, self.height, self.rows)

    def crop(self, x: int, y: int, width: int, height: int) -> None:
        """Keep only the ``width`` x ``height`` window at (x, y)."""
        self.rows = [bytearray(row[x * 3:(x + width) * 3]) for row in self.rows[y:y + height]]
        self.width, self.height = width, height

    def mirror(self) -> None:
        """Flip left to right (slices only: the engine shares its process with tests)."""
        for row in self.rows:
            backwards = row[::-1]  # pixels reversed, but each one's bytes too (B, G, R)
            row[0::3], row[1::3], row[2::3] = backwards[2::3], backwards[1::3], backwards[0::3]

    def vertical_gradient(
        self, top: Color, bottom: Color, y0: int = 0, y1: int | None = None
    ) -> None:
        end = self.height if y1 is None else min(y1, self.height)
        start = max(0, y0)
        span = max(1, end - start - 1)
        for y in range(start, end):
            self.rows[y][:] = bytes(lerp_color(top, bottom, (y - start) / span)) * self.width

    def diagonal_gradient(self, a: Color, b: Color, *, rising: bool = False) -> None:
        # One wide gradient row is computed per pixel once; each image row is
        # then a shifted slice of it, which gives a diagonal blend for free.
        total = self.width + self.height
        wide = bytearray()
        for i in range(total):
            wide += bytes(lerp_color(a, b, i / max(1, total - 1)))
        for y in range(self.height):
            start = self.height - 1 - y if rising else y  # rising: bottom-left to top-right
            self.rows[y][:] = wide[start * 3 : (start + self.width) * 3]

    def hspan(self, y: int, x0: float, x1: float, color: Color) -> None:
        if not 0 <= y < self.height:
            return
        a = max(0, round(x0))
        b = min(self.width, round(x1))
        if b > a:
            self.rows[y][a * 3 : b * 3] = bytes(color) * (b - a)

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: Color) -> None:
        for y in range(max(0, round(y0)), min(self.height, round(y1))):
            self.hspan(y, x0, x1, color)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, color: Color) -> None:
        if rx <= 0 or ry <= 0:
            return
        for y in range(max(0, math.floor(cy - ry)), min(self.height, math.ceil(cy + ry) + 1)):
            dy = (y + 0.5 - cy) / ry
            if abs(dy) <= 1.0:
                half = rx * math.sqrt(1.0 - dy * dy)
                self.hspan(y, cx - half, cx + half, color)

    def polygon(self, points: Sequence[tuple[float, float]], color: Color) -> None:
        """Fill a polygon with the even-odd rule, one scanline at a time."""
        if len(points) < 3:
            return
        ys = [p[1] for p in points]
        edges = list(zip(points, [*points[1:], points[0]], strict=True))
        for y in range(max(0, math.floor(min(ys))), min(self.height, math.ceil(max(ys)) + 1)):
            yc = y + 0.5
            xs: list[float] = []
            for (xa, ya), (xb, yb) in edges:
                if (ya <= yc < yb) or (yb <= yc < ya):
                    xs.append(xa + (yc - ya) * (xb - xa) / (yb - ya))
            xs.sort()
            for i in range(0, len(xs) - 1, 2):
                self.hspan(y, xs[i], xs[i + 1], color)
