"""Deterministic images served by the demo engine.

Two families exist:

* built-in *query* images (``/query/<name>.png``): hand-drawn scenes that a
  user can search with, at a fixed native size;
* *result* images (``/img/<seed>.png`` and ``/thumb/<seed>.png``): a seeded
  diagonal gradient with a few solid shapes.  The picture depends only on the
  seed and is drawn relative to the size, so a thumbnail and its original
  look the same.  A seed of the form ``q-<name>`` draws query scene ``name``
  instead, which is how "copies" of a built-in query image look like it.

Served originals are capped (see ``ORIGINAL_CAP``): a result advertised as
4000x3000 is delivered as 1600x1200 with the same aspect ratio, to keep the
server fast.  Clients must trust the bytes they get, not the advertised size.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from collections.abc import Callable

from .png import Canvas, Color, bomb_png

ORIGINAL_CAP = 1600  # longest side of a served /img/ image
THUMB_CAP = 400  # longest side of a served /thumb/ image
MAX_DIMENSION = 4000  # largest size a URL may ask for

SEED_RE = re.compile(r"^[a-z0-9-]{1,48}$")


def _lighthouse(c: Canvas) -> None:
    w, h = c.width, c.height
    c.vertical_gradient((255, 170, 110), (120, 170, 230), 0, int(h * 0.62))
    c.vertical_gradient((40, 90, 140), (15, 40, 70), int(h * 0.62), h)
    c.ellipse(w * 0.78, h * 0.22, w * 0.06, w * 0.06, (255, 236, 170))  # sun
    c.polygon(
        [(w * 0.05, h), (w * 0.2, h * 0.66), (w * 0.55, h * 0.7), (w * 0.62, h)], (70, 60, 55)
    )
    x0, x1, top = w * 0.28, w * 0.38, h * 0.22
    c.polygon(
        [(x0, h * 0.7), (x0 + w * 0.02, top), (x1 - w * 0.02, top), (x1, h * 0.7)], (245, 245, 240)
    )
    for i in range(3):  # red stripes on the tower
        y = top + (h * 0.48) * (0.2 + 0.3 * i)
        c.rect(x0 + w * 0.01, y, x1 - w * 0.01, y + h * 0.06, (200, 40, 40))
    c.rect(x0 + w * 0.015, top - h * 0.07, x1 - w * 0.015, top, (255, 230, 120))  # lamp room
    c.polygon(
        [(x0, top - h * 0.07), ((x0 + x1) / 2, top - h * 0.13), (x1, top - h * 0.07)], (60, 60, 70)
    )


def _city(c: Canvas) -> None:
    w, h = c.width, c.height
    c.vertical_gradient((10, 15, 45), (70, 40, 110))
    c.ellipse(w * 0.15, h * 0.18, h * 0.08, h * 0.08, (240, 240, 215))  # moon
    rng = random.Random("city")
    x = 0.0
    while x < w:
        bw = w * rng.uniform(0.05, 0.11)
        top = h * rng.uniform(0.25, 0.7)
        c.rect(
            x, top, x + bw - 2, h, (rng.randint(25, 50), rng.randint(25, 50), rng.randint(45, 75))
        )
        wy = top + h * 0.03
        while wy < h - h * 0.05:  # lit windows
            wx = x + bw * 0.15
            while wx < x + bw * 0.8:
                if rng.random() < 0.55:
                    c.rect(wx, wy, wx + bw * 0.12, wy + h * 0.025, (255, 215, 110))
                wx += bw * 0.25
            wy += h * 0.06
        x += bw


def _mountain(c: Canvas) -> None:
    w, h = c.width, c.height
    c.vertical_gradient((90, 160, 235), (205, 230, 250), 0, int(h * 0.75))
    c.vertical_gradient((70, 130, 60), (35, 80, 35), int(h * 0.75), h)
    c.polygon([(-w * 0.1, h * 0.8), (w * 0.3, h * 0.25), (w * 0.7, h * 0.8)], (95, 100, 115))
    c.polygon([(w * 0.3, h * 0.8), (w * 0.65, h * 0.12), (w * 1.1, h * 0.8)], (120, 120, 135))
    c.polygon([(w * 0.575, h * 0.26), (w * 0.65, h * 0.12), (w * 0.725, h * 0.26)], (250, 250, 255))
    c.polygon([(w * 0.255, h * 0.34), (w * 0.3, h * 0.25), (w * 0.345, h * 0.34)], (245, 245, 250))
    c.ellipse(w * 0.12, h * 0.15, w * 0.05, w * 0.05, (255, 245, 180))
    for i in range(6):  # pines in the foreground
        px = w * (0.08 + 0.17 * i)
        c.polygon(
            [(px - w * 0.03, h * 0.95), (px, h * 0.72), (px + w * 0.03, h * 0.95)], (20, 60, 30)
        )


def _portrait(c: Canvas) -> None:
    w, h = c.width, c.height
    c.diagonal_gradient((230, 215, 190), (150, 175, 200))
    c.ellipse(w * 0.5, h * 1.0, w * 0.42, h * 0.32, (50, 70, 120))  # shoulders
    c.rect(w * 0.43, h * 0.55, w * 0.57, h * 0.72, (225, 180, 150))  # neck
    c.ellipse(w * 0.5, h * 0.36, w * 0.24, h * 0.2, (70, 45, 30))  # hair
    c.ellipse(w * 0.5, h * 0.42, w * 0.19, h * 0.17, (235, 190, 160))  # face
    for ex in (0.43, 0.57):
        c.ellipse(w * ex, h * 0.4, w * 0.025, h * 0.015, (40, 40, 60))
    c.rect(w * 0.45, h * 0.5, w * 0.55, h * 0.51, (170, 80, 80))  # mouth


def _sunset(c: Canvas) -> None:
    w, h = c.width, c.height
    c.vertical_gradient((60, 20, 90), (250, 120, 60), 0, int(h * 0.6))
    c.ellipse(w * 0.5, h * 0.6, w * 0.16, w * 0.16, (255, 200, 90))
    c.vertical_gradient((200, 90, 70), (40, 20, 50), int(h * 0.6), h)
    c.polygon([(0, h * 0.6), (w * 0.25, h * 0.45), (w * 0.45, h * 0.6)], (50, 25, 60))


QUERY_SCENES: dict[str, tuple[int, int, Callable[[Canvas], None]]] = {
    "lighthouse": (640, 480, _lighthouse),
    "city": (800, 450, _city),
    "mountain": (960, 540, _mountain),
    "portrait": (480, 640, _portrait),
    "sunset": (600, 600, _sunset),
}


def query_image_names() -> list[str]:
    return list(QUERY_SCENES)


def query_image_size(name: str) -> tuple[int, int] | None:
    scene = QUERY_SCENES.get(name)
    return None if scene is None else (scene[0], scene[1])


def _seeded_color(rng: random.Random, lo: int = 30, hi: int = 235) -> Color:
    return (rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi))


def _random_scene(c: Canvas, seed: str) -> None:
    # A str seed is hashed with SHA-512 by random.Random, so it is stable
    # across processes (unlike hash()).
    rng = random.Random("scene:" + seed)
    w, h = c.width, c.height
    first, second = _seeded_color(rng), _seeded_color(rng)
    # Light from either side: unrelated pictures should not look alike.
    c.diagonal_gradient(first, second, rising=rng.random() < 0.5)
    for _ in range(rng.randint(3, 6)):
        color = _seeded_color(rng, 10, 250)
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        size = rng.uniform(0.12, 0.35) * min(w, h)
        shape = rng.choice(("circle", "rect", "triangle"))
        if shape == "circle":
            c.ellipse(cx, cy, size, size, color)
        elif shape == "rect":
            c.rect(cx - size, cy - size * 0.7, cx + size, cy + size * 0.7, color)
        else:
            c.polygon([(cx - size, cy + size), (cx, cy - size), (cx + size, cy + size)], color)


def fit_within(width: int, height: int, cap: int) -> tuple[int, int]:
    """Scale (width, height) down so the longest side is at most ``cap``."""
    longest = max(width, height)
    if longest <= cap:
        return width, height
    scale = cap / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


EDITS = ("crop", "mark", "mirror")  # how a reposted copy was changed (``edit=`` in URLs)
CROP_KEEP = (0.95, 0.96)  # a cropped copy keeps this much of the width and height


def _draw(seed: str, width: int, height: int) -> Canvas:
    canvas = Canvas(width, height)
    scene = QUERY_SCENES.get(seed[2:]) if seed.startswith("q-") else None
    if scene is not None:
        scene[2](canvas)
    else:
        _random_scene(canvas, seed)
    return canvas


@functools.lru_cache(maxsize=256)
def render(seed: str, width: int, height: int, edit: str = "") -> bytes:
    """PNG bytes for ``seed`` at exactly ``width`` x ``height`` (cached). ``edit`` makes
    the copies a picture gets when it is reposted: ``crop`` (5% off the left, 4% off
    the top), ``mark`` (a small watermark), ``mirror`` (flipped: another picture)."""
    if edit == "crop":
        full_w, full_h = round(width / CROP_KEEP[0]), round(height / CROP_KEEP[1])
        canvas = _draw(seed, full_w, full_h)
        canvas.crop(full_w - width, full_h - height, width, height)
    else:
        canvas = _draw(seed, width, height)
    if edit == "mark":  # a pale label with dark "letters", bottom right
        w, h = width, height
        canvas.rect(w * 0.62, h * 0.86, w * 0.97, h * 0.95, (235, 235, 235))
        for i in range(6):
            x = w * (0.64 + 0.055 * i)
            canvas.rect(x, h * 0.88, x + w * 0.035, h * 0.93, (90, 90, 90))
    elif edit == "mirror":
        canvas.mirror()
    return canvas.to_png()


def render_query(name: str) -> bytes | None:
    size = query_image_size(name)
    return None if size is None else render("q-" + name, size[0], size[1])


@functools.lru_cache(maxsize=1)
def bomb() -> bytes:
    return bomb_png()


def seed_for(*parts: str) -> str:
    """A short URL-safe seed derived from arbitrary text."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
