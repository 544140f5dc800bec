"""The open case: what is recorded, whether it is saved, and autosave.

Saving runs in a worker thread on a snapshot, so the window never waits for
the disk. Autosave writes to the user's data folder a few seconds after each
change; a clean exit removes it, so finding it at start means the app did not
exit cleanly and the work can be restored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from ...core.case import Case, KeptCopy, SearchRecord, ThumbnailFailure
from ...core.casefile import EXTENSION, load_case, save_case
from ...core.client import SearchOutcome
from ...core.files import atomic_write
from ...core.settings import data_dir
from ..common.tasks import TaskSet, in_worker

log = logging.getLogger("bingrev_desktop.case")
AUTOSAVE_DELAY_MS = 3000
# A full disk shows up as sqlite3.OperationalError, not OSError.
SAVE_ERRORS = (OSError, sqlite3.Error, OverflowError, ValueError)


MAX_SLOTS = 20


def claim_autosave_slot(folder: Path) -> tuple[Path, QLockFile]:
    """Each running instance autosaves into its own numbered slot, held by a lock file.

    A slot whose lock can be taken belongs to no running instance, so an autosave found
    there was left by one that crashed or was killed: that is what gets offered back.
    QLockFile spots stale locks of dead processes on every platform.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, MAX_SLOTS + 1):
        lock = QLockFile(str(folder / f"unsaved-{number}.lock"))
        lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
        owner = folder / f"unsaved-{number}.owner"
        if not lock.tryLock(0) and _owner_is_gone(lock, owner):
            lock.removeStaleLockFile()
        if lock.isLocked() or lock.tryLock(0):
            with contextlib.suppress(OSError):
                os.chmod(folder / f"unsaved-{number}.lock", 0o600)
                atomic_write(owner, _process_identity(os.getpid()) or "")
            return folder / f"unsaved-{number}{EXTENSION}", lock
    raise OSError("every autosave slot is in use")


