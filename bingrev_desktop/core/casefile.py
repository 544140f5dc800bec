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
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from .. import __version__
from .case import Case
from .case_copies import record_copies
from .casefile_read import check_schema, read_case
from .casefile_schema import (
    APPLICATION_ID,
    EXTENSION,
    LOAD_DEADLINE,
    MAX_BLOB_BYTES,
    MAX_FILE_BYTES,
    SCHEMA,
    SCHEMA_VERSION,
    CaseFileError,
    damaged,
    problem,
)
from .files import atomic_replace
from .redact import redact

__all__ = ["APPLICATION_ID", "EXTENSION", "SCHEMA_VERSION", "CaseFileError", "load_case",
           "save_case"]

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
                    "INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (s.id, seq, s.created_at, _dump(s.request_body), _dump(s.response_raw),
                     s.elapsed, s.preview_sha256 if s.preview_sha256 in case.blobs else None,
                     s.parent_id, s.parent_position, s.sweep, s.query_print))
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
                db.executemany("INSERT INTO copies VALUES (?, ?, ?, ?, ?, ?)",
                               ((s.id, p, c.group, c.size, int(c.likely_original), c.closeness)
                                for p, c in sorted(record_copies(case, s).items())))
                positions = s.stars | set(s.notes)
                db.executemany("INSERT INTO marks VALUES (?, ?, ?, ?)",
                               ((s.id, p, int(p in s.stars), redact(s.notes.get(p, "")))
                                for p in sorted(positions)))
            db.executemany("INSERT INTO fingerprints VALUES (?, ?)",
                           sorted((d, p) for d, p in case.prints.items() if d in used))
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
            raise problem("The file could not be read: there is no such file (it may have "
                           "been moved or deleted).", source, "missing")
        if not source.is_file():
            raise problem("This is not a case file (it is a folder or a special file).",
                           source, "not a regular file")
        size = source.stat().st_size
        with open(source, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise problem(f"The file could not be read: {exc.strerror or exc}.", source,
                       repr(exc)) from None
    if not header.startswith(b"SQLite format 3\x00"):
        raise problem("This file is not a case file from this app (or it is damaged).",
                       source, "no SQLite header")
    if size > MAX_FILE_BYTES:
        raise problem("This case file is too large to open.", source, f"{size} bytes")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise problem("This is a database file, but not a case file from this app.",
                       source, "application_id mismatch")
    try:
        # immutable: never create -wal/-shm files beside it, even in a read-only folder.
        db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise problem("The case file could not be opened.", source, repr(exc)) from None
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
        check_schema(db, source)
        case = Case()
        read_case(db, source, case, stopped)
        return case
    except sqlite3.OperationalError as exc:
        if case is not None:
            case.blobs.close()
        if "interrupted" not in str(exc):
            raise damaged(source, exc) from None
        if cancel is not None and cancel.is_set():
            raise problem("Opening the case was cancelled.", source, "cancelled") from None
        raise problem(f"The case file took longer than {deadline:.0f} seconds to read, so "
                       "opening it was stopped. It may be damaged or made to hang the app.",
                       source, "deadline") from None
    except (sqlite3.DatabaseError, ValueError, TypeError, KeyError, OverflowError,
            RecursionError, MemoryError) as exc:
        if case is not None:
            case.blobs.close()
        raise damaged(source, exc) from None
    except BaseException:
        if case is not None:
            case.blobs.close()
        raise
    finally:
        db.close()
