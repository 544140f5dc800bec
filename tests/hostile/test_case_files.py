"""Case files from strangers: crafted SQLite that tries to hang, bloat or mislead.

Each must end with a clear message within seconds, change nothing, and leave no
files behind.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bingrev_desktop.core.case import Case
from bingrev_desktop.core.casefile import APPLICATION_ID, CaseFileError, load_case, save_case
from bingrev_desktop.core.files import TEMP_PREFIX, clean_stale_temp_files

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "sample.bingrev"


def crafted(tmp_path: Path, name: str, sql: str) -> Path:
    """The sample case with ``sql`` run on a copy (tables replaced, things added)."""
    path = tmp_path / f"{name}.bingrev"
    shutil.copy(SAMPLE, path)
    with sqlite3.connect(path) as db:
        db.executescript(sql)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    return path


HOSTILE_SQL = {
    "recursive-view": """DROP TABLE meta; CREATE VIEW meta(key, value) AS
        WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT 'k', n FROM r;""",
    "zeroblob-view": """ALTER TABLE searches RENAME TO old_searches;
        CREATE VIEW searches AS SELECT id, seq, created_at, request_json,
        zeroblob(450000000) AS response_json, elapsed, preview_sha256, parent_id,
        parent_position FROM old_searches;""",
    "trigger": """CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END;""",
    "extra-table": """CREATE TABLE surprise (x);""",
    "index-with-sql": """CREATE INDEX i ON blobs(size);""",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SQL))
def test_schema_objects_we_never_write_are_refused(tmp_path: Path, name: str) -> None:
    path = crafted(tmp_path, name, HOSTILE_SQL[name])
    before = path.read_bytes()
    start = time.monotonic()
    with pytest.raises(CaseFileError, match="parts this app never writes"):
        load_case(path)
    assert time.monotonic() - start < 5
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no -wal, -shm, temp


def test_the_cli_ends_quickly_on_a_hanging_file(tmp_path: Path) -> None:
    path = crafted(tmp_path, "hang", HOSTILE_SQL["recursive-view"])
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "export", str(path),
                           "--json", str(tmp_path / "out.json")],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=60)
    assert time.monotonic() - start < 20
    assert done.returncode == 1 and "never writes" in done.stderr
    assert not (tmp_path / "out.json").exists()


def deep_json(tmp_path: Path) -> Path:
    nested = "[" * 100_000 + "]" * 100_000
    return crafted(tmp_path, "deep", f"UPDATE searches SET response_json = '{nested}';")


def huge_row(tmp_path: Path) -> Path:
    return crafted(tmp_path, "huge", "UPDATE searches SET response_json = "
                   "'{\"x\":\"' || hex(zeroblob(20000000)) || '\"}' WHERE rowid = 1;")


@pytest.mark.parametrize("make", [deep_json, huge_row], ids=["deep-json", "huge-row"])
def test_damaged_content_is_a_message_not_a_crash(tmp_path: Path,
                                                  make: Callable[[Path], Path]) -> None:
    path = make(tmp_path)
    start = time.monotonic()
    with pytest.raises(CaseFileError, match="damaged"):
        load_case(path)
    assert time.monotonic() - start < 10
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "export", str(path),
                           "--json", str(tmp_path / "o.json")],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_deadline_and_cancel(tmp_path: Path) -> None:
    import threading

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CaseFileError, match="cancelled"):
        load_case(SAMPLE, cancel=cancel)
    with pytest.raises(CaseFileError, match="longer than"):
        load_case(SAMPLE, deadline=0)


def test_wal_file_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "wal.bingrev"
    shutil.copy(SAMPLE, path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    folder.chmod(0o555)
    try:
        case = load_case(path)
        assert case.searches
        assert sorted(p.name for p in folder.iterdir()) == ["wal.bingrev"]
    finally:
        folder.chmod(0o755)


def test_fifo_and_folder_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.bingrev"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "export", str(fifo),
                           "--json", str(tmp_path / "o.json")],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 1 and "special file" in done.stderr
    with pytest.raises(CaseFileError, match="special file"):
        load_case(tmp_path)


def test_save_through_a_symlink_updates_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.bingrev"
    save_case(Case(title="first"), real)
    link = tmp_path / "link.bingrev"
    link.symlink_to(real)
    save_case(Case(title="second"), link)
    assert link.is_symlink() and load_case(real).title == "second"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_temp_files_are_private_exclusive_and_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "case.bingrev"
    seen: list[int] = []
    real_write = sqlite3.connect

    def spy(path: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        if TEMP_PREFIX in str(path):
            seen.append(stat.S_IMODE(os.stat(str(path)).st_mode))
        return real_write(path, *args, **kwargs)  # type: ignore[arg-type]

    sqlite3.connect = spy  # type: ignore[assignment]
    try:
        save_case(Case(), target)
    finally:
        sqlite3.connect = real_write
    assert seen == [0o600]
    assert [p.name for p in tmp_path.iterdir()] == ["case.bingrev"]
    stale = tmp_path / f"{TEMP_PREFIX}abc-case.bingrev"
    stale.write_bytes(b"x" * 10)
    fresh = tmp_path / f"{TEMP_PREFIX}def-case.bingrev"
    fresh.write_bytes(b"x")
    os.utime(stale, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    assert clean_stale_temp_files(tmp_path) == 1
    assert fresh.exists() and not stale.exists()


def test_export_does_not_follow_a_planted_symlink(tmp_path: Path, monkeypatch:
                                                   pytest.MonkeyPatch) -> None:
    from bingrev_desktop.core import files

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    monkeypatch.setattr(files, "temp_path_for", lambda target: tmp_path / "planted")
    (tmp_path / "planted").symlink_to(victim)
    with pytest.raises(FileExistsError):
        files.atomic_write(tmp_path / "report.html", "<html>")
    assert victim.read_text() == "keep me"


def test_read_only_case_is_not_silently_replaced_by_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "ro.bingrev"
    save_case(Case(), path)
    path.chmod(0o400)
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "search",
                           "https://example.org/a.png", "--case", str(path)],
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "BINGREV_API_KEY": "k" * 16,
                               "BINGREV_API_BASE": "http://127.0.0.1:9"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "read-only" in done.stderr
    assert json.dumps(load_case(path).title)
