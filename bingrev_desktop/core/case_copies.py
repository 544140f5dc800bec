"""A search's copy groups from the fingerprints its case holds (Qt-free).

Fingerprints are keyed by the picture's SHA-256, like the pictures themselves: a
picture kept twice is fingerprinted once. Groups are never stored as the truth: they
are rebuilt from the fingerprints. A case file from elsewhere could still carry
fingerprints that do not match its pictures, so the window takes them again from the
pictures of the search it shows (``ui.case.copy_finder``) and the stored ones only
speed up the first view.
"""

from __future__ import annotations

from collections.abc import Callable

from .case import Case, SearchRecord
from .duplicates import CopyInfo, find_copies, from_text, query_prints, to_text

Crop = tuple[float, float, float, float]
# Decodes picture bytes and takes their fingerprint; None for what is not a picture.
# Qt does it (``ui.results.imaging.fingerprint_bytes``): the core stays Qt-free.
Fingerprinter = Callable[[bytes | None, Crop | None], int | None]


def record_prints(case: Case, record: SearchRecord) -> dict[int, int]:
    """Position -> fingerprint, for the results whose picture is kept and fingerprinted."""
    prints: dict[int, int] = {}
    for item in record.response.results:
        digest = record.thumbnails.get(item.thumbnail_url or "")
        value = from_text(case.prints.get(digest or ""))
        if value is not None:
            prints[item.position] = value
    return prints


def missing_prints(case: Case, record: SearchRecord) -> list[str]:
    """Kept pictures of ``record`` with no fingerprint yet (cases saved before copy
    groups, or pictures that just arrived), in Bing's order."""
    digests = (record.thumbnails.get(url) for url in record.thumbnail_urls())
    return list(dict.fromkeys(d for d in digests if d is not None and d not in case.prints))


def record_copies(case: Case, record: SearchRecord) -> dict[int, CopyInfo]:
    """Position -> what is known of its copies (see ``duplicates.find_copies``)."""
    return find_copies(record.response.results, record_prints(case, record),
                       query_prints(record.query_print))


def query_print(preview: bytes | None, crop: Crop | None,
                fingerprint: Fingerprinter) -> str | None:
    """What ``SearchRecord.query_print`` holds: the searched image's fingerprint, then
    its crop's (None when the image cannot be read). Blocking: decodes the image."""
    whole = fingerprint(preview, None)
    if whole is None:
        return None
    part = fingerprint(preview, crop) if crop is not None else None
    return ",".join(to_text(v) for v in (whole, part) if v is not None)


def fingerprint_missing(case: Case, record: SearchRecord, fingerprint: Fingerprinter) -> None:
    """Fingerprint ``record``'s searched image (and its crop) and every kept picture that
    has none yet. Blocking (decodes pictures): for worker threads and the command line."""
    if record.query_print is None and record.preview_sha256:
        record.query_print = query_print(case.blobs.get(record.preview_sha256),
                                         record.crop_fractions(), fingerprint)
    for digest in missing_prints(case, record):
        value = fingerprint(case.blobs.get(digest), None)
        if value is not None:
            case.prints[digest] = to_text(value)
