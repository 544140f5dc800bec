"""The investigation ("case") in memory: searches in order, pivots, stars, notes, images.

Qt-free and storage-free; :mod:`casefile` reads and writes it as a ``.bingrev`` file.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .blobstore import BlobStore, sha256
from .case_records import KeptCopy, LinkCheck, LinkResult, LinkState, ThumbnailFailure
from .request import SearchRequest
from .response import SearchResponse, parse_response, result_count

__all__ = ["Case", "KeptCopy", "LinkCheck", "LinkResult", "LinkState", "SearchRecord",
           "ThumbnailFailure", "plural", "sha256", "utc_now"]


def plural(count: float, one: str, many: str) -> str:
    """ "1 search", "3 searches", "0.5 credits"."""
    return f"{count:g} {one if count == 1 else many}"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# One parse wins when a worker and the GUI thread parse the same search at once, so
# every view holds the same result objects.
_PARSE_LOCK = threading.Lock()


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
    sweep: int | None = None  # searches of one market sweep share this number
    query_print: str | None = None  # fingerprints of the searched image[, its crop]
    stars: set[int] = field(default_factory=set)
    notes: dict[int, str] = field(default_factory=dict)
    thumbnails: dict[str, str] = field(default_factory=dict)  # url -> sha256
    thumbnail_failures: dict[str, ThumbnailFailure] = field(default_factory=dict)
    originals: dict[int, KeptCopy] = field(default_factory=dict)  # position -> copy
    _response: SearchResponse | None = field(default=None, repr=False, compare=False)
    _raw_count: int | None = field(default=None, repr=False, compare=False)
    # Each result's thumbnail address, taken once: the fill's progress and the loader
    # asked for them at every arrival (150 property calls each time).
    _thumbs: tuple[str | None, ...] | None = field(default=None, repr=False, compare=False)
    _distinct: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def response(self) -> SearchResponse:
        """The parsed answer, parsed on first use (a worker does it for an opened case)."""
        parsed = self._response
        if parsed is None:
            fresh = parse_response(self.response_raw)
            with _PARSE_LOCK:
                if self._response is None:
                    self._response = fresh
                parsed = self._response
        return parsed

    def parse(self) -> None:
        """Parse the answer now (in a worker), rather than on first use."""
        _ = self.response

    @property
    def parsed(self) -> bool:
        return self._response is not None

    @property
    def result_count(self) -> int:
        """len(response.results), without parsing a search that is still being read."""
        if self._response is not None:
            return len(self._response.results)
        if self._raw_count is None:  # counted once (a case file's reader does it)
            self._raw_count = result_count(self.response_raw)
        return self._raw_count

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

    def _thumbnails_of_results(self) -> tuple[str | None, ...]:
        thumbs = self._thumbs
        if thumbs is None:
            thumbs = self._thumbs = tuple(i.thumbnail_url for i in self.response.results)
        return thumbs

    def thumbnail_urls(self) -> list[str]:
        """Every distinct thumbnail address of this search's results, in Bing's order."""
        distinct = self._distinct
        if distinct is None:
            distinct = self._distinct = tuple(
                dict.fromkeys(u for u in self._thumbnails_of_results() if u))
        return list(distinct)

    def picture_states(self) -> tuple[int, int, int]:
        """(kept, failed, never loaded) over this search's results (one picture each)."""
        kept = failed = missing = 0
        for url in self._thumbnails_of_results():
            if url is None:
                continue
            if url in self.thumbnails:
                kept += 1
            elif url in self.thumbnail_failures:
                failed += 1
            else:
                missing += 1
        return kept, failed, missing

    def missing_thumbnails(self) -> list[str]:
        """Pictures neither kept nor recorded as failed: never loaded."""
        return [u for u in self.thumbnail_urls()
                if u not in self.thumbnails and u not in self.thumbnail_failures]

    def copy(self) -> SearchRecord:
        return replace(self, request_body=dict(self.request_body), stars=set(self.stars),
                       notes=dict(self.notes), thumbnails=dict(self.thumbnails),
                       thumbnail_failures=dict(self.thumbnail_failures),
                       originals=dict(self.originals))

    def crop_fractions(self) -> tuple[float, float, float, float] | None:
        body = self.request_body
        if all(k in body for k in ("cal", "cat", "car", "cab")):
            return (float(body["cal"]), float(body["cat"]), float(body["car"]), float(body["cab"]))
        return None


