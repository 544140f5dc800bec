"""Reading a case file's rows: a stranger's file, so every value is checked and every
table has a row limit (see :func:`casefile.load_case` for the connection's guards)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
from .casefile_schema import (
    KNOWN_TABLES,
    MAX_JSON_CHARS,
    MAX_ROWS,
    MAX_SEARCHES,
    SCHEMA_VERSION,
    problem,
)
from .duplicates import from_text
from .request import SearchRequest
from .series import shown_first

_SHA256 = re.compile(r"[0-9a-f]{64}")
STOP_CHECK_ROWS = 64  # the progress handler also stops a long statement inside SQLite


def check_schema(db: sqlite3.Connection, source: Path) -> None:
    """Only the plain tables this app creates (and their automatic indexes) may exist:
    a view, trigger or virtual table can make a simple SELECT run forever."""
    for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master"):
        if kind == "table" and name in KNOWN_TABLES and str(sql).startswith("CREATE TABLE"):
            continue
        if kind == "index" and sql is None and str(name).startswith("sqlite_autoindex_"):
            continue
        raise problem("This case file contains parts this app never writes, so it was not "
                       "opened. It may have been altered.", source,
                       f"unexpected schema object: {kind} {str(name)[:80]}")


def _digest(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise sqlite3.DatabaseError("not a SHA-256 digest")
    return value


def _fingerprint(value: object) -> str | None:
    """A stored fingerprint, or None: a malformed one is dropped and taken again from
    the picture, not a reason to refuse the whole case."""
    if not isinstance(value, str) or len(value) > 1000:
        return None
    good = [part for part in value.split(",") if from_text(part) is not None]
    return ",".join(good) or None


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


def read_case(db: sqlite3.Connection, source: Path, case: Case,
          stopped: Callable[[], bool]) -> None:
    def rows(sql: str, every: int = STOP_CHECK_ROWS) -> Iterator[Any]:
        # Asked every few rows: thousands of calls to the clock cost more than the rows.
        for number, row in enumerate(db.execute(sql)):
            if number % every == 0 and stopped():
                raise sqlite3.OperationalError("interrupted")
            yield row

    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise problem("This case file was made by a newer version of the app. Update the "
                       "app to open it.", source, f"schema {version} > {SCHEMA_VERSION}")
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise sqlite3.DatabaseError(f"quick_check: {check}")
    meta = {_text(k, 64): _text(v) for k, v in db.execute("SELECT key, value FROM meta LIMIT 100")}
    if meta.get("format") != "bingrev-case":
        raise problem("This is a database file, but not a case file from this app.",
                       source, "meta.format missing")
    case.title = meta.get("title", "Untitled case")
    case.note = meta.get("note", "")
    case.created_at = meta.get("created_at", "")
    case.sample_data = meta.get("sample_data") == "1"
    def checked_blobs() -> Iterator[tuple[str, bytes]]:
        for digest, data in rows("SELECT sha256, data FROM blobs", every=1):  # up to 30 MB
            if not isinstance(data, bytes) or sha256(data) != digest:
                raise sqlite3.DatabaseError(f"blob {str(digest)[:12]} does not match its hash")
            yield digest, data

    case.blobs.put_many(checked_blobs())  # to the disk spool, one row at a time
    sweep = "sweep" if version >= 3 else "NULL"
    query_print = "query_print" if version >= 4 else "NULL"
    for row in rows("SELECT id, created_at, request_json, response_json, elapsed, "
                    f"preview_sha256, parent_id, parent_position, {sweep}, {query_print} "
                    f"FROM searches ORDER BY seq LIMIT {MAX_SEARCHES}"):
        request, response = _json_object(row[2]), _json_object(row[3])
        record = SearchRecord(
            id=int(row[0]), created_at=_text(row[1], 64),
            request_body={str(k): str(v) for k, v in request.items()},
            response_raw=response, elapsed=float(row[4] or 0.0),
            preview_sha256=_digest(row[5]), parent_id=_optional_int(row[6]),
            parent_position=_optional_int(row[7]), sweep=_optional_int(row[8]),
            query_print=_fingerprint(row[9]))  # the image's, and its crop's
        # Everything the window will do with the record must work: check it now, so
        # a crafted or damaged file is refused at the door instead of failing later.
        SearchRequest.from_body(record.request_body)
        _ = record.result_count  # counted here, not by the history on the GUI thread
        case.searches.append(record)
    # Parsed here, in the worker: what the window shows first. The rest of the answers
    # are parsed on first use, or by the window in a worker once the case is on screen.
    # Parsing never raises on a JSON object, whatever its fields hold (tests/test_case_open
    # feeds it hostile values), so a later parse cannot fail on an accepted file.
    for record in shown_first(case):
        record.parse()
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
    if version >= 4:  # older cases get theirs from the stored pictures, in the window
        for digest, value in rows(f"SELECT sha256, print FROM fingerprints LIMIT {MAX_ROWS}"):
            if from_text(value) is not None and _digest(digest) in case.blobs:
                case.prints[str(digest)] = str(value)  # checked again when shown


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
