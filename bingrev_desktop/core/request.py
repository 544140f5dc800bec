"""Search request: validation, crop maths and the exact JSON body the API expects."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .markets import find_market

ENGINE = "bing_reverse_image"
MAX_URL_LENGTH = 2048
COUNT_MIN, COUNT_MAX, COUNT_DEFAULT = 1, 150, 35
# Four decimals is a tenth of a pixel on a 1000 px image: precise, yet stable.
CROP_DECIMALS = 4
MIN_CROP_SIZE = 0.01

_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class ValidationError(ValueError):
    """A request value the API cannot accept; ``str()`` is a sentence for the user."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def validate_image_url(raw: str, *, httpx_check: bool = True) -> str:
    """Return the cleaned URL or raise :class:`ValidationError` explaining why not.

    ``httpx_check=False`` leaves out asking httpx whether it can send the address
    (a third of a millisecond): for addresses Qt's network stack sends, which checks
    them itself."""
    url = (raw or "").strip()
    if not url:
        raise ValidationError("Enter the web address (URL) of an image.", "image_url")
    lowered = url.casefold()
    if lowered.startswith(("data:", "blob:")):
        raise ValidationError(
            "This image only exists inside your browser, so the search service cannot see it. "
            "Right-click the image and choose \u201cCopy image address\u201d instead.",
            "image_url",
        )
    if lowered.startswith("file:") or url.startswith(("/", "~", "\\")) or re.match(
        r"^[a-zA-Z]:[\\/]", url
    ):
        raise ValidationError(
            "This is a file on your computer. Bing searches from a web address: the search "
            "service downloads the picture from the web itself, so it cannot see files on "
            "your computer, and this app never uploads them. If the picture is already on a "
            "public web page, right-click it there, choose \u201cCopy image address\u201d "
            "and paste that here.",
            "image_url",
        )
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            f"This web address is too long ({len(url)} characters, the limit is "
            f"{MAX_URL_LENGTH}).",
            "image_url",
        )
    if _CONTROL.search(url):
        raise ValidationError("A web address cannot contain spaces or line breaks.", "image_url")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise ValidationError("This does not look like a valid web address.", "image_url") from exc
    if parts.scheme.casefold() not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        raise ValidationError(
            f"Only web addresses starting with http:// or https:// can be searched ({shown} "
            "given).",
            "image_url",
        )
    if not parts.hostname:
        raise ValidationError("This web address has no site name in it.", "image_url")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            "This web address contains a user name or password. Remove it before searching: "
            "it would be sent to the search service.",
            "image_url",
        )
    del port
    if not httpx_check:
        return url
    # Imported here: the window paints before the network stack is loaded.
    import httpx

    try:
        httpx.Request("GET", url)  # what will send it must accept it: IDNA and all
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise ValidationError("This web address has a site name that is not valid.",
                              "image_url") from exc
    return url


def _fraction(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"The crop's {name} edge must be a number.", "crop") from exc
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise ValidationError(
            f"The crop's {name} edge must be between 0 and 1 (it is {value}).", "crop"
        )
    return round(number, CROP_DECIMALS)


def format_fraction(value: float) -> str:
    """Shortest exact text for a rounded fraction: 0 -> "0", 0.5 -> "0.5"."""
    text = f"{value:.{CROP_DECIMALS}f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True, slots=True)
class Crop:
    """Crop edges as fractions of the image, from the top-left corner."""

    left: float
    top: float
    right: float
    bottom: float

    def __post_init__(self) -> None:
        left, top = _fraction(self.left, "left"), _fraction(self.top, "top")
        right, bottom = _fraction(self.right, "right"), _fraction(self.bottom, "bottom")
        if right - left < MIN_CROP_SIZE or bottom - top < MIN_CROP_SIZE:
            raise ValidationError(
                "The crop must have its left edge before its right edge and its top edge "
                "above its bottom edge, and cover at least 1% of the image each way.",
                "crop",
            )
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "top", top)
        object.__setattr__(self, "right", right)
        object.__setattr__(self, "bottom", bottom)

    @classmethod
    def from_pixels(
        cls, x0: float, y0: float, x1: float, y1: float, width: float, height: float
    ) -> Crop:
        """Crop from two corners in image pixels (any order), clamped to the image."""
        if width <= 0 or height <= 0:
            raise ValidationError("The image has no size yet, so it cannot be cropped.", "crop")

        def clamp(v: float, hi: float) -> float:
            return min(max(v, 0.0), hi) / hi

        return cls(
            clamp(min(x0, x1), width),
            clamp(min(y0, y1), height),
            clamp(max(x0, x1), width),
            clamp(max(y0, y1), height),
        )

    def to_pixels(self, width: float, height: float) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in pixels of an image of the given size."""
        return (self.left * width, self.top * height, self.right * width, self.bottom * height)

    @property
    def is_whole_image(self) -> bool:
        return self == WHOLE_IMAGE

    def as_params(self) -> dict[str, str]:
        return {
            "cal": format_fraction(self.left),
            "cat": format_fraction(self.top),
            "car": format_fraction(self.right),
            "cab": format_fraction(self.bottom),
        }


WHOLE_IMAGE = Crop(0.0, 0.0, 1.0, 1.0)


def validate_count(value: Any) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,4}", text):
        raise ValidationError(
            f"The number of results must be a whole number from {COUNT_MIN} to {COUNT_MAX}.",
            "count",
        )
    number = int(text)
    if not COUNT_MIN <= number <= COUNT_MAX:
        raise ValidationError(
            f"The number of results must be from {COUNT_MIN} to {COUNT_MAX} (it is {number}).",
            "count",
        )
    return number


def validate_market(value: str) -> str:
    market = find_market(value)
    if market is None:
        raise ValidationError(
            f"\u201c{value}\u201d is not one of the 38 Bing markets (for example en-US).", "mkt"
        )
    return market.code


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One validated reverse image search. Build it with :meth:`create`."""

    image_url: str
    crop: Crop | None = None
    mkt: str | None = None
    count: int | None = None

    @classmethod
    def create(
        cls,
        image_url: str,
        crop: Crop | tuple[float, float, float, float] | None = None,
        mkt: str | None = None,
        count: int | str | None = None,
    ) -> SearchRequest:
        url = validate_image_url(image_url)
        if isinstance(crop, tuple):
            crop = Crop(*crop)
        if crop is not None and crop.is_whole_image:
            crop = None  # the whole image is the API's default: send nothing
        market = validate_market(mkt) if mkt else None
        number = validate_count(count) if count not in (None, "") else None
        return cls(url, crop, market, number)

    def to_body(self) -> dict[str, str]:
        """The JSON body: optional values as strings, absent when unset."""
        body = {"engine": ENGINE, "image_url": self.image_url}
        if self.crop is not None:
            body.update(self.crop.as_params())
        if self.mkt is not None:
            body["mkt"] = self.mkt
        if self.count is not None:
            body["count"] = str(self.count)
        return body

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> SearchRequest:
        """Rebuild (and re-validate) a request from a stored body."""
        crop = None
        if all(k in body for k in ("cal", "cat", "car", "cab")):
            crop = Crop(body["cal"], body["cat"], body["car"], body["cab"])
        return cls.create(str(body.get("image_url", "")), crop, body.get("mkt"), body.get("count"))
