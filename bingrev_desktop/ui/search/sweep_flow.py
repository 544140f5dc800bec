"""A market sweep in the window: choose countries, run them a few at a time with
progress per country, keep each answer in the case as it arrives (so Cancel keeps
what came), retry failed countries alone, then show the merged grid."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.request import SearchRequest
from ...core.sweep import MarketRun, MarketState, run_markets
from ..case.case_session import CaseSession
from ..common.message_banner import plain_label
from ..common.settings_store import SettingsStore
from ..common.tasks import TaskSet
from .controller import SearchController
from .sweep_dialog import SweepDialog

log = logging.getLogger("bingrev_desktop.sweep")


class SweepProgressDialog(QDialog):
    """Per country: waiting, searching, done with N results, or failed and why."""

    cancelRequested = Signal()
    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Searching several countries")
        self.setMinimumSize(420, 360)
        layout = QVBoxLayout(self)
        self.heading = plain_label("")
        layout.addWidget(self.heading)
        self.list = QListWidget()
        self.list.setAccessibleName("Countries and their progress")
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton("Retry the failed countries")
        self.retry_button.setToolTip("Search again only where it failed")
        self.retry_button.clicked.connect(self.retryRequested)
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.setToolTip("Stop now; the countries already done are kept")
        self.cancel_button.clicked.connect(self.cancelRequested)
        close = QPushButton("Close")
        close.setToolTip("Close this window; the results stay in the case")
        close.clicked.connect(self.close)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def show_runs(self, runs: list[MarketRun], running: bool) -> None:
        self.list.clear()
        for run in runs:
            self.list.addItem(run.text())
        done = sum(r.state is MarketState.DONE for r in runs)
        failed = sum(r.state is MarketState.FAILED for r in runs)
        self.heading.setText(f"{done} of {len(runs)} countries done"
                             + (f", {failed} failed" if failed else "")
                             + ("\u2026" if running else "."))
        self.cancel_button.setEnabled(running)
        self.retry_button.setEnabled(not running and failed > 0)


class SweepFlow(QObject):
    """Owns one sweep at a time; ``shown(number)`` when its merged grid should show."""

    shown = Signal(int)

    def __init__(self, dialog_parent: QWidget, controller: SearchController,
                 session: CaseSession, settings: SettingsStore,
                 build_request: Callable[[], SearchRequest | None],
                 status: Callable[[str], None], *, sample_data: Callable[[], bool]) -> None:
        super().__init__(dialog_parent)
        self._parent, self._controller, self._session = dialog_parent, controller, session
        self._settings, self._build_request, self._status = settings, build_request, status
        self._sample_data = sample_data
        self.tasks = TaskSet()
        self.runs: list[MarketRun] = []
        self.number: int | None = None
        self.request: SearchRequest | None = None
        self.dialog: SweepDialog | None = None
        self.summary_view: QWidget | None = None  # the Countries table (set by the window)
        self.progress = SweepProgressDialog(dialog_parent)
        self.progress.cancelRequested.connect(self.cancel)
        self.progress.retryRequested.connect(self.retry_failed)
        self._task: asyncio.Task[None] | None = None
        session.replaced.connect(self.cancel)  # another case: this sweep belongs to the old

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def choose(self, markets: list[str] | None = None,
               request: SearchRequest | None = None) -> SweepDialog | None:
        """*Several countries…* (or Search again on a sweep, with its countries and
        request): the checklist with the cost, then the sweep."""
        if request is None and self._build_request() is None:
            return None  # no image yet, or a bad crop: the window said why
        last = self._session.current
        dialog = SweepDialog(markets or self._settings.sweep_markets
                             or ["en-US", "en-GB", "de-DE"],
                             last.credits_used if last is not None else None, self._parent)
        dialog.chosen.connect(lambda chosen: self.start(chosen, request))
        self.dialog = dialog
        dialog.open()
        return dialog

    def start(self, markets: list[str], request: SearchRequest | None = None
              ) -> asyncio.Task[None] | None:
        request = request or self._build_request()
        if request is None or self.running:
            return None
        self._settings.sweep_markets = markets
        self.request = request
        self.runs = [MarketRun(m) for m in markets]
        self.number = self._session.case.new_sweep_number()
        return self._launch()

    def retry_failed(self) -> asyncio.Task[None] | None:
        if self.running or not any(r.state is MarketState.FAILED for r in self.runs):
            return None
        return self._launch()

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _launch(self) -> asyncio.Task[None]:
        self.progress.show_runs(self.runs, True)
        self.progress.show()
        self._task = self.tasks.spawn(self._run())
        return self._task

    async def _run(self) -> None:
        assert self.request is not None and self.number is not None
        number, case = self.number, self._session.case
        shown = self._controller.preview  # the searched picture, kept with each country
        preview = shown.data if shown is not None and shown.url == self.request.image_url \
            else None

        def progress(run: MarketRun) -> None:
            if (run.state is MarketState.DONE and run.outcome is not None
                    and self._session.case is case):
                # Kept at once: Stop (or a crash) keeps every country already done.
                self._session.record(run.outcome, preview, None, sweep=number,
                                     sample_data=self._sample_data(), make_current=False)
            self.progress.show_runs(self.runs, True)
            self._status(f"Sweep: {run.text()}")

        try:
            await run_markets(self._controller.service.client, self.request, self.runs,
                              progress=progress)
        finally:
            self.progress.show_runs(self.runs, False)
            if self._session.case is case and case.sweep_searches(number):
                self.shown.emit(number)
            done = sum(r.state is MarketState.DONE for r in self.runs)
            self._status(f"Sweep finished: {done} of {len(self.runs)} countries searched.")
