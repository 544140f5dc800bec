"""Parsing tolerates whatever the service sends, and keeps the raw JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bingrev_desktop.core.response import ResponseFormatError, parse_response

DOC_EXAMPLE = {
    "search_metadata": {"cached": True, "created_at": "2026-03-26 08:19:01 UTC",
                        "id": "01KMMKK0EN6RCTWP9W9RDQXAHC", "status": "completed",
                        "total_time_taken": 13},
    "search_parameters": {"engine": "bing_reverse_image", "image_url": "https://x.com/a.png"},
    "total_credits_used": 1,
    "image_info": {"domain": "www.google.com", "format": "png",
                   "original": "https://www.google.com/logo.png",
                   "source": "https://www.google.com/logo.png"},
    "related_content": [
        {"cdn_original": "https://th.bing.com/th/id/R.f2?pid=ImgRaw", "domain": "cdn.logojoy.com",
         "format": "png", "height": 519, "width": 1536,
         "link": "https://www.bing.com/images/search?view=detailV2",
         "original": "https://cdn.logojoy.com/logo-1536x519.png", "position": 1,
         "source": "https://looka.com/blog/google-logo/",
         "thumbnail": "https://www.bing.com/th/id/OIP.8uj4T?w=188&h=135",
         "thumbnail_height": 135, "file_size": "77286 B", "date": "2023-08-01T14:56:08Z"},
        {"_note": "19 more items omitted"},
    ],
}


def test_documented_example() -> None:
    response = parse_response(DOC_EXAMPLE)
    assert response.metadata.cached is True
    assert response.metadata.total_time_taken == 13
    assert response.credits_used == 1
    assert response.image_info.domain == "www.google.com"
    first = response.results[0]
    assert (first.width, first.height, first.file_size) == (1536, 519, 77286)
    assert first.size_label == "1536 \u00d7 519"
    assert first.image_url == "https://cdn.logojoy.com/logo-1536x519.png"
    assert first.has_image
    # The "_note" placeholder has no image: kept, marked, positioned.
    second = response.results[1]
    assert not second.has_image and second.position == 2
    assert second.display_title == "Untitled result"
    assert response.raw is DOC_EXAMPLE


def test_odd_types() -> None:
    payload = {
        "search_metadata": "nope",
        "total_credits_used": "2",
        "image_info": [],
        "related_content": [
            None, 5, "x",
            {"position": "3", "title": 42, "width": "800", "height": 600.0, "domain": None,
             "source": "https://news.example.org/p", "original": "javascript:alert(1)",
             "thumbnail": "https://t.example.org/1.jpg", "cached": {"deep": [1]}},
            {"position": True, "width": -5, "height": float("inf"), "title": "  "},
        ],
        "pages_with_this_image": [{"a": 1}],
    }
    response = parse_response(payload)
    assert response.skipped_items == 3
    first, second = response.results
    assert (first.position, first.title, first.width, first.height) == (3, "42", 800, 600)
    assert first.domain == "news.example.org"  # derived from the page URL
    assert first.original is None  # javascript: is not a link
    assert first.image_url is None and first.has_image  # thumbnail only
    assert second.position == 5 and second.width is None and second.height is None
    assert second.title is None
    assert response.credits_used == 2.0
    assert response.raw["pages_with_this_image"] == [{"a": 1}]


@pytest.mark.parametrize("payload", [[], "text", 3, None])
def test_not_an_object(payload: Any) -> None:
    with pytest.raises(ResponseFormatError):
        parse_response(payload)


def test_empty_object() -> None:
    response = parse_response({})
    assert response.results == () and response.credits_used is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
FIELDS = ["position", "title", "link", "source", "original", "cdn_original", "thumbnail",
          "domain", "format", "width", "height", "thumbnail_width", "thumbnail_height", "date",
          "file_size"]
items = st.fixed_dictionaries({}, optional={f: json_values for f in FIELDS})


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "search_metadata": json_values | st.fixed_dictionaries(
                {}, optional={k: json_values for k in ("cached", "id", "total_time_taken")}),
            "total_credits_used": json_values,
            "image_info": json_values,
            "related_content": st.lists(items | json_values, max_size=8) | json_values,
        },
    )
)
def test_parser_never_crashes(payload: dict[str, Any]) -> None:
    response = parse_response(payload)
    for index, item in enumerate(response.results):
        assert isinstance(item.position, int) and item.position >= 1, index
        assert item.title is None or isinstance(item.title, str)
        assert item.width is None or (isinstance(item.width, int) and item.width >= 0)
        for url in (item.original, item.thumbnail, item.source, item.link):
            assert url is None or url.lower().startswith(("http://", "https://"))
        assert isinstance(item.size_label, str) and isinstance(item.display_title, str)
    json.dumps(response.raw, default=str)


def test_shared_doc_example_parses() -> None:
    """The service's own page (shared/) must parse: every field it shows comes through."""
    doc = Path(__file__).resolve().parents[2] / "shared" / "xcrawl-bing-reverse-image-doc.txt"
    if not doc.exists():
        pytest.skip("shared/ not beside the checkout")
    text = doc.read_text()
    start = text.index("{\n\"search_metadata\"")
    end = text.index("}Required Parameters") + 1
    response = parse_response(json.loads(text[start:end]))
    assert response.metadata.id == "01KMMKK0EN6RCTWP9W9RDQXAHC"
    assert response.results[0].domain == "cdn.logojoy.com"
    assert response.results[0].thumbnail_height == 135


@given(st.text(alphabet=st.sampled_from("htps:/[]@?#.-_:9aZ%\\ \t"), max_size=30))
@settings(max_examples=400, deadline=None)
def test_the_url_fast_path_agrees_with_urlsplit(tail: str) -> None:
    """``as_url`` skips urlsplit for plain http(s) URLs; it must accept exactly the same."""
    from urllib.parse import urlsplit

    from bingrev_desktop.core.response import as_url

    for text in (tail, "http://" + tail, "https://h" + tail):
        stripped = text.strip()
        try:
            parts = urlsplit(stripped)
            expected = bool(stripped) and parts.scheme.casefold() in ("http", "https") \
                and bool(parts.hostname)
        except ValueError:
            expected = False
        assert (as_url(text) is not None) == expected, text
