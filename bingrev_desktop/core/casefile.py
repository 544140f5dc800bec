"""``.bingrev`` case files: one SQLite file, written atomically, read defensively.

A save writes a complete new database next to the target and renames it over
the old file only after it is fsynced, so a crash or kill at any point leaves
the previous file intact. Opening checks that the file is SQLite, is ours, is
not from a newer version and passes SQLite's integrity check, and explains in
plain words when it is not. The API key is never stored.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from .. import __version__
from .case import Case, SearchRecord, sha256
from .errors import BingrevError, ErrorDetail
from .redact import redact
from .request import SearchRequest
from .response import parse_response

SCHEMA_VERSION = 1
APPLICATION_ID = 0x42524556  # "BREV" in the SQLite header's application_id field
EXTENSION = ".bingrev"
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024

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
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (search_id, url)
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
    """Write ``case`` to ``path`` atomically (temp file, fsync, rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _write(case, tmp)
        os.chmod(tmp, 0o600)  # investigations are private: not readable by other users
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(case: Case, path: Path) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode = DELETE")
        with db:
            db.executescript(SCHEMA)
            meta = {"format": "bingrev-case", "schema_version": str(SCHEMA_VERSION),
                    "app_version": __version__, "title": redact(case.title),
                    "note": redact(case.note), "created_at": case.created_at,
                    "sample_data": "1" if case.sample_data else "0"}
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            used = {s.preview_sha256 for s in case.searches if s.preview_sha256}
            used |= {d for s in case.searches for d in s.thumbnails.values()}
            db.executemany("INSERT INTO blobs VALUES (?, ?, ?)",
                           ((d, len(case.blobs[d]), case.blobs[d]) for d in used
                            if d in case.blobs))
            for seq, s in enumerate(case.searches):
                db.execute(
                    "INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (s.id, seq, s.created_at, _dump(s.request_body), _dump(s.response_raw),
                     s.elapsed, s.preview_sha256 if s.preview_sha256 in case.blobs else None,
                     s.parent_id, s.parent_position))
                db.executemany("INSERT INTO thumbnails VALUES (?, ?, ?)",
                               ((s.id, url, d) for url, d in s.thumbnails.items()
                                if d in case.blobs))
                positions = s.stars | set(s.notes)
                db.executemany("INSERT INTO marks VALUES (?, ?, ?, ?)",
                               ((s.id, p, int(p in s.stars), redact(s.notes.get(p, "")))
                                for p in sorted(positions)))
    finally:
        db.close()


def _problem(message: str, path: Path, cause: str) -> CaseFileError:
    return CaseFileError(message, ErrorDetail(url=str(path), cause=cause))


def load_case(path: str | os.PathLike[str]) -> Case:
    """Read a case file; raises :class:`CaseFileError` with a plain message."""
    source = Path(path)
    try:
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
        db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _problem("The case file could not be opened.", source, repr(exc)) from None
    try:
        return _read(db, source)
    except (sqlite3.DatabaseError, ValueError, TypeError, KeyError, OverflowError) as exc:
        raise _problem("The case file is damaged or incomplete (it may have been cut off "
                       "while copying). Ask for a new copy.", source, repr(exc)) from None
    finally:
        db.close()


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


def _read(db: sqlite3.Connection, source: Path) -> Case:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise _problem("This case file was made by a newer version of the app. Update the "
                       "app to open it.", source, f"schema {version} > {SCHEMA_VERSION}")
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise sqlite3.DatabaseError(f"quick_check: {check}")
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("format") != "bingrev-case":
        raise _problem("This is a database file, but not a case file from this app.",
                       source, "meta.format missing")
    case = Case(title=meta.get("title", "Untitled case"), note=meta.get("note", ""),
                created_at=meta.get("created_at", ""),
                sample_data=meta.get("sample_data") == "1")
    for digest, data in db.execute("SELECT sha256, data FROM blobs"):
        if not isinstance(data, bytes) or sha256(data) != digest:
            raise sqlite3.DatabaseError(f"blob {digest[:12]} does not match its hash")
        case.blobs[digest] = bytes(data)
    rows = db.execute("SELECT id, created_at, request_json, response_json, elapsed, "
                      "preview_sha256, parent_id, parent_position FROM searches ORDER BY seq")
    for row in rows:
        request, response = json.loads(row[2]), json.loads(row[3])
        if not isinstance(request, dict) or not isinstance(response, dict):
            raise sqlite3.DatabaseError(f"search {row[0]} is not valid")
        record = SearchRecord(
            id=int(row[0]), created_at=str(row[1]),
            request_body={str(k): str(v) for k, v in request.items()},
            response_raw=response, elapsed=float(row[4] or 0.0),
            preview_sha256=_digest(row[5]), parent_id=_optional_int(row[6]),
            parent_position=_optional_int(row[7]))
        # Everything the window will do with the record must work: check it now, so
        # a crafted or damaged file is refused at the door instead of failing later.
        SearchRequest.from_body(record.request_body)
        parse_response(record.response_raw)
        case.searches.append(record)
    by_id = {s.id: s for s in case.searches}
    for search_id, url, digest in db.execute("SELECT search_id, url, sha256 FROM thumbnails"):
        if search_id in by_id and _digest(digest) in case.blobs:
            by_id[search_id].thumbnails[str(url)] = str(digest)
    for search_id, position, starred, note in db.execute(
            "SELECT search_id, position, starred, note FROM marks"):
        marked = by_id.get(search_id)
        if marked is None:
            continue
        position = int(position)
        if starred:
            marked.stars.add(position)
        if note:
            marked.notes[position] = str(note)
    return case
