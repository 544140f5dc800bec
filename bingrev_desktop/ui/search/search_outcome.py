"""What the window shows while a search runs and when it ends.

Busy state and elapsed time while it runs; on success the outcome is recorded in
the case and shown; a failure becomes a banner with the next step as a button.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStatusBar

from ...core.case import SearchRecord, plural
from ...core.client import SearchOutcome
from ...core.errors import (
    AuthenticationError,
    BingrevError,
    ConnectionFailedError,
    MissingKeyError,
)
from ...core.request import SearchRequest
from ..case.case_session import CaseSession
from ..common.message_banner import MessageBanner
from ..results.results_panel import ResultsPanel
from .controller import SearchController
from .search_panel import SearchPanel

OFFLINE = ("The search service cannot be reached.\n\nCheck that this computer is connected "
           "to the internet, then press Search again. Saved cases still open without a "
           "connection (File \u203a Open case).")


def status_text(outcome: SearchOutcome) -> str:
    """ "Found 35 results in 12.3 seconds. This search cost 1 search from your plan."
    (cache and credit words stay in the details: staff do not know them)."""
    response = outcome.response
    parts = [f"Found {plural(len(response.results), 'result', 'results')} in "
             f"{outcome.elapsed:.1f} seconds"]
    if response.metadata.cached:
        parts.append("Bing's earlier answer to the same search was reused")
    if response.credits_used:
        parts.append(f"this used {plural(response.credits_used, 'search', 'searches')} "
                     "from your xcrawl plan")
    parts.extend(response.notes())  # "3 results could not be read"
    return " \u00b7 ".join(parts)


class SearchOutcomeView(QObject):
    """Turns the controller's search signals into the busy state, the recorded result,
    or a banner whose button is the next step (asked for through signals)."""

    retryRequested = Signal()
    keyRequested = Signal()  # then search again

    def __init__(self, controller: SearchController, panel: SearchPanel,
                 results: ResultsPanel, banner: MessageBanner, status: QStatusBar,
                 session: CaseSession, show_record: Callable[[SearchRecord], None],
                 cancel_action: QAction, *, demo: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller, self._panel, self._results = controller, panel, results
        self._banner, self._status, self._session = banner, status, session
        self._show_record, self._cancel_action = show_record, cancel_action
        self.demo = demo  # sample data: records are marked so
        self._elapsed = QTimer(self)
        self._elapsed.setInterval(250)
        self._elapsed.timeout.connect(lambda: panel.show_elapsed(controller.elapsed()))
        controller.searchStarted.connect(self._started)
        controller.searchFinished.connect(self._finished)
        controller.searchFailed.connect(self._failed)
        controller.searchCancelled.connect(self._cancelled)

    def _started(self, _request: SearchRequest) -> None:
        self._panel.set_busy(True)
        self._cancel_action.setEnabled(True)
        self._elapsed.start()
        self._status.showMessage("Searching\u2026")

    def _stopped(self) -> None:
        self._elapsed.stop()
        searching = self._controller.searching
        self._panel.set_busy(searching)
        self._cancel_action.setEnabled(searching)

    def _finished(self, outcome: SearchOutcome) -> None:
        self._stopped()
        preview = self._controller.preview
        data = preview.data if preview and preview.url == outcome.request.image_url else None
        record = self._session.record(outcome, data, outcome.parent, sample_data=self.demo)
        self._show_record(record)  # visible tiles first, then every other picture
        self._status.showMessage(status_text(outcome))

    def _failed(self, error: BingrevError) -> None:
        self._stopped()
        self._status.showMessage("The search did not work. See the message above.")
        action: tuple[str, Callable[[], object]]
        if isinstance(error, AuthenticationError | MissingKeyError):
            action = ("Enter API key", self.keyRequested.emit)
        else:
            action = ("Try again", self.retryRequested.emit)
        self._banner.show_error(error, action=action)
        if isinstance(error, ConnectionFailedError) and self._results.model.rowCount() == 0:
            self._results.show_empty(OFFLINE)

    def _cancelled(self) -> None:
        self._stopped()
        if not self._controller.searching:
            self._status.showMessage("Search cancelled.")
