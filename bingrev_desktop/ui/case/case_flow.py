"""File menu behaviour: new, open, save, save as, export, recent, restore, close.

File dialogs are opened with ``open()`` (no nested event loop under qasync);
reading and writing happen in worker threads through CaseSession and export.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QStatusBar, QWidget

from ...core.case import Case, plural
from ...core.case_copies import fingerprint_missing
from ...core.casefile import EXTENSION, CaseFileError
from ...core.errors import BingrevError, ErrorDetail
from ...core.export import csv_report, html_report, json_report
from ...core.files import atomic_write, is_read_only
from ..common.message_banner import MessageBanner
from ..common.settings_store import SettingsStore
from ..common.tasks import TaskSet
from ..results.imaging import fingerprint_bytes
from .case_session import CaseSession

log = logging.getLogger("bingrev_desktop.caseflow")
OPEN_NOTICE_MS = 800
CASE_FILTER = f"Case files (*{EXTENSION})"
EXPORTS: dict[str, tuple[str, str, Callable[[Case], str]]] = {
    "html": ("Report for a web browser (*.html)", ".html", html_report),
    "csv": ("Spreadsheet (*.csv)", ".csv", csv_report),
    "json": ("JSON data (*.json)", ".json", json_report),
}


def _with_copies(render: Callable[[Case], str], snapshot: Case) -> str:
    """Every search of the export gets its copy groups, not only the ones shown (a
    worker thread: pictures are decoded here)."""
    for record in snapshot.searches:
        fingerprint_missing(snapshot, record, fingerprint_bytes)
    return render(snapshot)


def opened_text(name: str, case: Case) -> tuple[str, bool]:
    """What the file holds, honestly: pictures kept, never loaded, failed; and whether
    every picture is there."""
    kept, failed, missing = case.picture_counts()
    text = (f"{name}: {plural(len(case.searches), 'search', 'searches')}, "
            f"{plural(kept, 'result picture', 'result pictures')} kept")
    gaps = []
    if missing:
        gaps.append(f"{missing} never loaded")
    if failed:
        gaps.append(f"{failed} could not be loaded")
    copies = sum(c.ok for s in case.searches for c in s.originals.values())
    if copies:
        text += f", {plural(copies, 'full-size copy', 'full-size copies')}"
    if gaps:
        text += f" ({', '.join(gaps)})"
    return (text + ". Everything is shown from the file; nothing is downloaded.",
            not gaps)


class CaseFlow(QObject):
    """The File menu's work: open, save, export, restore, and "save changes?"."""

    caseShown = Signal()  # another case (or none) is now the open one: show it

    def __init__(self, dialog_parent: QWidget, session: CaseSession, banner: MessageBanner,
                 settings: SettingsStore, status: QStatusBar,
                 screen_loaded: Callable[[], Awaitable[None]] | None = None) -> None:
        """``screen_loaded`` returns once the grid's tiles on screen are drawn: the rest
        of an opened case is read after that."""
        super().__init__(dialog_parent)
        self._screen_loaded = screen_loaded
        self._parent, self._banner = dialog_parent, banner
        self._settings, self._status = settings, status
        self.session = session
        self._recent_menu: QMenu | None = None
        self.tasks = TaskSet()
        self.last_dialog: QFileDialog | QMessageBox | None = None
        self._closing_confirmed = False
        self.read_only_dialog: QMessageBox | None = None

    def attach_recent_menu(self, menu: QMenu) -> None:
        self._recent_menu = menu
        self.refresh_recent_cases()

    def refresh_recent_cases(self) -> None:
        menu = self._recent_menu
        if menu is None:
            return
        menu.clear()
        paths = self._settings.recent_sessions()
        for path in paths:
            action = menu.addAction(Path(path).stem)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_asking_first(Path(p)))
        menu.setToolTipsVisible(True)
        menu.setEnabled(bool(paths))

    def _file_dialog(self, title: str, name_filter: str, *, save: bool, suffix: str,
                     on_path: Callable[[Path], object], start: str = "") -> QFileDialog:
        dialog = QFileDialog(self._parent, title, start)
        dialog.setNameFilter(name_filter)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save
                             else QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile if save
                           else QFileDialog.FileMode.ExistingFile)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.fileSelected.connect(lambda path: on_path(Path(path)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    # -- open --------------------------------------------------------------------------
    def choose_and_open(self) -> QFileDialog:
        return self._file_dialog("Open case", CASE_FILTER, save=False, suffix=EXTENSION,
                                 on_path=self.open_asking_first)

    def open_asking_first(self, path: Path) -> None:
        """Open a case, but first offer to save unsaved searches of the current one."""
        self.confirm_discard(lambda: self.tasks.spawn(self.open_path(path)))

    async def open_path(self, path: Path) -> bool:
        cancel = threading.Event()
        slow = QTimer(self)  # a big (or hostile) file: say so, and offer Cancel
        slow.setSingleShot(True)
        slow.timeout.connect(lambda: self._banner.show_message(
            "Opening the case\u2026", f"Reading {path.name}. Large cases take a few seconds.",
            action=("Cancel", cancel.set)))
        slow.start(OPEN_NOTICE_MS)
        try:
            case = await self.session.load(path, cancel)
        except CaseFileError as exc:
            self._banner.show_error(exc)
            return False
        except Exception as exc:  # a bug must not leave the user without a message
            log.exception("opening %s failed", path)
            self._banner.show_error(CaseFileError(
                "The case file could not be opened.", ErrorDetail(url=str(path), cause=repr(exc))))
            return False
        finally:
            slow.stop()
            cancel.set()  # a cancelled await leaves no reader behind in the worker
        self.session.adopt(case, path)
        self._settings.add_recent_session(str(path))
        self.refresh_recent_cases()
        self.caseShown.emit()
        await self.session.read_rest(self._screen_loaded)  # the shown search first
        if self.session.case is case:
            self._say_opened(path.name, case)
        return True

    def _say_opened(self, name: str, case: Case) -> None:
        """Pictures missing from the file get the banner; a complete case is confirmed
        in the status bar. A banner sliding in moved the whole window down just as
        its tiles appeared (and relaying it out took two frames)."""
        text, complete = opened_text(name, case)
        if complete:
            self._status.showMessage(f"Case opened. {text}")
        else:
            self._banner.show_message("Case opened", text)

    # -- save --------------------------------------------------------------------------
    def save(self) -> asyncio.Task[bool] | QFileDialog:
        if self.session.path is None:
            return self.save_as()
        return self.tasks.spawn(self._save(self.session.path))

    def save_as(self) -> QFileDialog:
        start = str(self.session.path or Path.home() / f"{self.session.case.title}{EXTENSION}")
        return self._file_dialog("Save case as", CASE_FILTER, save=True, suffix=EXTENSION,
                                 on_path=lambda p: self.tasks.spawn(self._save(p)), start=start)

    async def _save(self, path: Path, *, replace_read_only: bool = False) -> bool:
        if not replace_read_only and await asyncio.to_thread(is_read_only, path):
            self.ask_read_only(path)
            return False
        ok = await self.session.save(path)
        if ok and self.session.path is not None:
            self._settings.add_recent_session(str(self.session.path))
            self.refresh_recent_cases()
            self._status.showMessage(f"Case saved to {self.session.path}.")
        return ok

    def ask_read_only(self, path: Path) -> QMessageBox:
        """A case file marked read-only is never replaced without asking."""
        box = QMessageBox(QMessageBox.Icon.Warning, "This case file is read-only",
                          f"{path.name} is marked read-only, perhaps so that it is not "
                          "changed. Replace it anyway, or save under another name?",
                          parent=self._parent)
        replace = box.addButton("Replace it", QMessageBox.ButtonRole.DestructiveRole)
        other = box.addButton("Save as\u2026", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(other)

        def answered(_button: object) -> None:
            if box.clickedButton() is replace:
                self.tasks.spawn(self._save(path, replace_read_only=True))
            elif box.clickedButton() is other:
                self.save_as()

        box.buttonClicked.connect(answered)
        self.read_only_dialog = box
        box.open()
        return box

    # -- export ------------------------------------------------------------------------
    def _keep_prints(self, snapshot: Case) -> None:
        """Fingerprints the export took for searches never shown: the case keeps them."""
        case = self.session.case
        for digest, value in snapshot.prints.items():
            case.prints.setdefault(digest, value)
        queries = {r.id: r.query_print for r in snapshot.searches}
        for record in case.searches:
            if record.query_print is None:
                record.query_print = queries.get(record.id)

    def choose_export(self, kind: str) -> QFileDialog:
        name_filter, suffix, _ = EXPORTS[kind]
        base = self.session.path.with_suffix(suffix) if self.session.path else (
            Path.home() / f"{self.session.case.title}{suffix}")
        return self._file_dialog("Export", name_filter, save=True, suffix=suffix,
                                 on_path=lambda p: self.tasks.spawn(self.export(kind, p)),
                                 start=str(base))

    async def export(self, kind: str, path: Path) -> bool:
        _, suffix, render = EXPORTS[kind]
        if not path.suffix:
            path = path.with_suffix(suffix)
        snapshot = self.session.case.snapshot()
        try:
            text = await asyncio.to_thread(_with_copies, render, snapshot)
            self._keep_prints(snapshot)
            await asyncio.to_thread(atomic_write, path, text)
        except Exception as exc:
            log.warning("export to %s failed: %r", path, exc)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._banner.show_error(BingrevError(
                f"The export could not be written to {path}: {reason}."))
            return False
        self._status.showMessage(f"Exported to {path}.")
        action = None
        if kind == "html":  # our own file: the one local address the app ever opens
            action = ("Open the report", lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(
                str(path))))
        self._banner.show_message("Export ready", f"Saved to {path}.", action=action)
        return True

    # -- new, restore and close --------------------------------------------------------
    def new_case(self) -> None:
        def start_new() -> None:
            self.session.new()
            self.caseShown.emit()

        self.confirm_discard(start_new)

    async def offer_restore(self) -> QMessageBox | None:
        """After a crash or kill the autosave is still there: offer it back."""
        if not await self.session.has_autosave():
            return None
        target = await self.session.autosave_target()
        when = await asyncio.to_thread(lambda: datetime.fromtimestamp(target.stat().st_mtime))
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?",
                          "The app did not close normally last time. The investigation you "
                          f"were working on (last kept {when:%d %b %Y at %H:%M}) was not "
                          "saved. Restore it?\n\nDiscard deletes it for good.",
                          parent=self._parent)
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.buttonClicked.connect(
            lambda button: self.tasks.spawn(self._restore(button is restore)))
        self.last_dialog = box
        box.open()
        return box

    async def _restore(self, restore: bool) -> None:
        if not restore:
            await self.session.discard_autosave()
            return
        try:
            case = await self.session.load(await self.session.autosave_target())
        except CaseFileError as exc:
            self._banner.show_error(exc)
            return
        self.session.adopt(case, None, dirty=True)
        self.caseShown.emit()
        await self.session.read_rest(self._screen_loaded)
        if self.session.case is not case:
            return  # another case was opened meanwhile
        self._banner.show_message("Work restored",
                                        "Your unsaved case is back. Save it to keep it.")

    def confirm_discard(self, then: Callable[[], object]) -> QMessageBox | None:
        """Ask before unsaved searches are lost; runs ``then`` unless cancelled."""
        if not self.session.dirty or not self.session.case.searches:
            then()
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, "Save this case?",
                          "This case has changes that are not saved yet (searches, stars "
                          "or notes).", parent=self._parent)
        save = box.addButton("Save\u2026", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Don't save", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)

        def chosen(button: object) -> None:
            if button is discard:
                self.tasks.spawn(self.session.discard_autosave())
                self.session.discard_changes()
                then()
            elif button is save:
                self.tasks.spawn(self._save_then(then))

        box.buttonClicked.connect(chosen)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = box
        box.open()
        return box

    async def _save_then(self, then: Callable[[], object]) -> None:
        if self.session.path is None:
            self.save_as()  # the user continues from the save dialog
            return
        if await self._save(self.session.path):
            then()
