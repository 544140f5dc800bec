"""Request validation, crop maths and the exact JSON body."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bingrev_desktop.core.markets import MARKETS, find_market, market_for_locale
from bingrev_desktop.core.request import (
    WHOLE_IMAGE,
    Crop,
    SearchRequest,
    ValidationError,
    format_fraction,
    validate_image_url,
)

IMG = "https://example.com/a.png"


def test_minimal_body_has_only_engine_and_url() -> None:
    assert SearchRequest.create(IMG).to_body() == {
        "engine": "bing_reverse_image",
        "image_url": IMG,
    }


def test_full_body_sends_strings() -> None:
    body = SearchRequest.create(IMG, crop=(0.5, 0, 1, 1), mkt="DE-de", count=20).to_body()
    assert body == {
        "engine": "bing_reverse_image",
        "image_url": IMG,
        "cal": "0.5",
        "cat": "0",
        "car": "1",
        "cab": "1",
        "mkt": "de-DE",
        "count": "20",
    }
    assert all(isinstance(v, str) for v in body.values())


def test_whole_image_crop_is_not_sent() -> None:
    assert "cal" not in SearchRequest.create(IMG, crop=WHOLE_IMAGE).to_body()


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "Enter the web address"),
        ("   ", "Enter the web address"),
        ("file:///home/me/a.png", "file on your computer"),
        ("/home/me/a.png", "file on your computer"),
        ("C:\\Users\\me\\a.png", "file on your computer"),
        ("data:image/png;base64,AAAA", "only exists inside your browser"),
        ("blob:https://x.com/1234", "only exists inside your browser"),
        ("ftp://example.com/a.png", "http:// or https://"),
        ("example.com/a.png", "http:// or https://"),
        ("https://user:pw@example.com/a.png", "user name or password"),
        ("https://example.com/a b.png", "spaces"),
        ("https:///a.png", "no site name"),
        ("https://example.com:99999/a.png", "valid web address"),
        ("https://example.com/" + "a" * 2100, "too long"),
    ],
)
def test_bad_urls_explain_themselves(url: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_image_url(url)
    assert fragment in str(info.value)
    assert info.value.field == "image_url"


def test_url_is_trimmed() -> None:
    assert validate_image_url("  https://x.org/i.jpg\n") == "https://x.org/i.jpg"


@pytest.mark.parametrize("count", [0, 151, -1, "abc", "1.5", "", "99999"])
def test_bad_counts(count: object) -> None:
    if count == "":
        assert SearchRequest.create(IMG, count="").count is None
        return
    with pytest.raises(ValidationError, match="number of results"):
        SearchRequest.create(IMG, count=count)  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [1, 150, "35", " 7 "])
def test_good_counts(count: object) -> None:
    assert 1 <= SearchRequest.create(IMG, count=count).count <= 150  # type: ignore[arg-type,operator]


def test_bad_market() -> None:
    with pytest.raises(ValidationError, match="not one of the 38"):
        SearchRequest.create(IMG, mkt="xx-YY")


@pytest.mark.parametrize(
    "crop",
    [(0.5, 0, 0.5, 1), (0.6, 0, 0.5, 1), (0, 0.7, 1, 0.2), (-0.1, 0, 1, 1), (0, 0, 1.2, 1),
     (0, 0, float("nan"), 1), (0, 0, 0.005, 1)],
)
def test_bad_crops(crop: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValidationError):
        Crop(*crop)


def test_crop_rounds_to_four_decimals() -> None:
    crop = Crop(0.123456, 0.1, 0.98765, 0.9)
    assert crop.as_params() == {"cal": "0.1235", "cat": "0.1", "car": "0.9877", "cab": "0.9"}


def test_crop_from_pixels_any_order_and_clamped() -> None:
    crop = Crop.from_pixels(500, 300, -20, 50, width=1000, height=600)
    assert (crop.left, crop.top, crop.right, crop.bottom) == (0.0, 0.0833, 0.5, 0.5)
    assert crop.to_pixels(1000, 600) == pytest.approx((0, 49.98, 500, 300))


def test_from_body_round_trip() -> None:
    request = SearchRequest.create(IMG, crop=(0.1, 0.2, 0.3, 0.4), mkt="en-gb", count=9)
    assert SearchRequest.from_body(request.to_body()) == request


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_crop_either_valid_or_validation_error(a: float, b: float, c: float, d: float) -> None:
    try:
        crop = Crop(a, b, c, d)
    except ValidationError:
        return
    params = crop.as_params()
    assert float(params["cal"]) < float(params["car"])
    assert float(params["cat"]) < float(params["cab"])
    assert all(0 <= float(v) <= 1 for v in params.values())


def test_format_fraction() -> None:
    assert [format_fraction(v) for v in (0.0, 1.0, 0.25, 0.0001)] == ["0", "1", "0.25", "0.0001"]


def test_markets() -> None:
    assert len(MARKETS) == 38
    assert MARKETS[0].label == "Argentina (Spanish) - es-AR"
    assert [m.code for m in MARKETS][-3:] == ["en-GB", "en-US", "es-US"]
    assert len({m.code for m in MARKETS}) == 38
    assert find_market("ES-ar") is MARKETS[0]
    assert find_market("en_gb") is not None


@pytest.mark.parametrize(
    ("locale", "market"),
    [("de_CH.UTF-8", "de-CH"), ("fr_FR", "fr-FR"), ("fr", "fr-FR"), ("en_IE", "en-US"),
     ("ja", "ja-JP"), ("C", "en-US"), (None, "en-US"), ("xx_YY", "en-US"), ("nb_NO", "no-NO")],
)
def test_market_for_locale(locale: str | None, market: str) -> None:
    assert market_for_locale(locale) == market