@dataclass
class Case:
    """A whole investigation. ``blobs`` holds every image once, by SHA-256, on disk."""

    title: str = "Untitled case"
    note: str = ""
    sample_data: bool = False  # made with the demo engine: not real Bing results
    created_at: str = field(default_factory=utc_now)
    searches: list[SearchRecord] = field(default_factory=list)
    blobs: BlobStore = field(default_factory=BlobStore)
    checks: list[LinkCheck] = field(default_factory=list)
    prints: dict[str, str] = field(default_factory=dict)  # picture sha256 -> fingerprint
    _links_key: tuple[int, int] = field(default=(-1, -1), repr=False, compare=False)
    _links: dict[int, dict[int, list[LinkResult]]] = field(
        default_factory=dict, repr=False, compare=False)

    def add_blob(self, data: bytes) -> str:
        return self.blobs.add(data)

    def unparsed(self) -> list[SearchRecord]:
        """Searches of an opened case whose answers are not parsed yet."""
        return [s for s in self.searches if not s.parsed]

    def add_search(self, request: SearchRequest, response: SearchResponse, *, elapsed: float,
                   preview: bytes | None = None, parent: tuple[int, int] | None = None,
                   created_at: str | None = None, sweep: int | None = None) -> SearchRecord:
        record = SearchRecord(
            id=max((s.id for s in self.searches), default=0) + 1,
            created_at=created_at or utc_now(),
            request_body=request.to_body(),
            response_raw=response.raw,  # trimmed by the parser when it dropped results
            elapsed=elapsed,
            preview_sha256=self.add_blob(preview) if preview else None,
            parent_id=parent[0] if parent else None,
            parent_position=parent[1] if parent else None,
            sweep=sweep,
            _response=response,  # parsed once, in a worker: not again on the GUI thread
        )
        self.searches.append(record)
        return record

    def new_sweep_number(self) -> int:
        return max((s.sweep or 0 for s in self.searches), default=0) + 1

    def sweep_searches(self, sweep: int) -> list[SearchRecord]:
        return [s for s in self.searches if s.sweep == sweep]

    def search(self, search_id: int) -> SearchRecord | None:
        return next((s for s in self.searches if s.id == search_id), None)

    def add_thumbnail(self, record: SearchRecord, url: str, data: bytes) -> None:
        record.thumbnails[url] = self.add_blob(data)
        record.thumbnail_failures.pop(url, None)

    def thumbnail(self, record: SearchRecord, url: str) -> bytes | None:
        return self.blobs.get(record.thumbnails.get(url))

    def original(self, record: SearchRecord, position: int) -> bytes | None:
        copy = record.originals.get(position)
        return self.blobs.get(copy.sha256) if copy else None

    def latest_links(self, record: SearchRecord) -> dict[int, list[LinkResult]]:
        """Per position, what the most recent check that covered it found."""
        return self._link_index().get(record.id, {})

    def _link_index(self) -> dict[int, dict[int, list[LinkResult]]]:
        """search id -> position -> latest results; rebuilt only when checks change, so
        badges and reports stay fast however many checks a case holds."""
        key = (len(self.checks), sum(len(c.results) for c in self.checks))
        if key != self._links_key:
            index: dict[int, dict[int, list[LinkResult]]] = {}
            for check in self.checks:
                mine: dict[tuple[int, int], list[LinkResult]] = {}
                for result in check.results:
                    mine.setdefault((result.search_id, result.position), []).append(result)
                for (search_id, position), results in mine.items():
                    index.setdefault(search_id, {})[position] = results
            self._links_key, self._links = key, index
        return self._links

    def link_state(self, record: SearchRecord, position: int) -> LinkState | None:
        """The worst state the latest check found for a result (gone beats changed)."""
        states = {r.state for r in self.latest_links(record).get(position, [])}
        for state in (LinkState.GONE, LinkState.CHANGED, LinkState.UNREACHABLE, LinkState.OK):
            if state in states:
                return state
        return None

    def picture_counts(self) -> tuple[int, int, int]:
        """(kept, failed, never loaded) result pictures over every search."""
        totals = [record.picture_states() for record in self.searches]
        return (sum(t[0] for t in totals), sum(t[1] for t in totals),
                sum(t[2] for t in totals))

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
        # Blobs are immutable and the store is thread-safe: shared, not copied.
        return Case(
            title=self.title, note=self.note, created_at=self.created_at,
            sample_data=self.sample_data, searches=[s.copy() for s in self.searches],
            blobs=self.blobs,
            checks=[replace(c, results=list(c.results)) for c in self.checks],
            prints=dict(self.prints),
        )

    def total_credits(self) -> float:
        return sum(s.credits_used or 0 for s in self.searches)
