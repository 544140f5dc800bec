"""Request validation for ``POST /v1/serp`` (engine ``bing_reverse_image``).

The real service documents every optional parameter as a *string*; the demo
is deliberately strict about that so client bugs (ints, empty strings, half a
crop box) show up as 400s in tests instead of passing silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

ENGINE = "bing_reverse_image"
DEFAULT_COUNT = 35
MAX_COUNT = 150

# Bing's documented order; the service accepts them case-insensitively.
MARKETS: tuple[str, ...] = (
    "es-AR", "en-AU", "de-AT", "nl-BE", "fr-BE", "pt-BR", "en-CA", "fr-CA",
    "es-CL", "da-DK", "fi-FI", "fr-FR", "de-DE", "zh-HK", "en-IN", "en-ID",
    "it-IT", "ja-JP", "ko-KR", "en-MY", "es-MX", "nl-NL", "en-NZ", "no-NO",
    "zh-CN", "pl-PL", "en-PH", "ru-RU", "en-ZA", "es-ES", "sv-SE", "fr-CH",
    "de-CH", "zh-TW", "tr-TR", "en-GB", "en-US", "es-US",
)  # fmt: skip
_MARKETS_LOWER = {m.lower(): m for m in MARKETS}

# Crop edges in the order the crop tuple uses: left, top, right, bottom.
CROP_KEYS = ("cal", "cat", "car", "cab")
OPTIONAL_KEYS = (*CROP_KEYS, "mkt", "count")


class ValidationError(ValueError):
    """The request is malformed; the message is shown to the API user."""


@dataclass(frozen=True)
class SearchParams:
    image_url: str
    crop: tuple[float, float, float, float] | None  # left, top, right, bottom
    mkt: str | None  # canonical spelling, e.g. "en-US"
    count: int

    def pool_seed(self) -> str:
        """Text that determines every result the image could get: the market and the
        run only choose among them."""
        crop = "none" if self.crop is None else ",".join(f"{v:.4f}" for v in self.crop)
        return f"{self.picture()}|{crop}"

    def seed_text(self) -> str:
        """Text that determines the result set (count only truncates it)."""
        crop = "none" if self.crop is None else ",".join(f"{v:.4f}" for v in self.crop)
        return f"{self.picture()}|{crop}|{(self.mkt or 'default').lower()}"

    def picture(self) -> str:
        """What the searched picture is: a built-in one is the same whichever port the
        engine listens on, so its answers are the same in every run (tests, the sample)."""
        match = _BUILT_IN.match(urlsplit(self.image_url).path)
        return f"built-in:{match.group(1)}" if match else self.image_url


_BUILT_IN = re.compile(r"^/query/([a-z0-9-]+)\.png$")


def _parse_fraction(key: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(f"{key} must be a number between 0 and 1, got {value!r}") from None
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise ValidationError(f"{key} must be between 0 and 1, got {value!r}")
    return number


def _parse_crop(body: dict[str, object]) -> tuple[float, float, float, float] | None:
    present = [k for k in CROP_KEYS if k in body]
    if not present:
        return None
    if len(present) != len(CROP_KEYS):
        missing = ", ".join(k for k in CROP_KEYS if k not in body)
        raise ValidationError(f"crop area needs all of cal, cat, car, cab (missing: {missing})")
    left, top, right, bottom = (_parse_fraction(k, str(body[k])) for k in CROP_KEYS)
    if left >= right:
        raise ValidationError("crop area is empty: cal (left) must be less than car (right)")
    if top >= bottom:
        raise ValidationError("crop area is empty: cat (top) must be less than cab (bottom)")
    return (left, top, right, bottom)


def _parse_count(body: dict[str, object]) -> int:
    if "count" not in body:
        return DEFAULT_COUNT
    raw = str(body["count"]).strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError(
            f"count must be an integer string between 1 and {MAX_COUNT}, got {raw!r}"
        )
    count = int(raw)
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError(f"count must be between 1 and {MAX_COUNT}, got {count}")
    return count


def parse_request(body: object) -> SearchParams:
    """Validate a decoded JSON body, raising ValidationError with a readable message."""
    if not isinstance(body, dict):
        raise ValidationError("request body must be a JSON object")
    engine = body.get("engine")
    if engine != ENGINE:
        raise ValidationError(f"unsupported engine {engine!r}; expected {ENGINE!r}")
    image_url = body.get("image_url")
    if image_url is None or image_url == "":
        raise ValidationError("missing required parameter: image_url")
    if not isinstance(image_url, str):
        raise ValidationError("image_url must be a string")
    parts = urlsplit(image_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError("image_url must be an absolute http:// or https:// URL")
    for key in OPTIONAL_KEYS:
        if key in body and not isinstance(body[key], str):
            raise ValidationError(f"{key} must be a string, got {type(body[key]).__name__}")
    mkt: str | None = None
    if "mkt" in body:
        mkt = _MARKETS_LOWER.get(str(body["mkt"]).strip().lower())
        if mkt is None:
            raise ValidationError(
                f"unsupported mkt {body['mkt']!r}; expected a Bing market code such as en-US"
            )
    return SearchParams(
        image_url=image_url.strip(),
        crop=_parse_crop(body),
        mkt=mkt,
        count=_parse_count(body),
    )
