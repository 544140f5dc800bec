"""What the window shows while a search runs and when it ends.

Busy state and elapsed time while it runs; on success the outcome is recorded in
the case and shown; a failure becomes a banner with the next step as a button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from ..core.case import plural
from ..core.client import SearchOutcome
from ..core.errors import (
    AuthenticationError,
    BingrevError,
    ConnectionFailedError,
    MissingKeyError,
)
from ..core.request import SearchRequest

if TYPE_CHECKING:
    from .main_window import MainWindow

OFFLINE = ("The search service cannot be reached.\n\nCheck that this computer is connected "
           "to the internet, then press Search again. Saved cases still open without a "
           "connection (File \u203a Open case).")


def status_text(outcome: SearchOutcome) -> str:
    """ "35 results · took 12.3 s · new answer · 1 credit used"."""
    response = outcome.response
    parts = [plural(len(response.results), "result", "results"),
             f"took {outcome.elapsed:.1f} s",
             "answer reused from the service's cache" if response.metadata.cached
             else "new answer"]
    if response.credits_used is not None:
        parts.append(plural(response.credits_used, "credit", "credits") + " used")
    parts.extend(response.notes())  # "3 results could not be read"
    return " \u00b7 ".join(parts)


class SearchOutcomeView(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._elapsed = QTimer(self)
        self._elapsed.setInterval(250)
        self._elapsed.timeout.connect(
            lambda: window.search_panel.show_elapsed(window.controller.elapsed()))
        controller = window.controller
        controller.searchStarted.connect(self._started)
        controller.searchFinished.connect(self._finished)
        controller.searchFailed.connect(self._failed)
        controller.searchCancelled.connect(self._cancelled)

    def _started(self, _request: SearchRequest) -> None:
        w = self.window
        w.search_panel.set_busy(True)
        w.menu_actions.cancel_action.setEnabled(True)
        self._elapsed.start()
        w.statusBar().showMessage("Searching\u2026")

    def _stopped(self) -> None:
        w = self.window
        self._elapsed.stop()
        w.search_panel.set_busy(w.controller.searching)
        w.menu_actions.cancel_action.setEnabled(w.controller.searching)

    def _finished(self, outcome: SearchOutcome) -> None:
        w = self.window
        self._stopped()
        w.outcome = outcome
        preview = w.controller.preview
        data = preview.data if preview and preview.url == outcome.request.image_url else None
        record = w.case.record(outcome, data, w.pending_parent, sample_data=w.demo)
        w.pending_parent = None
        w.images.show(record)  # visible tiles first, then every other picture
        w.case_view.show_results(record)
        w.statusBar().showMessage(status_text(outcome))

    def _failed(self, error: BingrevError) -> None:
        w = self.window
        self._stopped()
        w.statusBar().showMessage("The search did not work. See the message above.")
        action: tuple[str, Callable[[], object]]
        if isinstance(error, AuthenticationError | MissingKeyError):
            action = ("Enter API key", lambda: w.keys.ask_for_key(then_search=True))
        else:
            action = ("Try again", w.search)
        w.banner.show_error(error, action=action)
        if isinstance(error, ConnectionFailedError) and w.results_panel.model.rowCount() == 0:
            w.results_panel.show_empty(OFFLINE)

    def _cancelled(self) -> None:
        self._stopped()
        if not self.window.controller.searching:
            self.window.statusBar().showMessage("Search cancelled.")
