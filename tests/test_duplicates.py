"""Fingerprints and copy groups (Qt-free core; the Qt fingerprint from real images)."""

from __future__ import annotations

import pytest

from bingrev_desktop.core.duplicates import (
    BITS,
    GROUP_DISTANCE,
    HEX_DIGITS,
    SAME_PICTURE,
    closeness,
    describe_groups,
    dhash_rgb,
    distance,
    find_copies,
    from_text,
    group,
    group_heads,
    make_fingerprint,
    parse_date,
    query_prints,
    to_text,
)
from bingrev_desktop.core.response import parse_response


def test_dhash_bits_follow_the_steps_of_each_colour() -> None:
    # Across: red falls to the right, green rises, blue is flat: one pattern per channel.
    wide = bytes(v for _y in range(8) for x in range(9) for v in (255 - 28 * x, 28 * x, 90))
    # Down: only blue falls, row by row.
    tall = bytes(v for y in range(9) for _x in range(8) for v in (40, 40, 250 - 25 * y))
    across = "100" * 8 * 8  # per pixel pair: red brighter on the left, green and blue not
    down = "001" * 8 * 8  # per pixel pair: blue brighter above
    assert dhash_rgb(wide, tall) == int(across + down, 2)
    assert len(across + down) == BITS == 384
    with pytest.raises(ValueError):
        dhash_rgb(bytes(10), tall)


def test_shape_and_colour_keep_unlike_pictures_apart() -> None:
    """Flat pictures have few steps, so their bits agree by chance: a picture of another
    shape, or of other colours, is never a copy, however close the bits."""
    grey = bytes([128] * 216)
    red = bytes(v for _ in range(72) for v in (220, 40, 40))
    landscape = make_fingerprint(grey, grey, 400, 300)
    assert distance(landscape, make_fingerprint(grey, grey, 800, 600)) == 0
    assert distance(landscape, make_fingerprint(grey, grey, 380, 300)) == 0  # a small crop
    assert distance(landscape, make_fingerprint(grey, grey, 300, 400)) == BITS  # portrait
    assert distance(make_fingerprint(grey, grey, 4, 3), make_fingerprint(red, red, 4, 3)) == BITS
    assert group([landscape, make_fingerprint(grey, grey, 300, 400)]) == [0, 1]
    assert distance(landscape, 0) == 0  # shape not known: the bits alone decide


def test_fingerprint_text_round_trip_and_hostile_values() -> None:
    value = (1 << 383) | 12345
    assert from_text(to_text(value)) == value
    assert len(to_text(0)) == HEX_DIGITS
    for hostile in (None, 7, "", "z" * HEX_DIGITS, "0" * (HEX_DIGITS - 1),
                    "0" * (HEX_DIGITS + 1), "A" * HEX_DIGITS, "0x" + "0" * (HEX_DIGITS - 2),
                    "0" * HEX_DIGITS + "\n"):
        assert from_text(hostile) is None


def test_grouping_links_copies_and_guards_against_chains() -> None:
    a = 0
    near = 0b111  # 3 bits from a
    chain = [0, (1 << 10) - 1, (1 << 20) - 1, (1 << 30) - 1]  # 10 bits apart, 30 end to end
    assert group([a, near, None]) == [0, 0, None]
    groups = group(chain, link=12, guard=16)
    assert groups[0] == groups[1] and groups[2] != groups[0]  # no chaining past the guard
    assert group(chain, link=12, guard=40) == [0, 0, 0, 0]  # a loose guard lets it chain
    assert distance(a, near) == 3
    assert closeness(near, a) == "same picture"
    assert closeness((1 << (SAME_PICTURE + 1)) - 1, a) == "edited copy"
    assert closeness((1 << (GROUP_DISTANCE + 1)) - 1, a) == "only similar"
    assert closeness(None, a) is None


