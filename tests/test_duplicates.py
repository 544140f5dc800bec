"""Fingerprints and copy groups (Qt-free core; the Qt fingerprint from a real image)."""

from __future__ import annotations

import pytest

from bingrev_desktop.core.duplicates import (
    closeness,
    describe_groups,
    dhash,
    distance,
    group,
)
from bingrev_desktop.core.response import parse_response


def test_dhash_bits_follow_the_brightness_steps() -> None:
    falling = [255 - 28 * x for _y in range(8) for x in range(9)]  # brighter on the left
    assert dhash(falling) == (1 << 64) - 1
    assert dhash(list(reversed(falling))) == 0
    with pytest.raises(ValueError):
        dhash([0] * 10)


def test_grouping_links_copies_and_guards_against_chains() -> None:
    a = 0
    near = 0b111  # 3 bits from a
    chain = [0, (1 << 10) - 1, (1 << 20) - 1, (1 << 30) - 1]  # 10 bits apart, 30 end to end
    assert group([a, near, None]) == [0, 0, None]
    groups = group(chain, link=12, guard=16)
    assert groups[0] == groups[1] and groups[2] != groups[0]  # no chaining past the guard
    assert distance(a, near) == 3
    assert closeness(near, a) == "same picture"
    assert closeness((1 << 10) - 1, a) == "edited copy"
    assert closeness((1 << 40) - 1, a) == "only similar"
    assert closeness(None, a) is None


def test_largest_earliest_and_likely_original() -> None:
    items = parse_response({"related_content": [
        {"position": 1, "width": 800, "height": 600, "date": "2021-05-01T00:00:00Z",
         "original": "https://a.example/1.jpg"},
        {"position": 2, "width": 1600, "height": 1200, "date": "2022-01-01T00:00:00Z",
         "original": "https://b.example/2.jpg"},
        {"position": 3, "width": 1600, "height": 1200, "date": "2019-03-03T00:00:00Z",
         "original": "https://c.example/3.jpg"},
    ]}).results
    found = describe_groups(items, [0, 0, 0])[0]
    assert found.largest == 1  # the first of the largest
    assert found.earliest == 2
    assert found.original == 2  # largest, the earliest date breaking the tie
    assert "likely original" in found.reasons[2]
    assert "earliest date: 2019-03-03" in found.reasons[2]


def test_a_resized_copy_has_the_same_fingerprint(qapp: object) -> None:
    from bingrev_desktop.demo.images import render
    from bingrev_desktop.ui.results.imaging import decode_image, fingerprint

    big = fingerprint(decode_image(render("q-lighthouse", 640, 480)))
    small = fingerprint(decode_image(render("q-lighthouse", 200, 150)))
    other = fingerprint(decode_image(render("q-city", 640, 480)))
    assert distance(big, small) <= 6 and distance(big, other) > 12
