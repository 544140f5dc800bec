"""Copies of the same picture (Qt-free): perceptual fingerprints compared, results
grouped, and in each group the largest, the earliest and the likely original.

The fingerprint is a difference hash (dHash) taken on each colour channel and in
both directions: the picture shrunk to 9 × 8 pixels, one bit per pair of horizontal
neighbours (is the left one brighter in red? in green? in blue?), then shrunk to
8 × 9 for the vertical pairs: 2 × 3 × 64 = 384 bits. It survives resizing,
recompression, small crops, watermarks and colour casts, and a mirrored picture gets
another one. A grey, horizontal-only dHash (64 bits) was tried first: on pictures
with large flat areas it could not tell unrelated pictures apart
(``benchmarks/bench_groups.py``). Above the hash bits sit the picture's aspect
ratio (a 10-bit code) and its average colour (24 bits): copies keep their shape and,
roughly, their colours, so two pictures whose shapes differ by more than a crop
could explain, or whose colours differ by more than a colour cast, are never
copies, however alike their steps (flat, simple pictures have few steps). Qt shrinks the decoded thumbnail
(``ui.results.imaging``); this module needs only the RGB bytes, so the app needs no
image library for it.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .response import ResultItem

HASH_WIDTH, HASH_HEIGHT = 9, 8  # pixels the picture is shrunk to (8 × 9 for vertical)
HALF_BITS = 3 * (HASH_WIDTH - 1) * HASH_HEIGHT  # 192 per direction
BITS = 2 * HALF_BITS
HASH_MASK = (1 << BITS) - 1
ASPECT_STEPS = 64  # aspect codes per doubling of width / height; 0 means "not known"
ASPECT_ZERO = 512  # the code of a square picture
ASPECT_TOLERANCE = 13  # about 15%: what cropping up to 10% of one side can do
COLOUR_SHIFT = BITS + 10  # the average colour, 8 bits per channel, above the aspect
COLOUR_TOLERANCE = 56  # per channel, of 255: more than a colour cast or a watermark
HEX_DIGITS = (COLOUR_SHIFT + 24 + 3) // 4
# Distances in bits, tuned on the corpus' tuning split (python -m benchmarks --only groups)
SAME_PICTURE = 24  # a resized or recompressed copy
GROUP_DISTANCE = 78  # linked into one group: an edited copy
GROUP_GUARD = 101  # every member stays this close to its group's first member

_AS_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_HEX = re.compile(rf"[0-9a-f]{{{HEX_DIGITS}}}")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def dhash_rgb(wide: bytes | Sequence[int], tall: bytes | Sequence[int]) -> int:
    """The 384-bit difference hash: ``wide`` is the picture as 9 × 8 RGB pixels (216
    values, row by row; its horizontal steps), ``tall`` as 8 × 9 (its vertical steps)."""
    size = 3 * HASH_WIDTH * HASH_HEIGHT
    if len(wide) != size or len(tall) != size:
        raise ValueError(f"need {size} RGB values each, got {len(wide)} and {len(tall)}")
    wide, tall = bytes(wide), bytes(tall)
    row_len = 3 * HASH_WIDTH  # a wide row; each value against the next pixel's same channel
    steps = bytes(map(operator.gt, wide[:-3], wide[3:]))
    across = b"".join(steps[y * row_len:y * row_len + row_len - 3] for y in range(HASH_HEIGHT))
    down = bytes(map(operator.gt, tall[:-3 * HASH_HEIGHT], tall[3 * HASH_HEIGHT:]))
    return int((across + down).translate(_AS_DIGITS), 2)  # one comparison per bit, in C


def make_fingerprint(wide: bytes, tall: bytes, width: int, height: int) -> int:
    """The fingerprint of a ``width`` × ``height`` picture from its shrunk pixels (see
    dhash_rgb): the hash bits, its shape and its average colour."""
    bits = dhash_rgb(wide, tall)
    if width < 1 or height < 1:
        return bits
    shape = min(1023, max(1, round(ASPECT_STEPS * math.log2(width / height)) + ASPECT_ZERO))
    count = len(wide) // 3
    red, green, blue = (sum(wide[c::3]) // count for c in range(3))
    return bits | (shape << BITS) | (((red << 16) | (green << 8) | blue) << COLOUR_SHIFT)


def _looks_alike(a: int, b: int) -> bool:
    """Same shape and roughly the same colours (always, when either is not known)."""
    shape_a, shape_b = (a >> BITS) & 1023, (b >> BITS) & 1023
    if not shape_a or not shape_b:
        return True
    if abs(shape_a - shape_b) > ASPECT_TOLERANCE:
        return False
    colour_a, colour_b = a >> COLOUR_SHIFT, b >> COLOUR_SHIFT
    return all(abs(((colour_a >> s) & 255) - ((colour_b >> s) & 255)) <= COLOUR_TOLERANCE
               for s in (16, 8, 0))


def distance(a: int, b: int) -> int:
    """Hash bits that differ; pictures of clearly different shapes or colours are as far
    apart as can be."""
    if not _looks_alike(a, b):
        return BITS
    return ((a ^ b) & HASH_MASK).bit_count()


def to_text(fingerprint: int) -> str:
    return f"{fingerprint:0{HEX_DIGITS}x}"


def from_text(text: object) -> int | None:
    """A stored fingerprint, or None for anything that is not one (files are hostile)."""
    if isinstance(text, str) and _HEX.fullmatch(text):
        return int(text, 16)
    return None


def query_prints(text: str | None) -> list[int]:
    """A search's stored query fingerprints: the whole image's, then its crop's."""
    return [v for part in (text or "").split(",") if (v := from_text(part)) is not None]


