"""Shows the open case in the window: its history, its stored searches, offline.

A stored search is drawn entirely from the case file: preview and thumbnails
come from the file (through ``CaseImages``), and a thumbnail that was never
loaded shows "Not saved" instead of being fetched.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStatusBar

from ...core.case import SearchRecord
from ...core.request import Crop
from ...core.series import changes
from ...core.sweep import result_key
from ...core.sweep_case import SweepView, sweep_view
from ..common.message_banner import MessageBanner
from ..common.next_turn import GRID, NextTurn
from ..results.details_pane import DetailsPane
from ..results.results_panel import ResultsPanel
from ..search.controller import SearchController
from ..search.preview import Preview
from ..search.search_panel import SearchPanel
from .case_images import CaseImages
from .case_session import CaseSession
from .history_panel import HistoryPanel


class CaseView(QObject):
    titleChanged = Signal(str)  # the case's name, "*" when unsaved
    sweepShown = Signal(object)  # the SweepView shown, or None for a single search

    def __init__(self, session: CaseSession, images: CaseImages, results: ResultsPanel,
                 details: DetailsPane, history: HistoryPanel, panel: SearchPanel,
                 controller: SearchController, banner: MessageBanner, status: QStatusBar,
                 *, demo: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session, self._images, self._results = session, images, results
        self._details, self._history, self._panel = details, history, panel
        self._controller, self._banner, self._status = controller, banner, status
        self.demo = demo
        # The crop of the stored search being shown, applied once its preview is ready.
        self._pending_crop: tuple[str, Crop | None] | None = None
        self.showing_sweep: SweepView | None = None  # stars and notes belong to one country
        # What changed since earlier runs is worked out a turn after the results are
        # taken, before their first paint (1000 results against earlier runs: 20 ms).
        self._changes_later = NextTurn(self._show_changes, self, order=GRID)
        controller.previewFailed.connect(self._forget_crop)

    def show_results(self, record: SearchRecord) -> None:
        if self.showing_sweep is not None:  # one search again
            self.showing_sweep = None
            self.sweepShown.emit(None)
        response = record.response
        self._changes_later(record)  # queued first: it runs before the grid's paint
        self._results.show_results(list(response.results), record.stars, record.notes)
        self._details.show_image_info(response.image_info)
        self._history.show_case(self._session.case, record)

    def _show_changes(self, record: SearchRecord) -> None:
        """A later run of the same search: "New" on results never seen before, and the
        ones earlier runs showed that this one did not."""
        if record is not self._session.current:
            return  # another search (or a sweep, or none) is shown now
        found = changes(self._session.case, record)
        if not found.earlier_runs:
            return
        new = {i.position: found.first_seen[result_key(i)] for i in record.response.results
               if result_key(i) in found.new}
        self._results.model.set_extras(new=new)
        self._results.show_gone([
            (f"{s.item.display_title} \u2014 {s.item.domain or 'unknown site'}",
             f"Last found {s.record.created_at}: {s.item.image_url or ''}", s.record.id)
            for s in found.gone])

    def show_case(self) -> None:
        """Show the open case's latest search (or the empty state)."""
        record = self._session.current
        if record is None:
            if self.showing_sweep is not None:
                self.showing_sweep = None
                self.sweepShown.emit(None)
            self._images.show(None)
            self._results.show_empty()
            self._details.show_image_info(None)
            self._history.show_case(self._session.case, None)
            self._panel.show_empty()
            self._controller.clear_preview()
            self._banner.hide()
            self._status.showMessage("New case. Drop an image onto the window to begin.")
            return
        self.show_record(record)

    def show_record_by_id(self, record_id: int) -> None:
        if record_id < 0:  # the history's entry for a whole sweep
            self.show_sweep(-record_id)
            return
        record = self._session.case.search(record_id)
        if record is not None:
            self.show_record(record)

    def show_sweep(self, number: int) -> None:
        """A sweep as one grid: each distinct result once, with the countries that found
        it; the per-country table goes beside it."""
        view = sweep_view(self._session.case, number)
        if view is None:
            return
        first = view.searches[0]
        # No current search: stars, notes, copies, link badges and pivots belong to one
        # country's search (positions differ), so they wait until one is opened.
        self._session.current = None
        self.showing_sweep = view
        self._images.show(view.record, view.owners)
        self._results.show_results(list(view.record.response.results))
        self._results.model.set_extras(markets=view.markets)
        self._results.set_sweep_markets(view.market_codes)
        self._details.show_image_info(first.response.image_info)
        self._history.show_case(self._session.case, first, sweep=number)
        self._show_search_form(first)
        self.sweepShown.emit(view)
        self._status.showMessage(
            f"Sweep of {len(view.searches)} countries \u00b7 "
            f"{len(view.record.response.results)} different results")

    def show_record(self, record: SearchRecord) -> None:
        """A stored search, entirely from the case: no network request at all. A search
        still running goes on; its result is shown when it arrives."""
        self._session.current = record
        self._images.show(record)
        self.show_results(record)
        self._show_search_form(record)
        self._status.showMessage(
            f"Saved search from {record.created_at} \u00b7 {len(record.response.results)} results")

    def _show_search_form(self, record: SearchRecord) -> None:
        panel = self._panel
        panel.url_edit.setText(record.image_url)
        panel.url_edit.setCursorPosition(0)
        if record.market != "default":
            panel.market_combo.set_market(record.market)
        if "count" in record.request_body:
            panel.count_spin.setValue(int(record.request_body["count"]))
        self._pending_crop = (record.image_url, record.request.crop)
        self._controller.start_stored_preview(
            record.image_url, functools.partial(self._session.case.preview, record))

    def preview_shown(self, preview: Preview) -> None:
        """Called by the window after it showed a preview: restore a stored search's crop."""
        pending, self._pending_crop = self._pending_crop, None
        if pending is not None and pending[0] == preview.url:
            self._panel.set_crop(pending[1])

    def _forget_crop(self, _url: str, _error: object) -> None:
        self._pending_crop = None

    def case_changed(self) -> None:
        mark = "*" if self._session.dirty else ""
        # Qt appends the application's display name itself ("… — Bing Reverse Image Search").
        self.titleChanged.emit(f"{mark}{self._session.display_name}"
                               + (" (demo)" if self.demo else ""))
        self._history.show_case(self._session.case, self._session.current,
                                self.showing_sweep.number if self.showing_sweep else None)