def _process_identity(pid: int) -> str | None:
    """PID plus the process's start time (Linux): a reused PID gets another identity."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return f"{pid} {fields[19]}" if len(fields) > 19 else None


def _owner_is_gone(lock: QLockFile, owner: Path) -> bool:
    """QLockFile sees a live process with the same name; is it the one that locked?"""
    info = lock.getLockInfo()  # PySide6: (pid, host, app)
    if not isinstance(info, tuple) or len(info) < 3 or not isinstance(info[-3], int):
        return False
    pid = info[-3]
    try:
        recorded = owner.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return bool(pid and recorded) and recorded.split()[0] == str(pid) and \
        _process_identity(int(pid)) not in (None, recorded)


REST_PAUSE = 0.03  # seconds between the answers an opened case parses after its first


class CaseSession(QObject):
    changed = Signal()  # title, dirty flag or history changed
    replaced = Signal()  # another case object is now the open one
    saveFailed = Signal(object)

    def __init__(self, parent: QObject | None = None, *, autosave: Path | None = None) -> None:
        """``autosave`` fixes the autosave file (tests); by default a slot is claimed."""
        super().__init__(parent)
        self.case = Case()
        self.path: Path | None = None
        self.dirty = False
        self.current: SearchRecord | None = None
        self.autosave_file: Path | None = autosave
        self._autosave_lock: QLockFile | None = None
        self.tasks = TaskSet()
        self._fetching: set[int] = set()  # ids of records whose pictures may be fetched
        self._changes = 0
        self._save_lock = asyncio.Lock()
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(lambda: self.tasks.spawn(self.autosave()))

    def stop_autosave(self) -> None:
        """The window is closing: no more timed saves (the autosave file stays until
        the user saved or chose to discard)."""
        self._autosave_timer.stop()

    @property
    def display_name(self) -> str:
        return self.path.stem if self.path else self.case.title

    # -- recording ------------------------------------------------------------------
    def record(self, outcome: SearchOutcome, preview: bytes | None,
               parent: tuple[int, int] | None, *, sample_data: bool = False,
               sweep: int | None = None, make_current: bool = True) -> SearchRecord:
        if sample_data:
            self.case.sample_data = True  # exports then say these are not real results
        record = self.case.add_search(outcome.request, outcome.response, elapsed=outcome.elapsed,
                                      preview=preview, parent=parent, sweep=sweep)
        self.allow_fetch(record)
        if make_current:  # a sweep's countries arrive while the grid shows something else
            self.current = record
        self.mark_dirty()
        return record

    def attach_preview(self, record: SearchRecord, data: bytes) -> None:
        """The searched image arrived after the search finished (a fast pivot)."""
        if record.preview_sha256 is None:
            record.preview_sha256 = self.case.add_blob(data)
            self.mark_dirty(quiet=True)

    def keep_thumbnail(self, record: SearchRecord, url: str, digest: str) -> None:
        """A result's picture, already in the case's blob store, belongs to ``record``."""
        if record.thumbnails.get(url) != digest:
            record.thumbnails[url] = digest
            record.thumbnail_failures.pop(url, None)
            self.mark_dirty(quiet=True)

    def record_thumbnail_failure(self, record: SearchRecord, url: str,
                                 failure: ThumbnailFailure) -> None:
        if url not in record.thumbnails:
            record.thumbnail_failures[url] = failure
            self.mark_dirty(quiet=True)

    def keep_original(self, record: SearchRecord, position: int, copy: KeptCopy) -> None:
        record.originals[position] = copy
        self.mark_dirty(quiet=True)

    def may_fetch(self, record: SearchRecord) -> bool:
        """Searches run in this window fetch their pictures; stored ones only on request."""
        return record.id in self._fetching

    def allow_fetch(self, record: SearchRecord) -> None:
        self._fetching.add(record.id)

    def set_star(self, position: int, on: bool) -> None:
        if self.current is not None:
            (self.current.stars.add if on else self.current.stars.discard)(position)
            self.mark_dirty()

    def set_note(self, position: int, text: str) -> None:
        if self.current is not None:
            if text.strip():
                self.current.notes[position] = text.strip()
            else:
                self.current.notes.pop(position, None)
            # Quiet: a key press must not rebuild the history list (nothing there shows
            # notes); the title's "*" still appears on the first change.
            self.mark_dirty(quiet=True)

    def set_case_note(self, text: str) -> None:
        if text != self.case.note:
            self.case.note = text
            self.mark_dirty(quiet=True)

    def mark_dirty(self, quiet: bool = False) -> None:
        was = self.dirty
        self.dirty = True
        self._changes += 1  # a save only clears "dirty" if nothing changed meanwhile
        self._autosave_timer.start()
        if not quiet or not was:
            self.changed.emit()

    # -- files ------------------------------------------------------------------------
    async def save(self, path: Path | None = None) -> bool:
        target = path or self.path
        if target is None:
            return False
        if target.suffix != EXTENSION:
            # Append, don't replace: "Case 2024.05.01" must not become "Case 2024.05.bingrev".
            target = target.with_name(target.name + EXTENSION)
        snapshot, changes = self.case.snapshot(), self._changes
        async with self._save_lock:
            try:
                await asyncio.to_thread(save_case, snapshot, target)
            except SAVE_ERRORS as exc:
                log.warning("save failed: %s", exc)
                self.saveFailed.emit(exc)
                return False
        self.path = target
        self.case.title = target.stem
        if changes == self._changes:
            self.dirty = False
            self._autosave_timer.stop()
            await self.discard_autosave()
        self.changed.emit()
        return True

    async def autosave(self) -> None:
        if not self.dirty or not self.case.searches:
            return
        snapshot = self.case.snapshot()
        async with self._save_lock:
            try:
                target = await self.autosave_target()
                await asyncio.to_thread(save_case, snapshot, target)
            except SAVE_ERRORS as exc:
                log.warning("autosave failed: %s", exc)

    async def autosave_target(self) -> Path:
        if self.autosave_file is None:
            self.autosave_file, self._autosave_lock = await asyncio.to_thread(
                claim_autosave_slot, data_dir() / "autosave")
        assert self.autosave_file is not None
        return self.autosave_file

    async def discard_autosave(self) -> None:
        if self.autosave_file is not None:
            await asyncio.to_thread(self.autosave_file.unlink, missing_ok=True)

    async def load(self, path: Path, cancel: threading.Event | None = None) -> Case:
        """Read a case (CaseFileError on a bad file); does not change the open case.
        Setting ``cancel`` stops the read; it also has a deadline of its own."""
        return await asyncio.to_thread(load_case, path, cancel=cancel)

    async def read_rest(self, after: Callable[[], Awaitable[None]] | None = None) -> None:
        """Parse the answers an opened case left for later, one search per worker call
        (the GUI thread never parses), once ``after`` returns (the shown search's tiles
        go first); then the history redraws with every count and "new / gone" text."""
        case = self.case
        pending = case.unparsed()
        if pending and after is not None:
            await after()
        for record in pending:
            if self.case is not case:
                return  # another case was opened meanwhile
            await in_worker(record.parse)
            # A parse is 4 ms of Python that holds the GIL, which the GUI thread then
            # waits for: one at a time, with frames in between.
            await asyncio.sleep(REST_PAUSE)
        if pending and self.case is case and shiboken6.isValid(self):  # not closed meanwhile
            self.changed.emit()

    def adopt(self, case: Case, path: Path | None, *, dirty: bool = False) -> None:
        replaced = case is not self.case
        if replaced:
            # The old case's disk spool closes once no save still holds a snapshot of it.
            self._fetching.clear()
        self.case, self.path, self.dirty = case, path, dirty
        if replaced:
            self.replaced.emit()  # work on the old case (copies, checks) must stop
        self.current = case.searches[-1] if case.searches else None
        if dirty:
            self._autosave_timer.start()
        self.changed.emit()

    def work_on_copy(self, title: str) -> None:
        """Keep the open case's content but forget its file: saving asks for a new place
        (the bundled sample case is opened this way)."""
        self.path = None
        self.case.title = title
        self.changed.emit()

    def discard_changes(self) -> None:
        """The user chose not to save: closing or replacing the case may go ahead."""
        self.dirty = False
        self._autosave_timer.stop()

    def new(self) -> None:
        self.adopt(Case(), None)

    async def has_autosave(self) -> bool:
        """Is there work left behind by an instance that did not exit cleanly?"""
        try:
            target = await self.autosave_target()
        except OSError:
            return False
        return await asyncio.to_thread(target.is_file)

    def release(self) -> None:
        """On quit: give the autosave slot back (its file is gone after a clean exit)."""
        if self._autosave_lock is not None:
            self._autosave_lock.unlock()
            self._autosave_lock = None
