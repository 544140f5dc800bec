"""Families of copies in the demo engine's answers: the same picture reposted at other
sizes and dates, some cropped or watermarked, as the web has them."""

from __future__ import annotations

import math
import random
import re
from typing import Any

from .images import MAX_DIMENSION, seed_for

ASPECTS = ((4, 3), (3, 2), (16, 9), (1, 1), (3, 4), (2, 3), (21, 9))


def size_for(rng: random.Random, aspect: float, lo: int, hi: int) -> tuple[int, int]:
    # Log-uniform widths give many small copies and a few big ones, like the web.
    width = round(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    height = max(1, round(width / aspect))
    if height > hi:
        height, width = hi, max(1, round(hi * aspect))
    return width, height


def largest_size(aspect: float) -> tuple[int, int]:
    if aspect >= 1:
        return MAX_DIMENSION, max(1, round(MAX_DIMENSION / aspect))
    return max(1, round(MAX_DIMENSION * aspect)), MAX_DIMENSION


FAMILY_EPOCH = 1_420_070_400  # 2015-01-01: the demo's pictures were first posted after it


class Families:
    """Copies of the same picture, as the web has them: the searched picture and a few
    others, each reposted several times at other sizes and dates, some cropped or
    watermarked; a mirrored repost is another picture (never of the built-in scenes:
    some are symmetric, and a mirrored sunset is the same sunset). The first copy of each family
    in the list is its original: the largest and the earliest. A result's family is
    its picture seed, plus "mirror" when flipped (see ``family_of``)."""

    OTHERS = 3  # families besides the searched picture

    def __init__(self, pool_seed: str, copy_seed: str, aspect: float) -> None:
        self._rng = random.Random("families:" + pool_seed)  # apart from the pool's own
        self._seeds = [seed_for(pool_seed, "family", str(k)) for k in range(self.OTHERS)]
        self._aspects = [aw / ah for aw, ah in (self._rng.choice(ASPECTS)
                                                for _ in range(self.OTHERS))]
        self._days = {seed: self._rng.randrange(0, 1500) for seed in [copy_seed, *self._seeds]}
        self._started: set[str] = set()
        self.later_day: int | None = None

    def member(self, i: int, seed: str, is_copy: bool, largest: bool, width: int,
               height: int) -> tuple[str, str, int, int, int | None]:
        """(seed, edit, width, height, the original's day or None) of pool item ``i``."""
        rng = self._rng
        roll = rng.random()
        edit = ""
        if not is_copy:
            if roll >= 0.4:
                self.later_day = None
                return seed, "", width, height, None  # a picture of its own
            k = rng.randrange(self.OTHERS)
            seed = self._seeds[k]
            aspect = self._aspects[k]
            if seed not in self._started:  # its original: large, first
                width, height = largest_size(aspect)
                width, height = round(width * 0.75), round(height * 0.75)
            else:
                width, height = size_for(rng, aspect, 120, 2400)
        if seed in self._started and not largest:
            roll = rng.random()
            edit = "crop" if roll < 0.12 else "mark" if roll < 0.22 else (
                "mirror" if roll < 0.27 and not seed.startswith("q-") else "")
        # The original: the searched picture's largest copy, or another family's first.
        first = largest if is_copy else seed not in self._started
        self._started.add(seed)
        day = self._days[seed]
        self.later_day = None if first else day + 30 + rng.randrange(0, 1500)
        return seed, edit, width, height, day if first else None


def family_of(item: dict[str, Any]) -> str:
    """The engine's own answer to "which picture is this?": the picture's seed, and
    "-mirror" for a flipped copy (for tests that check the copy groups)."""
    thumb = str(item.get("thumbnail") or item.get("original") or "")
    match = re.search(r"/(?:thumb|img)/([a-z0-9-]+)\.png", thumb)
    seed = match.group(1) if match else thumb
    return seed + ("-mirror" if "edit=mirror" in thumb else "")
