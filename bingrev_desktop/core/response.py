"""Parse the loosely typed API response into typed, always-safe objects.

Every field may be missing, null or of another type than documented; parsing
never raises for those, it only raises :class:`ResponseFormatError` when the
top level is not a JSON object at all. The raw JSON is kept for case files.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_NUMBER = re.compile(r"^\s*(\d{1,15})(?:\.\d+)?")  # 15 digits: no float/int overflow
MAX_INT = 10**15  # sizes, positions and byte counts are far below this
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,60}>")
MAX_TEXT = 2000  # remote strings are trimmed: a 1 MB "title" must not reach a widget


MAX_RESULTS = 1000  # far above the API's 150: more is a broken or hostile answer
FINISHED = frozenset({"completed", "complete", "success", "succeeded", "done", "ok",
                      "finished"})


class ResponseFormatError(ValueError):
    """The body is JSON but not a search response."""


class UnfinishedSearchError(ResponseFormatError):
    """The answer says the search is still running or failed on the service's side."""

    def __init__(self, status: str) -> None:
        super().__init__(status)  # the only argument: survives pickling between processes
        self.status = status

    def __str__(self) -> str:
        return f"search_metadata.status is {self.status!r}"


def check_answer(payload: Any) -> None:
    """Refuse answers that must not read as "no results": an unfinished or failed
    search, ``related_content`` of another type, or no sign of a search at all."""
    if not isinstance(payload, dict):
        raise ResponseFormatError(f"top level is {type(payload).__name__}, not an object")
    meta = payload.get("search_metadata")
    status = meta.get("status") if isinstance(meta, dict) else None
    if isinstance(status, str) and status.strip().casefold() not in FINISHED:
        raise UnfinishedSearchError(status.strip()[:40])
    items = payload.get("related_content")
    if items is not None and not isinstance(items, list):
        raise ResponseFormatError(f"related_content is {type(items).__name__}, not a list")
    if items is None and not (isinstance(status, str) and status.strip()):
        raise ResponseFormatError("no related_content and no finished search_metadata")


def isolate(text: str) -> str:
    """Remote text between Unicode isolates (FSI ... PDI): a U+202E inside it cannot
    reorder the text around it on screen."""
    return f"\u2068{text}\u2069"