def closeness(fingerprint: int | None, query: int | None) -> str | None:
    """How close a result is to the searched image, in words."""
    if fingerprint is None or query is None:
        return None
    d = distance(fingerprint, query)
    if d <= SAME_PICTURE:
        return "same picture"
    if d <= GROUP_DISTANCE:
        return "edited copy"
    return "only similar"


def group(fingerprints: Sequence[int | None], *, link: int = GROUP_DISTANCE,
          guard: int = GROUP_GUARD) -> list[int | None]:
    """A group number per fingerprint (None when it has none). Single-link: a member
    within ``link`` bits of any member joins; against chaining, it must also lie within
    ``guard`` bits of the group's first member."""
    groups: list[int | None] = [None] * len(fingerprints)
    heads: list[int] = []  # each group's first fingerprint
    members: list[list[int]] = []

    def near(a: int, b: int, limit: int) -> bool:  # the bits first: one C call, mostly False
        return ((a ^ b) & HASH_MASK).bit_count() <= limit and _looks_alike(a, b)

    for i, fp in enumerate(fingerprints):
        if fp is None:
            continue
        for g, head in enumerate(heads):
            if near(fp, head, guard) and any(near(fp, other, link) for other in members[g]):
                groups[i] = g
                members[g].append(fp)
                break
        else:
            groups[i] = len(heads)
            heads.append(fp)
            members.append([fp])
    return groups


def parse_date(text: str | None) -> date | None:
    """The calendar day of an answer's date ("2019-03-03T10:00:00Z"), or None."""
    match = _DATE.match(text or "")
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"  # 3 Mar 2019, the same in every locale


@dataclass
class CopyGroup:
    number: int
    members: list[int] = field(default_factory=list)  # indexes into the results
    largest: int | None = None
    earliest: int | None = None
    original: int | None = None
    reasons: dict[int, list[str]] = field(default_factory=dict)


def describe_groups(items: Sequence[ResultItem], groups: Sequence[int | None]
                    ) -> dict[int, CopyGroup]:
    """Per group: the largest copy, the earliest-dated one, and the likely original
    (the largest, the earliest date breaking ties), each with its reason in words."""
    found: dict[int, CopyGroup] = {}
    for index, number in enumerate(groups):
        if number is not None:
            found.setdefault(number, CopyGroup(number)).members.append(index)
    days = [parse_date(item.date) for item in items]
    for copy_group in found.values():
        members = copy_group.members
        sized = [i for i in members if items[i].pixel_count]
        dated = [i for i in members if days[i] is not None]

        def day_of(i: int) -> date:
            return days[i] or date.max

        if dated:
            copy_group.earliest = min(dated, key=lambda i: (day_of(i), i))
        if sized:  # the largest; of several as large, the earliest-dated one
            top = max(items[i].pixel_count for i in sized)
            tied = [i for i in sized if items[i].pixel_count == top]
            copy_group.largest = min(tied, key=lambda i: (day_of(i), i))
            copy_group.original = copy_group.largest
        else:
            copy_group.original = copy_group.earliest
        several = len(members) > 1
        for index in members:
            reasons = []
            if index == copy_group.largest and several:
                reasons.append(f"largest: {items[index].size_label}")
            if index == copy_group.earliest and len(dated) > 1:
                reasons.append(f"earliest date: {day_text(day_of(index))}")
            if index == copy_group.original and several:
                reasons.append("likely original")
            copy_group.reasons[index] = reasons
    return found


@dataclass(frozen=True)
class CopyInfo:
    """What the grid, the details and the exports say of one result's copies."""

    group: int  # 1, 2, … in the order the groups first appear in Bing's list
    size: int  # results in the group, this one included
    fingerprint: str
    likely_original: bool
    largest: bool
    earliest: bool
    reasons: tuple[str, ...]
    closeness: str | None  # to the searched image (or its crop): see closeness()
    distance: int | None  # bits from the searched image


def find_copies(items: Sequence[ResultItem], prints: Mapping[int, int],
                queries: Sequence[int] = ()) -> dict[int, CopyInfo]:
    """Group ``items`` (by position) whose fingerprints ``prints`` holds; results with
    no fingerprint (no picture yet) are left out. ``queries``: the searched image and
    its crop; each result is as close as the nearer of them."""
    known = [item for item in items if item.position in prints]
    numbers = group([prints[item.position] for item in known])
    described = describe_groups(known, numbers)
    order = {number: rank for rank, number in enumerate(dict.fromkeys(
        n for n in numbers if n is not None), 1)}
    copies: dict[int, CopyInfo] = {}
    for index, item in enumerate(known):
        number = numbers[index]
        assert number is not None
        copy_group = described[number]
        fingerprint = prints[item.position]
        query = min(queries, key=lambda q: distance(fingerprint, q), default=None)
        copies[item.position] = CopyInfo(
            group=order[number], size=len(copy_group.members),
            fingerprint=to_text(fingerprint),
            likely_original=index == copy_group.original and len(copy_group.members) > 1,
            largest=index == copy_group.largest and len(copy_group.members) > 1,
            earliest=index == copy_group.earliest and len(copy_group.members) > 1,
            reasons=tuple(copy_group.reasons[index]),
            closeness=closeness(fingerprint, query),
            distance=None if query is None else distance(fingerprint, query))
    return copies


def group_heads(copies: Mapping[int, CopyInfo]) -> dict[int, int]:
    """Group number -> the position whose tile stands for the group when copies are
    folded: the likely original, else the group's first result."""
    heads: dict[int, int] = {}
    for position, info in sorted(copies.items()):
        if info.group not in heads or info.likely_original:
            heads[info.group] = position
    return heads
