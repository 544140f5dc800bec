"""The investigation ("case") in memory: searches in order, pivots, stars, notes, images.

Qt-free and storage-free; :mod:`casefile` reads and writes it as a ``.bingrev`` file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .request import SearchRequest
from .response import SearchResponse, parse_response


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plural(count: float, one: str, many: str) -> str:
    """ "1 search", "3 searches", "0.5 credits"."""
    return f"{count:g} {one if count == 1 else many}"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class SearchRecord:
    """One search as it happened, with everything needed to show it offline."""

    id: int
    created_at: str  # UTC, ISO 8601
    request_body: dict[str, str]
    response_raw: dict[str, Any]
    elapsed: float = 0.0
    preview_sha256: str | None = None
    parent_id: int | None = None  # the search this one pivoted from
    parent_position: int | None = None  # ... and the result it pivoted on
    stars: set[int] = field(default_factory=set)
    notes: dict[int, str] = field(default_factory=dict)
    thumbnails: dict[str, str] = field(default_factory=dict)  # url -> sha256
    _response: SearchResponse | None = field(default=None, repr=False, compare=False)

    @property
    def response(self) -> SearchResponse:
        if self._response is None:
            self._response = parse_response(self.response_raw)
        return self._response

    @property
    def request(self) -> SearchRequest:
        return SearchRequest.from_body(self.request_body)

    @property
    def image_url(self) -> str:
        return self.request_body.get("image_url", "")

    @property
    def market(self) -> str:
        return self.request_body.get("mkt", "default")

    @property
    def credits_used(self) -> float | None:
        return self.response.credits_used

    def crop_fractions(self) -> tuple[float, float, float, float] | None:
        body = self.request_body
        if all(k in body for k in ("cal", "cat", "car", "cab")):
            return (float(body["cal"]), float(body["cat"]), float(body["car"]), float(body["cab"]))
        return None


@dataclass
class Case:
    """A whole investigation. ``blobs`` holds every image once, by SHA-256."""

    title: str = "Untitled case"
    note: str = ""
    sample_data: bool = False  # made with the demo engine: not real Bing results
    created_at: str = field(default_factory=utc_now)
    searches: list[SearchRecord] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)

    def add_blob(self, data: bytes) -> str:
        digest = sha256(data)
        self.blobs.setdefault(digest, data)
        return digest

    def add_search(self, request: SearchRequest, response: SearchResponse, *, elapsed: float,
                   preview: bytes | None = None, parent: tuple[int, int] | None = None,
                   created_at: str | None = None) -> SearchRecord:
        record = SearchRecord(
            id=max((s.id for s in self.searches), default=0) + 1,
            created_at=created_at or utc_now(),
            request_body=request.to_body(),
            response_raw=response.raw,
            elapsed=elapsed,
            preview_sha256=self.add_blob(preview) if preview else None,
            parent_id=parent[0] if parent else None,
            parent_position=parent[1] if parent else None,
        )
        self.searches.append(record)
        return record

    def search(self, search_id: int) -> SearchRecord | None:
        return next((s for s in self.searches if s.id == search_id), None)

    def add_thumbnail(self, record: SearchRecord, url: str, data: bytes) -> None:
        record.thumbnails[url] = self.add_blob(data)

    def thumbnail(self, record: SearchRecord, url: str) -> bytes | None:
        digest = record.thumbnails.get(url)
        return self.blobs.get(digest) if digest else None

    def preview(self, record: SearchRecord) -> bytes | None:
        return self.blobs.get(record.preview_sha256) if record.preview_sha256 else None

    def depth(self, record: SearchRecord) -> int:
        """How many pivots lead to this search (for indenting the trail)."""
        depth, seen = 0, set()
        parent = record.parent_id
        while parent is not None and parent not in seen:
            seen.add(parent)
            depth += 1
            found = self.search(parent)
            parent = found.parent_id if found else None
        return depth

    def snapshot(self) -> Case:
        """A copy safe to save from a worker thread while the GUI keeps editing."""
        return Case(
            title=self.title, note=self.note, created_at=self.created_at,
            sample_data=self.sample_data,
            searches=[SearchRecord(
                id=s.id, created_at=s.created_at, request_body=dict(s.request_body),
                response_raw=s.response_raw, elapsed=s.elapsed, preview_sha256=s.preview_sha256,
                parent_id=s.parent_id, parent_position=s.parent_position, stars=set(s.stars),
                notes=dict(s.notes), thumbnails=dict(s.thumbnails)) for s in self.searches],
            blobs=dict(self.blobs),
        )

    def total_credits(self) -> float:
        return sum(s.credits_used or 0 for s in self.searches)