def as_text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)[:limit]  # any size: isfinite() would overflow on a huge one
    if isinstance(value, float):
        return str(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        return text[:limit] if text else None
    return None


def as_int(value: Any) -> int | None:
    """Integer from an int, a finite float, or text starting with a number ("77286 B")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if 0 <= value < MAX_INT else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and 0 <= value < MAX_INT else None
    if isinstance(value, str):
        match = _NUMBER.match(value)
        if match:
            return int(match.group(1))
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # a 400-digit integer, say
        return None
    return number if math.isfinite(number) else None


# http(s)://host[:port] then a path, query, fragment or the end, with an ASCII host:
# exactly what urlsplit accepts with a hostname, without its cost.
_PLAIN_URL = re.compile(r"(?i:https?)://[A-Za-z0-9.-]*[A-Za-z0-9](?::[0-9]{0,5})?(?:[/?#]|\Z)")


def as_url(value: Any) -> str | None:
    """Only absolute http(s) URLs count as links; anything else is dropped."""
    text = as_text(value, limit=8192)
    if text is None:
        return None
    if _PLAIN_URL.match(text):
        return text  # the usual shape; urlsplit costs most of parsing a stored case
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.casefold() in ("http", "https") and parts.hostname:
        return text
    return None


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "1", "yes")
    return bool(value) if isinstance(value, bool | int) else False


def _unescaped(text: str | None) -> str | None:
    """Bing titles carry HTML entities ("&amp;"); they are shown as plain text, so decode
    them once. The result is still only ever displayed as plain text."""
    return html.unescape(text) if text and "&" in text else text


def _host(*urls: str | None) -> str | None:
    for url in urls:
        if url:
            host = urlsplit(url).hostname
            if host:
                return host
    return None


@dataclass(frozen=True, slots=True)
class ImageInfo:
    domain: str | None = None
    format: str | None = None
    link: str | None = None
    original: str | None = None
    source: str | None = None
    width: int | None = None
    height: int | None = None
    file_size: int | None = None

    @classmethod
    def parse(cls, data: Any) -> ImageInfo:
        if not isinstance(data, dict):
            return cls()
        original, source = as_url(data.get("original")), as_url(data.get("source"))
        return cls(
            domain=as_text(data.get("domain"), 255) or _host(source, original),
            format=as_text(data.get("format"), 20),
            link=as_url(data.get("link")),
            original=original,
            source=source,
            width=as_int(data.get("width")),
            height=as_int(data.get("height")),
            file_size=as_int(data.get("file_size")),
        )


@dataclass(frozen=True, slots=True)
class ResultItem:
    """One visually similar image and the page that uses it."""

    position: int
    title: str | None = None
    link: str | None = None
    source: str | None = None
    original: str | None = None
    cdn_original: str | None = None
    thumbnail: str | None = None
    domain: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_width: int | None = None
    thumbnail_height: int | None = None
    date: str | None = None
    file_size: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, data: dict[str, Any], index: int) -> ResultItem:
        original = as_url(data.get("original"))
        cdn = as_url(data.get("cdn_original"))
        source = as_url(data.get("source"))
        position = as_int(data.get("position"))
        return cls(
            position=position if position else index + 1,
            title=_unescaped(as_text(data.get("title"))),
            link=as_url(data.get("link")),
            source=source,
            original=original,
            cdn_original=cdn,
            thumbnail=as_url(data.get("thumbnail")),
            domain=as_text(data.get("domain"), 255) or _host(source, original),
            format=as_text(data.get("format"), 20),
            width=as_int(data.get("width")),
            height=as_int(data.get("height")),
            thumbnail_width=as_int(data.get("thumbnail_width")),
            thumbnail_height=as_int(data.get("thumbnail_height")),
            date=as_text(data.get("date"), 64),
            file_size=as_int(data.get("file_size")),
            raw=data,
        )

    @property
    def image_url(self) -> str | None:
        """Best URL of the full image: the original, else Bing's cached copy."""
        return self.original or self.cdn_original

    @property
    def thumbnail_url(self) -> str | None:
        return self.thumbnail or self.cdn_original or self.original

    @property
    def has_image(self) -> bool:
        """False marks a result that cannot be shown or pivoted on."""
        return self.thumbnail_url is not None

    @property
    def pixel_count(self) -> int:
        return (self.width or 0) * (self.height or 0)

    @property
    def size_label(self) -> str:
        if self.width and self.height:
            return f"{self.width} \u00d7 {self.height}"
        return "size unknown"

    @property
    def display_title(self) -> str:
        """The title without Bing's highlight markup (<b>...</b>); still shown as plain text."""
        title = _TAG.sub("", self.title).strip() if self.title else ""
        return title or self.domain or "Untitled result"


@dataclass(frozen=True, slots=True)
class SearchMetadata:
    id: str | None = None
    status: str | None = None
    cached: bool = False
    created_at: str | None = None
    total_time_taken: float | None = None

    @classmethod
    def parse(cls, data: Any) -> SearchMetadata:
        if not isinstance(data, dict):
            return cls()
        return cls(
            id=as_text(data.get("id"), 128),
            status=as_text(data.get("status"), 64),
            cached=as_bool(data.get("cached")),
            created_at=as_text(data.get("created_at"), 64),
            total_time_taken=as_float(data.get("total_time_taken")),
        )


@dataclass(frozen=True, slots=True)
class SearchResponse:
    metadata: SearchMetadata
    image_info: ImageInfo
    results: tuple[ResultItem, ...]
    credits_used: float | None
    parameters: dict[str, Any]
    raw: dict[str, Any] = field(compare=False, repr=False)
    skipped_items: int = 0  # entries that were not objects
    dropped_items: int = 0  # readable results beyond MAX_RESULTS

    def notes(self) -> list[str]:
        """What the user must know about results that are not shown."""
        found = []
        if self.skipped_items:
            found.append(f"{self.skipped_items} result{'s' if self.skipped_items != 1 else ''}"
                         " could not be read")
        if self.dropped_items:
            found.append(f"the answer had {len(self.results) + self.dropped_items} results; "
                         f"only the first {MAX_RESULTS} are kept")
        return found


def result_count(payload: Any) -> int:
    """How many results :func:`parse_response` keeps, without parsing them: every
    object in ``related_content``, up to MAX_RESULTS (the history lists counts of
    searches that are still being read)."""
    items = payload.get("related_content") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return 0
    return min(MAX_RESULTS, sum(isinstance(item, dict) for item in items))


def parse_response(payload: Any) -> SearchResponse:
    """Parse a decoded JSON payload. Raises only if it is not an object at all."""
    if not isinstance(payload, dict):
        raise ResponseFormatError(
            f"expected a JSON object at the top level, got {type(payload).__name__}"
        )
    items = payload.get("related_content")
    results: list[ResultItem] = []
    skipped = dropped = 0
    kept_until = 0  # index after the last result kept
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            skipped += 1
        elif len(results) >= MAX_RESULTS:
            dropped += 1
        else:
            results.append(ResultItem.parse(item, index))
            kept_until = index + 1
    if dropped and isinstance(items, list):
        # Keep only what is shown: a hostile answer of millions of items must not stay
        # in memory or grow the case file.
        payload = {**payload, "related_content": items[:kept_until]}
    params = payload.get("search_parameters")
    return SearchResponse(
        metadata=SearchMetadata.parse(payload.get("search_metadata")),
        image_info=ImageInfo.parse(payload.get("image_info")),
        results=tuple(results),
        credits_used=as_float(payload.get("total_credits_used")),
        parameters=params if isinstance(params, dict) else {},
        raw=payload,
        skipped_items=skipped,
        dropped_items=dropped,
    )
