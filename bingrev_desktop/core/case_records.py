"""The small records a case keeps beside its searches: pictures it could not keep,
full-size copies, and link checks. Apart from :mod:`case` so the window's first paint
(the grid's model, the details pane) can use them without loading the case's storage
(its blob store: sqlite3 and hashlib)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThumbnailFailure:
    """A result's picture that could not be kept: why, and when (UTC)."""

    reason: str
    at: str


@dataclass(frozen=True)
class KeptCopy:
    """A full-size copy of a result's image, as fetched from the site that hosts it."""

    url: str  # the address asked for (``original``, else ``cdn_original``)
    fetched_at: str  # UTC
    final_url: str = ""  # after redirects
    sha256: str | None = None  # None when the fetch failed
    status: int | None = None
    content_type: str | None = None
    size: int = 0
    error: str | None = None  # why it could not be kept

    @property
    def ok(self) -> bool:
        return self.sha256 is not None


class LinkState(enum.Enum):
    OK = "still there"
    GONE = "gone"  # the site answered that it is not there (4xx)
    CHANGED = "changed"  # the image no longer matches the kept copy
    UNREACHABLE = "could not be reached"  # no answer, a server error, refused: unknown


@dataclass(frozen=True)
class LinkResult:
    """One address of one result, as found by one link check."""

    search_id: int
    position: int
    kind: str  # "page" (the result's page) or "image" (its full-size image)
    url: str
    state: LinkState
    checked_at: str  # UTC
    status: int | None = None
    detail: str = ""  # the error, or why it counts as changed
    sha256: str | None = None  # of the image as served now


@dataclass
class LinkCheck:
    """A re-check of a case's links; the case keeps every one, so it shows how evidence aged."""

    id: int
    started_at: str
    finished_at: str | None = None
    cancelled: bool = False
    results: list[LinkResult] = field(default_factory=list)

    def count(self, state: LinkState) -> int:
        return sum(r.state is state for r in self.results)

    def summary(self) -> str:
        text = (f"{self.count(LinkState.OK)} still there, {self.count(LinkState.GONE)} gone, "
                f"{self.count(LinkState.CHANGED)} changed")
        unreachable = self.count(LinkState.UNREACHABLE)
        return text + (f", {unreachable} could not be reached" if unreachable else "")
