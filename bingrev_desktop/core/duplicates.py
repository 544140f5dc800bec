"""Copies of the same picture (Qt-free): perceptual fingerprints compared, results
grouped, and in each group the largest, the earliest and the likely original.

The fingerprint is a 64-bit difference hash (dHash): the picture in grey, shrunk to
9 × 8, one bit per pair of neighbours (is the left one brighter?). It survives
resizing, recompression, small crops, watermarks and colour shifts, and a mirrored
picture gets another one. Qt shrinks the decoded thumbnail (``ui.results.imaging``);
this module only needs the 72 grey bytes, so it needs no image library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .response import ResultItem

HASH_WIDTH, HASH_HEIGHT = 9, 8  # grey pixels the picture is shrunk to
SAME_PICTURE = 6  # bits: a resized or recompressed copy
GROUP_DISTANCE = 12  # bits: linked into one group (tuned on the corpus' tuning split)
GROUP_GUARD = 16  # bits: every member stays this close to its group's first member


def dhash(grey: bytes | Sequence[int]) -> int:
    """64-bit difference hash of 9 × 8 grey values, row by row."""
    if len(grey) != HASH_WIDTH * HASH_HEIGHT:
        raise ValueError(f"need {HASH_WIDTH * HASH_HEIGHT} grey values, got {len(grey)}")
    bits = 0
    for y in range(HASH_HEIGHT):
        row = y * HASH_WIDTH
        for x in range(HASH_WIDTH - 1):
            bits = (bits << 1) | (grey[row + x] > grey[row + x + 1])
    return bits


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


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
    firsts: list[int] = []  # index of each group's first member
    members: list[list[int]] = []
    for i, fp in enumerate(fingerprints):
        if fp is None:
            continue
        for g, first in enumerate(firsts):
            head = fingerprints[first]
            assert head is not None
            if distance(fp, head) > guard:
                continue
            if any(distance(fp, f) <= link for m in members[g]
                   if (f := fingerprints[m]) is not None):
                groups[i] = g
                members[g].append(i)
                break
        else:
            groups[i] = len(firsts)
            firsts.append(i)
            members.append([i])
    return groups


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
    for copy_group in found.values():
        sized = [i for i in copy_group.members if items[i].pixel_count]
        dated = [i for i in copy_group.members if items[i].date]
        if sized:
            copy_group.largest = max(sized, key=lambda i: (items[i].pixel_count, -i))
        if dated:
            copy_group.earliest = min(dated, key=lambda i: (items[i].date or "", i))
        if sized:
            top = items[copy_group.largest or 0].pixel_count
            tied = [i for i in sized if items[i].pixel_count == top]
            copy_group.original = min(tied, key=lambda i: (items[i].date or "\uffff", i))
        else:
            copy_group.original = copy_group.earliest
        for index in copy_group.members:
            reasons = []
            item = items[index]
            if index == copy_group.largest and len(copy_group.members) > 1:
                reasons.append(f"largest: {item.size_label}")
            if index == copy_group.earliest and len(dated) > 1:
                reasons.append(f"earliest date: {(item.date or '')[:10]}")
            if index == copy_group.original and len(copy_group.members) > 1:
                reasons.append("likely original")
            copy_group.reasons[index] = reasons
    return found
