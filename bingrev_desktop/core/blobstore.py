"""Image bytes on disk, not in RAM: a content-addressed spool behind every open case.

A case can hold thousands of thumbnails and full-size copies; keeping them in
memory made RAM grow with every search. The spool is a private SQLite file
(0600) that is unlinked as soon as it is open on POSIX, so it vanishes with the
process even after a crash. Blobs are immutable and keyed by SHA-256, so one
store can be shared by a case and the snapshots that save it from worker threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path

SPOOL_PREFIX = "bingrev-spool-"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _spool_dir() -> Path:
    from .settings import data_dir  # the spool lives beside the autosave

    return data_dir() / "spool"


def _close(db: sqlite3.Connection, path: Path | None) -> None:
    with contextlib.suppress(sqlite3.Error):
        db.close()
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


class BlobStore:
    """Thread-safe ``sha256 -> bytes`` on disk; only sizes are kept in memory."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or _spool_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=".db", dir=folder)
        except OSError:  # no writable data folder: the system temp folder still works
            fd, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=".db")
        os.close(fd)  # mkstemp made it 0600; SQLite reuses the (empty) file
        path: Path | None = Path(name)
        self._db = sqlite3.connect(name, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")  # a spool: nothing to roll back to
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")
        if os.name == "posix" and path is not None:
            with contextlib.suppress(OSError):
                path.unlink()  # the open handle keeps it; nothing is left after a crash
                path = None
        self._lock = threading.Lock()
        self._sizes: dict[str, int] = {}
        self._finalizer = weakref.finalize(self, _close, self._db, path)

    def close(self) -> None:
        self._finalizer()

    def add(self, data: bytes) -> str:
        digest = sha256(data)
        self.put(digest, data)
        return digest

    def put(self, digest: str, data: bytes) -> None:
        """Store bytes already known to hash to ``digest`` (the caller checked)."""
        with self._lock:
            if digest in self._sizes:
                return
            self._db.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?)", (digest, data))
            self._sizes[digest] = len(data)

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Many ``put``s in one transaction: an opened case's pictures go to the spool
        in one write instead of one per picture."""
        added: list[str] = []
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for digest, data in items:
                    if digest not in self._sizes:
                        self._db.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?)",
                                         (digest, data))
                        self._sizes[digest] = len(data)
                        added.append(digest)
            except BaseException:
                # The spool keeps no journal, so the rows may stay: forgetting their
                # sizes is what makes them unreachable (get() asks the sizes first).
                for digest in added:
                    del self._sizes[digest]
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get(self, digest: str | None) -> bytes | None:
        if not digest:
            return None
        with self._lock:
            if digest not in self._sizes:
                return None
            row = self._db.execute("SELECT data FROM blobs WHERE sha256 = ?",
                                   (digest,)).fetchone()
        return bytes(row[0]) if row else None

    def size(self, digest: str | None) -> int | None:
        with self._lock:
            return self._sizes.get(digest or "")

    def __contains__(self, digest: object) -> bool:
        with self._lock:
            return digest in self._sizes

    def __len__(self) -> int:
        with self._lock:
            return len(self._sizes)

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._sizes))

    def items(self, digests: Iterable[str] | None = None) -> Iterator[tuple[str, bytes]]:
        """Yield blobs one at a time, so a save never holds them all in memory."""
        for digest in list(self) if digests is None else digests:
            data = self.get(digest)
            if data is not None:
                yield digest, data

    def total_bytes(self) -> int:
        with self._lock:
            return sum(self._sizes.values())


def clean_stale_spools(folder: Path | None = None) -> int:
    """Remove spool files a crashed process left (only on systems that cannot unlink
    open files). Files still open elsewhere are skipped by the OS refusing the delete."""
    folder = folder or _spool_dir()
    removed = 0
    with contextlib.suppress(OSError):
        for path in folder.glob(f"{SPOOL_PREFIX}*.db"):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed
