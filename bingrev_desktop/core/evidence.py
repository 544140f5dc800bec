"""Evidence that contacts the sites hosting results: full-size copies and link checks.

Qt-free, shared by the window and the command line. Both visit the sites that
host the pictures and pages, so callers must have the user's consent first
(:class:`SiteContact`). Requests go through :class:`ImageFetcher`: bounded, capped,
with a deadline, no key, no cookies, no Referer and a neutral User-Agent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .case import (
    Case,
    KeptCopy,
    LinkCheck,
    LinkResult,
    LinkState,
    SearchRecord,
    sha256,
    utc_now,
)
from .errors import BingrevError
from .fetcher import ORIGINAL_MAX_BYTES, ImageFetcher
from .redact import redact
from .response import ResultItem

log = logging.getLogger("bingrev_desktop.evidence")

CHECK_CONCURRENCY = 6


Progress = Callable[[int, int], None]


def candidate_urls(item: ResultItem) -> list[str]:
    """Where a result's full-size image can be fetched: original, then Bing's copy."""
    return list(dict.fromkeys(u for u in (item.original, item.cdn_original) if u))


async def keep_original(case: Case, record: SearchRecord, item: ResultItem,
                        fetcher: ImageFetcher, *, allow_local: bool = False) -> KeptCopy:
    """Fetch and store one result's full-size image; the outcome (kept or failed, with
    the reason) is recorded in ``record.originals`` either way."""
    urls = candidate_urls(item)
    if not urls:
        copy = KeptCopy(url="", fetched_at=utc_now(), error="This result has no image address.")
        record.originals[item.position] = copy
        return copy
    error: BingrevError | None = None
    for url in urls:
        try:
            fetched = await fetcher.fetch(url, max_bytes=ORIGINAL_MAX_BYTES,
                                          allow_local=allow_local, site_contact=True)
        except BingrevError as exc:
            error = exc
            continue
        digest = await asyncio.to_thread(case.blobs.add, fetched.data)  # disk, not the loop
        copy = KeptCopy(url=url, final_url=fetched.final_url or url, sha256=digest,
                        status=fetched.status, content_type=fetched.content_type,
                        size=len(fetched.data), fetched_at=utc_now())
        record.originals[item.position] = copy
        return copy
    copy = KeptCopy(url=urls[0], fetched_at=utc_now(), status=error.detail.status if error else None,
                    error=redact(str(error)) if error else "unknown error")
    record.originals[item.position] = copy
    return copy


async def keep_originals(case: Case, targets: Iterable[tuple[SearchRecord, ResultItem]],
                         fetcher: ImageFetcher, *, allow_local: bool = False,
                         progress: Progress | None = None) -> list[KeptCopy]:
    """Keep several full-size copies; the fetcher's semaphore bounds concurrency."""
    todo = list(targets)
    done = 0

    async def one(record: SearchRecord, item: ResultItem) -> KeptCopy:
        nonlocal done
        copy = await keep_original(case, record, item, fetcher, allow_local=allow_local)
        done += 1
        if progress is not None:
            progress(done, len(todo))
        return copy

    return list(await asyncio.gather(*(one(r, i) for r, i in todo)))


def verdict(status: int | None) -> LinkState:
    """Only the site saying it is not there (4xx) counts as gone; no answer, a refusal
    or a server error (5xx) says nothing about the evidence, so it stays unknown."""
    if status is not None and 400 <= status < 500:
        return LinkState.GONE
    return LinkState.UNREACHABLE


@dataclass(frozen=True)
class _Target:
    record: SearchRecord
    item: ResultItem
    kind: str  # "page" or "image"
    url: str
    kept: KeptCopy | None  # a full-size copy to compare the image with


def check_targets(case: Case) -> list[_Target]:
    targets: list[_Target] = []
    for record in case.searches:
        for item in record.response.results:
            if item.source:
                targets.append(_Target(record, item, "page", item.source, None))
            kept = record.originals.get(item.position)
            image = kept.url if kept is not None and kept.ok else item.image_url
            if image:
                targets.append(_Target(record, item, "image", image,
                                       kept if kept is not None and kept.ok else None))
    return targets


async def _check_one(case: Case, target: _Target, fetcher: ImageFetcher,
                     allow_local: bool) -> LinkResult:
    def result(state: LinkState, status: int | None = None, detail: str = "",
               digest: str | None = None) -> LinkResult:
        return LinkResult(search_id=target.record.id, position=target.item.position,
                          kind=target.kind, url=target.url, state=state, checked_at=utc_now(),
                          status=status, detail=redact(detail)[:1000], sha256=digest)

    try:
        if target.kind == "page" or target.kept is None:
            probe = await fetcher.probe(target.url, allow_local=allow_local)
            if probe.status >= 400:
                return result(verdict(probe.status), probe.status,
                              f"the site answered {probe.status}")
            return result(LinkState.OK, probe.status)
        fetched = await fetcher.fetch(target.url, max_bytes=ORIGINAL_MAX_BYTES,
                                      allow_local=allow_local, site_contact=True)
    except BingrevError as exc:
        return result(verdict(exc.detail.status), exc.detail.status, str(exc))
    digest = await asyncio.to_thread(sha256, fetched.data)
    if digest != target.kept.sha256:
        return result(LinkState.CHANGED, fetched.status,
                      "the image differs from the kept copy", digest)
    return result(LinkState.OK, fetched.status, digest=digest)


async def check_links(case: Case, fetcher: ImageFetcher, *, allow_local: bool = False,
                      progress: Progress | None = None,
                      concurrency: int = CHECK_CONCURRENCY) -> LinkCheck:
    """Re-check every result page and image of a case and append the check to it.

    Cancelling keeps what was checked so far: the check is stored as cancelled.
    """
    check = LinkCheck(id=max((c.id for c in case.checks), default=0) + 1, started_at=utc_now())
    case.checks.append(check)
    targets = check_targets(case)
    slots = asyncio.Semaphore(concurrency)

    async def one(target: _Target) -> None:
        async with slots:
            found = await _check_one(case, target, fetcher, allow_local)
        check.results.append(found)
        if progress is not None:
            progress(len(check.results), len(targets))

    try:
        await asyncio.gather(*(one(t) for t in targets))
    except asyncio.CancelledError:
        check.cancelled = True
        check.finished_at = utc_now()
        raise
    check.finished_at = utc_now()
    log.info("link check %d: %s", check.id, check.summary())
    return check
