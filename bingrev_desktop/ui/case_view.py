"""Shows the open case in the window: its history, its stored searches, offline.

A stored search is drawn entirely from the case file: preview and thumbnails
come from the file (through ``CaseImages``), and a thumbnail that was never
loaded shows "Not saved" instead of being fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ..core.case import SearchRecord
from ..core.request import Crop
from .controller import Preview

if TYPE_CHECKING:
    from .main_window import MainWindow


class CaseView(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        # The crop of the stored search being shown, applied once its preview is ready.
        self._pending_crop: tuple[str, Crop | None] | None = None
        window.controller.previewFailed.connect(self._forget_crop)

    def show_results(self, record: SearchRecord) -> None:
        w = self.window
        response = record.response
        w.results_panel.show_results(list(response.results), record.stars, record.notes)
        w.details.show_image_info(response.image_info)
        w.history.show_case(w.case.case, record)

    def show_case(self) -> None:
        """Show the open case's latest search (or the empty state)."""
        w = self.window
        record = w.case.current
        if record is None:
            w.images.show(None)
            w.results_panel.show_empty()
            w.details.show_image_info(None)
            w.history.show_case(w.case.case, None)
            w.search_panel.show_empty()
            w.controller.clear_preview()
            w.banner.hide()
            w.statusBar().showMessage("New case. Drop an image onto the window to begin.")
            return
        self.show_record(record)

    def show_record_by_id(self, record_id: int) -> None:
        record = self.window.case.case.search(record_id)
        if record is not None:
            self.show_record(record)

    def show_record(self, record: SearchRecord) -> None:
        """A stored search, entirely from the case: no network request at all."""
        w = self.window
        w.case.current = record
        case = w.case.case
        w.images.show(record)
        self.show_results(record)
        panel = w.search_panel
        panel.url_edit.setText(record.image_url)
        panel.url_edit.setCursorPosition(0)
        if record.market != "default":
            panel.market_combo.set_market(record.market)
        if "count" in record.request_body:
            panel.count_spin.setValue(int(record.request_body["count"]))
        self._pending_crop = (record.image_url, record.request.crop)
        w.controller.start_stored_preview(record.image_url, case.preview(record))
        w.statusBar().showMessage(
            f"Saved search from {record.created_at} \u00b7 {len(record.response.results)} results")

    def preview_shown(self, preview: Preview) -> None:
        """Called by the window after it showed a preview: restore a stored search's crop."""
        pending, self._pending_crop = self._pending_crop, None
        if pending is not None and pending[0] == preview.url:
            self.window.search_panel.set_crop(pending[1])

    def _forget_crop(self, _url: str, _error: object) -> None:
        self._pending_crop = None

    def case_changed(self) -> None:
        w = self.window
        mark = "*" if w.case.dirty else ""
        # Qt appends the application's display name itself ("… — Bing Reverse Image Search").
        w.setWindowTitle(f"{mark}{w.case.display_name}" + (" (demo)" if w.demo else ""))
        w.history.show_case(w.case.case, w.case.current)

    def refresh_recent_cases(self) -> None:
        w = self.window
        menu = w.menu_actions.recent_cases_menu
        menu.clear()
        paths = w.settings.recent_sessions()
        for path in paths:
            action = menu.addAction(Path(path).stem)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: w.cases.open_asking_first(Path(p)))
        menu.setToolTipsVisible(True)
        menu.setEnabled(bool(paths))
