"""The one way this app writes a file: private (0600) and atomic.

A temp file is created next to the target with ``O_EXCL`` (so a planted symlink
at the temp name is never followed), written, fsynced, then renamed over the
target. A killed write leaves the old file intact; the temp files it leaves
behind carry our prefix and are cleaned on the next start.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path

TEMP_PREFIX = ".bingrev-tmp-"
STALE_AFTER = 24 * 3600.0


def resolve_target(path: str | os.PathLike[str]) -> Path:
    """Writing through a symlink updates the file it points to, not the link."""
    target = Path(path)
    with contextlib.suppress(OSError):
        if target.is_symlink():
            return target.resolve()
    return target


def is_read_only(path: str | os.PathLike[str]) -> bool:
    """The file exists and its owner may not write it (judged by the mode bits, so a
    file marked read-only counts as such even for an administrator)."""
    try:
        mode = resolve_target(path).stat().st_mode
    except OSError:
        return False
    return not mode & stat.S_IWUSR


def temp_path_for(target: Path) -> Path:
    return target.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}-{target.name}"


def create_private(path: Path) -> int:
    """Open a new file 0600 for writing; fails if anything (even a link) is there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_replace(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Let ``write`` fill a new private temp file beside ``path``, then swap it in.

    The temp file exists (empty, 0600) before ``write`` runs, so anything that
    reopens it by name (SQLite does) keeps the mode. A failure removes it.
    """
    target = resolve_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(target)
    os.close(create_private(tmp))
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> int:
    """Write ``data`` to ``path`` privately and atomically; returns the byte count."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    atomic_replace(path, lambda tmp: tmp.write_bytes(payload))
    return len(payload)


def clean_stale_temp_files(folder: Path, older_than: float = STALE_AFTER) -> int:
    """Remove our temp files that a killed write left behind (older than a day)."""
    removed = 0
    cutoff = time.time() - older_than
    with contextlib.suppress(OSError):
        for candidate in folder.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if candidate.is_file() and candidate.lstat().st_mtime < cutoff:
                    candidate.unlink()
                    removed += 1
    return removed
