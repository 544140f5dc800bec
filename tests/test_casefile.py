"""Case files: round trip, atomic saves, and clear messages for bad files (no display)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bingrev_desktop.core.case import Case, sha256
from bingrev_desktop.core.casefile import (
    APPLICATION_ID,
    CaseFileError,
    load_case,
    save_case,
)
from bingrev_desktop.core.request import SearchRequest
from bingrev_desktop.core.response import parse_response

ROOT = Path(__file__).resolve().parents[1]


def sample_case(n: int = 3, thumbs: int = 5, thumb_size: int = 2000) -> Case:
    case = Case(title="Harbour photo", note="Who posted it first?")
    parent = None
    for i in range(n):
        request = SearchRequest.create(f"https://img.example.org/{i}.png",
                                       crop=(0.1, 0.2, 0.9, 0.8) if i == 1 else None,
                                       mkt="de-DE", count=thumbs)
        raw = {"search_metadata": {"id": f"ID{i}"}, "total_credits_used": 1,
               "related_content": [{"position": p + 1, "title": f"<b>T{p}</b> & co",
                                    "thumbnail": f"https://t.example.org/{i}/{p}.png",
                                    "original": f"https://o.example.org/{i}/{p}.png"}
                                   for p in range(thumbs)]}
        record = case.add_search(request, parse_response(raw), elapsed=1.5,
                                 preview=bytes([i]) * 100, parent=parent)
        for p in range(thumbs - 1):  # the last thumbnail was never loaded
            case.add_thumbnail(record, f"https://t.example.org/{i}/{p}.png",
                               os.urandom(thumb_size))
        record.stars.add(2)
        record.notes[1] = f"note on {i}"
        parent = (record.id, 3)
    return case


def test_round_trip(tmp_path: Path) -> None:
    case = sample_case()
    path = tmp_path / "case.bingrev"
    save_case(case, path)
    loaded = load_case(path)
    assert (loaded.title, loaded.note) == (case.title, case.note)
    assert [s.id for s in loaded.searches] == [1, 2, 3]
    assert loaded.searches[1].crop_fractions() == (0.1, 0.2, 0.9, 0.8)
    assert loaded.searches[2].parent_id == 2 and loaded.searches[2].parent_position == 3
    assert loaded.depth(loaded.searches[2]) == 2
    for original, copy in zip(case.searches, loaded.searches, strict=True):
        assert copy.request_body == original.request_body
        assert copy.response_raw == original.response_raw
        assert copy.stars == {2} and copy.notes == {1: original.notes[1]}
        assert copy.thumbnails == original.thumbnails
        assert loaded.preview(copy) == case.preview(original)
        assert copy.preview_sha256 == sha256(case.preview(original) or b"")
        assert copy.response.results[0].title == "<b>T0</b> & co"
    assert dict(loaded.blobs.items()) == dict(case.blobs.items())


def test_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "new.bingrev"
    save_case(sample_case(1), path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(CaseFileError, match="newer version of the app"):
        load_case(path)


@pytest.mark.parametrize("kind", ["truncated", "corrupt", "not-sqlite", "other-sqlite",
                                  "empty", "missing", "bad-blob"])
def test_bad_files_explain_themselves(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.bingrev"
    if kind not in ("missing", "other-sqlite"):
        save_case(sample_case(2, thumb_size=20_000), path)
    data = path.read_bytes() if path.exists() else b""
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "corrupt":
        path.write_bytes(data[:4096] + os.urandom(len(data) - 8192) + data[-4096:])
    elif kind == "not-sqlite":
        path.write_bytes(b"%PDF-1.4 this is a pdf")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "other-sqlite":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE t (x)")
        db.commit()
        db.close()
    elif kind == "bad-blob":
        db = sqlite3.connect(path)
        db.execute("UPDATE blobs SET data = x'00' WHERE rowid = 1")
        db.commit()
        db.close()
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(CaseFileError) as info:
        load_case(path)
    message = str(info.value)
    assert "Traceback" not in message and len(message) < 200
    assert any(w in message for w in ("not a case file", "damaged", "could not be read"))
    assert info.value.technical_text()
    if before is not None:
        assert path.read_bytes() == before  # opening never changes the file


def test_application_id_is_set(tmp_path: Path) -> None:
    path = tmp_path / "c.bingrev"
    save_case(Case(), path)
    assert int.from_bytes(path.read_bytes()[68:72], "big") == APPLICATION_ID
    assert load_case(path).searches == []


KILLER = r"""
import sys
from tests.test_casefile import sample_case
from bingrev_desktop.core.casefile import save_case
case = sample_case(6, thumbs=40, thumb_size=40_000)
print("ready", flush=True)
while True:
    save_case(case, sys.argv[1])
"""


def test_kill_during_save_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "case.bingrev"
    save_case(sample_case(1), path)
    old = path.read_bytes()
    for delay in (0.05, 0.13, 0.21, 0.34):
        child = subprocess.Popen([sys.executable, "-c", KILLER, str(path)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        case = load_case(path)  # always a complete file: the old one or a finished new one
        assert len(case.searches) in (1, 6)
        if len(case.searches) == 1:
            assert path.read_bytes() == old
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert all(p.name.startswith(".case.bingrev.") for p in leftovers)
