"""What a ``.bingrev`` file is: its schema, version, limits, and the error for files
that are not (or no longer) valid case files."""

from __future__ import annotations

from pathlib import Path

from .errors import BingrevError, ErrorDetail

# 1: searches, thumbnails shown, marks. 2: every thumbnail (or why it failed),
# full-size copies, link checks. 3: searches of one market sweep share a sweep number.
# 4: picture fingerprints, the searched image's, and the copy groups they make.
# Older files open and are written as the current version.
SCHEMA_VERSION = 4
APPLICATION_ID = 0x42524556  # "BREV" in the SQLite header's application_id field
EXTENSION = ".bingrev"
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024
MAX_BLOB_BYTES = 64 * 1024 * 1024  # above any image we download (30 MB cap)
MAX_JSON_CHARS = 32 * 1024 * 1024
MAX_SEARCHES = 10_000
MAX_ROWS = 2_000_000  # per table: far above any real case, far below what hangs the app
LOAD_DEADLINE = 120.0  # seconds; legitimate 2 GB cases read well within it
KNOWN_TABLES = frozenset({"meta", "blobs", "searches", "thumbnails", "marks", "originals",
                          "checks", "check_results", "fingerprints", "copies"})

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE searches (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    request_json TEXT NOT NULL,
    response_json TEXT NOT NULL,
    elapsed REAL NOT NULL DEFAULT 0,
    preview_sha256 TEXT REFERENCES blobs(sha256),
    parent_id INTEGER REFERENCES searches(id),
    parent_position INTEGER,
    sweep INTEGER,
    query_print TEXT
);
CREATE TABLE thumbnails (
    search_id INTEGER NOT NULL REFERENCES searches(id),
    url TEXT NOT NULL,
    sha256 TEXT REFERENCES blobs(sha256),
    error TEXT,
    failed_at TEXT,
    PRIMARY KEY (search_id, url)
);
CREATE TABLE originals (
    search_id INTEGER NOT NULL REFERENCES searches(id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    final_url TEXT NOT NULL,
    sha256 TEXT REFERENCES blobs(sha256),
    status INTEGER,
    content_type TEXT,
    size INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (search_id, position)
);
CREATE TABLE checks (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    cancelled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE check_results (
    check_id INTEGER NOT NULL REFERENCES checks(id),
    search_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    detail TEXT NOT NULL,
    sha256 TEXT,
    checked_at TEXT NOT NULL
);
CREATE TABLE fingerprints (
    sha256 TEXT PRIMARY KEY REFERENCES blobs(sha256),
    print TEXT NOT NULL
);
-- Derived from the fingerprints, for other programs; the app rebuilds it on open.
CREATE TABLE copies (
    search_id INTEGER NOT NULL REFERENCES searches(id),
    position INTEGER NOT NULL,
    group_no INTEGER NOT NULL,
    group_size INTEGER NOT NULL,
    likely_original INTEGER NOT NULL,
    closeness TEXT,
    PRIMARY KEY (search_id, position)
);
CREATE TABLE marks (
    search_id INTEGER NOT NULL REFERENCES searches(id),
    position INTEGER NOT NULL,
    starred INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (search_id, position)
);
"""


class CaseFileError(BingrevError):
    title = "Cannot open this case file"


def problem(message: str, path: Path, cause: str) -> CaseFileError:
    return CaseFileError(message, ErrorDetail(url=str(path), cause=cause))


def damaged(source: Path, exc: BaseException) -> CaseFileError:
    return problem("The case file is damaged or incomplete (it may have been cut off while "
                    "copying). Ask for a new copy.", source, repr(exc)[:500])
