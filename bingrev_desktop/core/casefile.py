"""``.bingrev`` case files: one SQLite file, written atomically, read defensively.

A save writes a complete new database next to the target and renames it over
the old file only after it is fsynced, so a crash or kill at any point leaves
the previous file intact. Opening checks that the file is SQLite, is ours, is
not from a newer version and passes SQLite's integrity check, and explains in
plain words when it is not. The API key is never stored.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from .case import (
    Case,
    KeptCopy,
    LinkCheck,
    LinkResult,
    LinkState,
    SearchRecord,
    ThumbnailFailure,
    sha256,
)
from .errors import BingrevError, ErrorDetail
from .files import atomic_replace
from .redact import redact
from .request import SearchRequest
from .response import parse_response

# 1: searches, thumbnails shown, marks. 2: every thumbnail (or why it failed),
# full-size copies, link checks. Version 1 files open and are written as 2.
SCHEMA_VERSION = 2
APPLICATION_ID = 0x42524556  # "BREV" in the SQLite header's application_id field
EXTENSION = ".bingrev"
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024
MAX_BLOB_BYTES = 64 * 1024 * 1024  # above any image we download (30 MB cap)
MAX_JSON_CHARS = 32 * 1024 * 1024
MAX_SEARCHES = 10_000
MAX_ROWS = 2_000_000  # per table: far above any real case, far below what hangs the app
LOAD_DEADLINE = 120.0  # seconds; legitimate 2 GB cases read well within it
KNOWN_TABLES = frozenset({"meta", "blobs", "searches", "thumbnails", "marks", "originals",
                          "checks", "check_results"})

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
    parent_position INTEGER
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


def _dump(value: Any) -> str:
    return redact(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def save_case(case: Case, path: str | os.PathLike[str]) -> None:
    """Write ``case`` to ``path`` atomically (private temp file, fsync, rename); through
    a symlink, the file it points to is updated."""
    atomic_replace(path, lambda tmp: _write(case, tmp))


def _write(case: Case, path: Path) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        # A fresh temp file that is thrown away on failure needs no rollback journal
        # (and so leaves no -journal file with looser permissions beside it).
        db.execute("PRAGMA journal_mode = OFF")
        with db:
            db.executescript(SCHEMA)
            meta = {"format": "bingrev-case", "schema_version": str(SCHEMA_VERSION),
                    "app_version": __version__, "title": redact(case.title),
                    "note": redact(case.note), "created_at": case.created_at,
                    "sample_data": "1" if case.sample_data else "0"}
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            used = {s.preview_sha256 for s in case.searches if s.preview_sha256}
            used |= {d for s in case.searches for d in s.thumbnails.values()}
            used |= {c.sha256 for s in case.searches for c in s.originals.values() if c.sha256}
            # One blob at a time from the disk spool: a save never holds them all in RAM.
            db.executemany("INSERT INTO blobs VALUES (?, ?, ?)",
                           ((d, len(data), data) for d, data in case.blobs.items(sorted(used))))
            for seq, s in enumerate(case.searches):
                db.execute(
                    "INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (s.id, seq, s.created_at, _dump(s.request_body), _dump(s.response_raw),
                     s.elapsed, s.preview_sha256 if s.preview_sha256 in case.blobs else None,
                     s.parent_id, s.parent_position))
                db.executemany("INSERT INTO thumbnails VALUES (?, ?, ?, NULL, NULL)",
                               ((s.id, redact(url), d) for url, d in s.thumbnails.items()
                                if d in case.blobs))
                db.executemany("INSERT INTO thumbnails VALUES (?, ?, NULL, ?, ?)",
                               ((s.id, redact(url), redact(f.reason), f.at)
                                for url, f in s.thumbnail_failures.items()
                                if url not in s.thumbnails))
                db.executemany(
                    "INSERT INTO originals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((s.id, p, redact(c.url), redact(c.final_url),
                      c.sha256 if c.sha256 in case.blobs else None, c.status,
                      c.content_type, c.size, c.fetched_at,
                      redact(c.error) if c.error else None)
                     for p, c in s.originals.items()))
                positions = s.stars | set(s.notes)
                db.executemany("INSERT INTO marks VALUES (?, ?, ?, ?)",
                               ((s.id, p, int(p in s.stars), redact(s.notes.get(p, "")))
                                for p in sorted(positions)))
            for check in case.checks:
                db.execute("INSERT INTO checks VALUES (?, ?, ?, ?)",
                           (check.id, check.started_at, check.finished_at, int(check.cancelled)))
                db.executemany(
                    "INSERT INTO check_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((check.id, r.search_id, r.position, r.kind, redact(r.url), r.state.name,
                      r.status, redact(r.detail), r.sha256, r.checked_at)
                     for r in check.results))
    finally:
        db.close()


def _problem(message: str, path: Path, cause: str) -> CaseFileError:
    return CaseFileError(message, ErrorDetail(url=str(path), cause=cause))


def load_case(path: str | os.PathLike[str], *, deadline: float = LOAD_DEADLINE,
              cancel: threading.Event | None = None) -> Case:
    """Read a case file; raises :class:`CaseFileError` with a plain message.

    The file is a stranger's SQLite database: schema objects we did not create are
    refused before anything is read, lengths are capped, and every statement is
    aborted once ``deadline`` seconds have passed or ``cancel`` is set.
    """
    source = Path(path)
    try:
        if not source.exists():
            raise _problem("The file could not be read: there is no such file (it may have "
                           "been moved or deleted).", source, "missing")
        if not source.is_file():
            raise _problem("This is not a case file (it is a folder or a special file).",
                           source, "not a regular file")
        size = source.stat().st_size
        with open(source, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise _problem(f"The file could not be read: {exc.strerror or exc}.", source,
                       repr(exc)) from None
    if not header.startswith(b"SQLite format 3\x00"):
        raise _problem("This file is not a case file from this app (or it is damaged).",
                       source, "no SQLite header")
    if size > MAX_FILE_BYTES:
        raise _problem("This case file is too large to open.", source, f"{size} bytes")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise _problem("This is a database file, but not a case file from this app.",
                       source, "application_id mismatch")
    try:
        # immutable: never create -wal/-shm files beside it, even in a read-only folder.
        db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise _problem("The case file could not be opened.", source, repr(exc)) from None
    stop_at = time.monotonic() + deadline

    def stopped() -> bool:
        return time.monotonic() > stop_at or (cancel is not None and cancel.is_set())

    # Aborts a long statement from inside SQLite; _read also asks between rows.
    db.set_progress_handler(lambda: int(stopped()), 1000)
    case: Case | None = None
    try:
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_BLOB_BYTES)
        db.execute("PRAGMA trusted_schema = OFF")
        db.execute("PRAGMA query_only = ON")
        db.execute("PRAGMA cell_size_check = ON")
        _check_schema(db, source)
        case = Case()
        _read(db, source, case, stopped)
        return case
    except sqlite3.OperationalError as exc:
        if case is not None:
            case.blobs.close()
        if "interrupted" not in str(exc):
            raise _damaged(source, exc) from None
        if cancel is not None and cancel.is_set():
            raise _problem("Opening the case was cancelled.", source, "cancelled") from None
        raise _problem(f"The case file took longer than {deadline:.0f} seconds to read, so "
                       "opening it was stopped. It may be damaged or made to hang the app.",
                       source, "deadline") from None
    except (sqlite3.DatabaseError, ValueError, TypeError, KeyError, OverflowError,
            RecursionError, MemoryError) as exc:
        if case is not None:
            case.blobs.close()
        raise _damaged(source, exc) from None
    except BaseException:
        if case is not None:
            case.blobs.close()
        raise
    finally:
        db.close()


def _damaged(source: Path, exc: BaseException) -> CaseFileError:
    return _problem("The case file is damaged or incomplete (it may have been cut off while "
                    "copying). Ask for a new copy.", source, repr(exc)[:500])


def _check_schema(db: sqlite3.Connection, source: Path) -> None:
    """Only the plain tables this app creates (and their automatic indexes) may exist:
    a view, trigger or virtual table can make a simple SELECT run forever."""
    for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master"):
        if kind == "table" and name in KNOWN_TABLES and str(sql).startswith("CREATE TABLE"):
            continue
        if kind == "index" and sql is None and str(name).startswith("sqlite_autoindex_"):
            continue
        raise _problem("This case file contains parts this app never writes, so it was not "
                       "opened. It may have been altered.", source,
                       f"unexpected schema object: {kind} {str(name)[:80]}")


def _digest(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
        raise sqlite3.DatabaseError("not a SHA-256 digest")
    return value


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise sqlite3.DatabaseError("not an integer")
    return value


def _text(value: object, limit: int = 8192) -> str:
    if not isinstance(value, str):
        raise sqlite3.DatabaseError("not text")
    return value[:limit]


def _optional_text(value: object, limit: int = 8192) -> str | None:
    return None if value is None else _text(value, limit)


def _json_object(text: object) -> dict[str, Any]:
    if not isinstance(text, str) or len(text) > MAX_JSON_CHARS:
        raise sqlite3.DatabaseError("JSON too large or not text")
    value = json.loads(text)
    if not isinstance(value, dict):
        raise sqlite3.DatabaseError("not a JSON object")
    return value


def _read(db: sqlite3.Connection, source: Path, case: Case,
          stopped: Callable[[], bool]) -> None:
    def rows(sql: str) -> Iterator[Any]:
        for row in db.execute(sql):
            if stopped():
                raise sqlite3.OperationalError("interrupted")
            yield row

    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise _problem("This case file was made by a newer version of the app. Update the "
                       "app to open it.", source, f"schema {version} > {SCHEMA_VERSION}")
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise sqlite3.DatabaseError(f"quick_check: {check}")
    meta = {_text(k, 64): _text(v) for k, v in db.execute("SELECT key, value FROM meta LIMIT 100")}
    if meta.get("format") != "bingrev-case":
        raise _problem("This is a database file, but not a case file from this app.",
                       source, "meta.format missing")
    case.title = meta.get("title", "Untitled case")
    case.note = meta.get("note", "")
    case.created_at = meta.get("created_at", "")
    case.sample_data = meta.get("sample_data") == "1"
    for digest, data in rows("SELECT sha256, data FROM blobs"):
        if not isinstance(data, bytes) or sha256(data) != digest:
            raise sqlite3.DatabaseError(f"blob {str(digest)[:12]} does not match its hash")
        case.blobs.put(digest, data)  # to the disk spool, one at a time
    for row in rows("SELECT id, created_at, request_json, response_json, elapsed, "
                    "preview_sha256, parent_id, parent_position FROM searches ORDER BY seq "
                    f"LIMIT {MAX_SEARCHES}"):
        request, response = _json_object(row[2]), _json_object(row[3])
        record = SearchRecord(
            id=int(row[0]), created_at=_text(row[1], 64),
            request_body={str(k): str(v) for k, v in request.items()},
            response_raw=response, elapsed=float(row[4] or 0.0),
            preview_sha256=_digest(row[5]), parent_id=_optional_int(row[6]),
            parent_position=_optional_int(row[7]))
        # Everything the window will do with the record must work: check it now, so
        # a crafted or damaged file is refused at the door instead of failing later.
        SearchRequest.from_body(record.request_body)
        record._response = parse_response(record.response_raw)  # parsed here, in the worker
        case.searches.append(record)
    by_id = {s.id: s for s in case.searches}
    columns = "sha256, error, failed_at" if version >= 2 else "sha256, NULL, NULL"
    for search_id, url, digest, error, failed_at in rows(
            f"SELECT search_id, url, {columns} FROM thumbnails LIMIT {MAX_ROWS}"):
        owner = by_id.get(search_id)
        if owner is None:
            continue
        if digest is not None and _digest(digest) in case.blobs:
            owner.thumbnails[_text(url)] = str(digest)
        elif digest is None and error is not None:
            owner.thumbnail_failures[_text(url)] = ThumbnailFailure(
                _text(error, 1000), _text(failed_at or "", 64))
    for search_id, position, starred, note in rows(
            f"SELECT search_id, position, starred, note FROM marks LIMIT {MAX_ROWS}"):
        marked = by_id.get(search_id)
        if marked is None:
            continue
        position = int(position)
        if starred:
            marked.stars.add(position)
        if note:
            marked.notes[position] = _text(note, 100_000)
    if version >= 2:
        _read_evidence(db, case, by_id)


def _read_evidence(db: sqlite3.Connection, case: Case, by_id: dict[int, SearchRecord]) -> None:
    for row in db.execute("SELECT search_id, position, url, final_url, sha256, status, "
                          f"content_type, size, fetched_at, error FROM originals LIMIT {MAX_ROWS}"):
        record = by_id.get(row[0])
        digest = _digest(row[4])
        if record is None:
            continue
        record.originals[int(row[1])] = KeptCopy(
            url=_text(row[2]), final_url=_text(row[3]),
            sha256=digest if digest in case.blobs else None, status=_optional_int(row[5]),
            content_type=_optional_text(row[6], 200), size=int(row[7]),
            fetched_at=_text(row[8], 64), error=_optional_text(row[9], 1000))
    checks: dict[int, LinkCheck] = {}
    for check_id, started, finished, cancelled in db.execute(
            f"SELECT id, started_at, finished_at, cancelled FROM checks ORDER BY id "
            f"LIMIT {MAX_SEARCHES}"):
        checks[int(check_id)] = LinkCheck(int(check_id), _text(started, 64),
                                          _optional_text(finished, 64), bool(cancelled))
    for row in db.execute("SELECT check_id, search_id, position, kind, url, state, status, "
                          f"detail, sha256, checked_at FROM check_results LIMIT {MAX_ROWS}"):
        check = checks.get(row[0])
        if check is None or row[1] not in by_id:
            continue
        check.results.append(LinkResult(
            search_id=int(row[1]), position=int(row[2]), kind=_text(row[3], 16),
            url=_text(row[4]), state=LinkState[_text(row[5], 16)], checked_at=_text(row[9], 64),
            status=_optional_int(row[6]), detail=_text(row[7], 1000), sha256=_digest(row[8])))
    case.checks = list(checks.values())