def test_largest_earliest_and_likely_original() -> None:
    items = parse_response({"related_content": [
        {"position": 1, "width": 800, "height": 600, "date": "2021-05-01T00:00:00Z",
         "original": "https://a.example/1.jpg"},
        {"position": 2, "width": 1600, "height": 1200, "date": "2022-01-01T00:00:00Z",
         "original": "https://b.example/2.jpg"},
        {"position": 3, "width": 1600, "height": 1200, "date": "2019-03-03T00:00:00Z",
         "original": "https://c.example/3.jpg"},
        {"position": 4, "width": 1600, "height": 1200, "date": "yesterday",
         "original": "https://d.example/4.jpg"},
    ]}).results
    found = describe_groups(items, [0, 0, 0, 0])[0]
    assert found.earliest == 2  # "yesterday" is no date to compare
    assert found.original == 2  # largest, the earliest date breaking the tie
    assert found.largest == 2  # of the equally large, the one the tie went to
    assert found.reasons[2] == ["largest: 1600 \u00d7 1200", "earliest date: 3 Mar 2019",
                                "likely original"]
    assert found.reasons[1] == [] and found.reasons[3] == []
    assert parse_date("2019-02-30") is None and parse_date(None) is None


def test_find_copies_numbers_groups_in_bing_order_and_names_the_original() -> None:
    items = parse_response({"related_content": [
        {"position": p, "width": w, "height": w, "original": f"https://x.example/{p}.jpg"}
        for p, w in ((1, 100), (2, 300), (3, 200), (4, 50))]}).results
    far = (1 << 100) - 1
    prints = {1: far, 2: 0, 3: 0b11, 4: far ^ 1}  # 2 and 3 one picture; 1 and 4 another
    copies = find_copies(items, prints, [0])
    assert [copies[p].group for p in (1, 2, 3, 4)] == [1, 2, 2, 1]
    assert copies[2].likely_original and copies[2].reasons == ("largest: 300 \u00d7 300",
                                                                "likely original")
    assert copies[1].likely_original and not copies[4].likely_original
    assert copies[3].closeness == "same picture" and copies[1].closeness == "only similar"
    assert copies[2].size == 2 and copies[2].fingerprint == to_text(0)
    assert group_heads(copies) == {1: 1, 2: 2}
    # With a crop, each result is as close as the nearer of the image and its crop.
    both = find_copies(items, prints, [0, far])
    assert both[1].closeness == "same picture" == both[3].closeness
    assert query_prints(f"{to_text(0)},{to_text(far)}") == [0, far]
    assert query_prints("junk," + to_text(far)) == [far] and query_prints(None) == []
    partial = find_copies(items, {2: 0})  # pictures still loading
    assert set(partial) == {2} and partial[2].size == 1 and not partial[2].likely_original
    assert partial[2].closeness is None


def test_real_copies_group_and_a_mirror_does_not(qapp: object) -> None:
    from PySide6.QtCore import Qt

    from bingrev_desktop.demo.images import render
    from bingrev_desktop.ui.results.imaging import decode_image, fingerprint, fingerprint_bytes

    big = fingerprint(decode_image(render("q-lighthouse", 640, 480)))
    small = fingerprint_bytes(render("q-lighthouse", 200, 150))
    assert small is not None
    mirrored = fingerprint(decode_image(render("q-lighthouse", 640, 480)).flipped(
        Qt.Orientation.Horizontal))
    other = fingerprint(decode_image(render("q-city", 640, 480)))
    assert distance(big, small) <= SAME_PICTURE
    assert distance(big, other) > GROUP_DISTANCE and distance(big, mirrored) > GROUP_DISTANCE
    # The crop's fingerprint is the cropped part's: a crop of the left half is not the whole.
    half = fingerprint_bytes(render("q-lighthouse", 640, 480), (0.0, 0.0, 0.5, 1.0))
    assert half is not None and distance(half, big) > SAME_PICTURE
    assert fingerprint_bytes(b"not a picture") is None and fingerprint_bytes(None) is None
