"""Case files from the command line: add a search with all its pictures, check links.

The window does the same through its own flows; this module is the headless
version for scripts. Both keep every result's thumbnail (or why it failed), and
full-size copies or link checks only when the user asked, since those contact
the sites that host results.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from .case import Case, SearchRecord, ThumbnailFailure, plural, utc_now
from .case_copies import Fingerprinter, fingerprint_missing
from .casefile import load_case, save_case
from .client import SearchOutcome
from .errors import BingrevError
from .evidence import check_links, keep_originals
from .fetcher import PREVIEW_MAX_BYTES, is_local_address
from .redact import redact
from .service import SearchService

Progress = Callable[[int, int], None]


def open_or_new(path: str | os.PathLike[str]) -> Case:
    """The case at ``path``, or a new one named after it when there is no file yet."""
    target = Path(path)
    if target.exists():
        return load_case(target)
    return Case(title=target.stem)


async def keep_thumbnails(case: Case, record: SearchRecord, service: SearchService, *,
                          progress: Progress | None = None) -> None:
    """Fetch every thumbnail of ``record`` into the case (bounded by the fetcher)."""
    urls = record.missing_thumbnails()
    allow_local = is_local_address(service.api_base)
    done = 0

    async def one(url: str) -> None:
        nonlocal done
        try:
            fetched = await service.fetcher.fetch(url, allow_local=allow_local)
        except BingrevError as exc:
            record.thumbnail_failures[url] = ThumbnailFailure(redact(str(exc)), utc_now())
        else:
            record.thumbnails[url] = await asyncio.to_thread(case.blobs.add, fetched.data)
        done += 1
        if progress is not None:
            progress(done, len(urls))

    await asyncio.gather(*(one(u) for u in urls))


async def keep_search(service: SearchService, outcome: SearchOutcome, case: Case, *,
                      progress: Progress | None = None,
                      fingerprint: Fingerprinter | None = None) -> SearchRecord:
    """Add ``outcome`` to ``case`` (in memory) with the searched image and every result's
    thumbnail; with ``fingerprint``, also the fingerprints its copy groups come from."""
    try:
        preview = await service.fetcher.fetch(outcome.request.image_url,
                                              max_bytes=PREVIEW_MAX_BYTES)
        preview_data: bytes | None = preview.data
    except BingrevError:
        preview_data = None  # the search still counts; the report says "not saved"
    record = case.add_search(outcome.request, outcome.response, elapsed=outcome.elapsed,
                             preview=preview_data)
    await keep_thumbnails(case, record, service, progress=progress)
    if fingerprint is not None:
        await asyncio.to_thread(fingerprint_missing, case, record, fingerprint)
    return record


async def add_search_to_case(service: SearchService, outcome: SearchOutcome,
                             path: str | os.PathLike[str], *, case: Case | None = None,
                             originals: bool = False, progress: Progress | None = None,
                             fingerprint: Fingerprinter | None = None) -> str:
    """Add ``outcome`` to the case file at ``path`` (created when missing; ``case`` if the
    caller read it already), with every result's thumbnail, its copy groups' fingerprints
    and, with ``originals``, full-size copies; saved atomically."""
    if case is None:
        case = await asyncio.to_thread(open_or_new, path)
    record = await keep_search(service, outcome, case, progress=progress,
                               fingerprint=fingerprint)
    if originals:
        await keep_originals(case, [(record, i) for i in record.response.results],
                             service.fetcher, allow_local=is_local_address(service.api_base))
    await asyncio.to_thread(save_case, case, path)
    kept, failed, _missing = record.picture_states()
    text = (f"Saved search {len(case.searches)} to {path}: "
            f"{plural(kept, 'picture', 'pictures')} kept")
    if failed:
        text += f", {failed} could not be loaded"
    if originals:
        copies = sum(c.ok for c in record.originals.values())
        text += f", {plural(copies, 'full-size copy', 'full-size copies')}"
    return text + "."


async def check_case(service: SearchService, path: str | os.PathLike[str], *,
                     progress: Progress | None = None) -> str:
    """Run a link check over the case at ``path`` and save it into the file."""
    case = await asyncio.to_thread(load_case, path)
    check = await check_links(case, service.fetcher,
                              allow_local=is_local_address(service.api_base), progress=progress)
    await asyncio.to_thread(save_case, case, path)
    return f"Link check {check.id} saved to {path}: {check.summary()}."
