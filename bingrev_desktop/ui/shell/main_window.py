"""The main window: wires the panels to the controller. No networking happens here.

Built in two steps, so the window paints before the network stack is loaded: the
constructor makes the widgets and the menus; ``attach()`` adds the case, the flows and
the controller (``ui.shell.app`` calls it after the first paint; given a controller,
the constructor does both, as tests and tools do)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from ...core.dropped import with_scheme
from ...core.errors import BingrevError
from ...core.request import SearchRequest, ValidationError, validate_image_url
from ...core.settings import SiteContact
from ..common.activity_bar import ActivityBar
from ..common.message_banner import MessageBanner
from ..common.settings_store import SettingsStore
from ..common.tasks import TaskSet
from ..results.details_pane import DetailsPane
from ..results.keys import NoteRole, StarRole
from ..results.results_panel import ResultsPanel
from ..search.drop import DropRouter, mime_to_dropped
from ..search.search_panel import SearchPanel
from .layout import build_central, demo_notice
from .menus import MenuCommands, build_menus

if TYPE_CHECKING:  # set by attach(): importing them loads the network stack
    import asyncio

    from ...core.case import SearchRecord
    from ...core.client import SearchOutcome
    from ...core.credentials import CredentialStore
    from ...core.response import ResultItem
    from ..case.case_flow import CaseFlow
    from ..case.case_images import CaseImages
    from ..case.case_session import CaseSession
    from ..case.case_view import CaseView
    from ..case.copy_finder import CopyFinder
    from ..case.evidence_flow import EvidenceFlow
    from ..case.history_panel import HistoryPanel
    from ..dialogs.about_dialog import AboutDialog
    from ..dialogs.help_dialog import GettingStartedDialog
    from ..dialogs.key_flow import KeyFlow
    from ..results.evidence_view import EvidenceView
    from ..results.thumbnails import ThumbnailLoader
    from ..search.controller import SearchController
    from ..search.search_outcome import SearchOutcomeView
    from ..search.sweep_flow import SweepFlow
    from .demo_mode import DemoMode

log = logging.getLogger("bingrev_desktop.window")


class MainWindow(QMainWindow):
    closed = Signal()
    # Set by attach().
    history: HistoryPanel  # the Case history tab: hidden at the first paint
    loader: ThumbnailLoader  # the grid's pictures: the first paint shows no grid
    controller: SearchController
    session: CaseSession
    images: CaseImages
    case_files: CaseFlow
    case_view: CaseView
    evidence: EvidenceFlow
    evidence_view: EvidenceView
    keys: KeyFlow
    demo_mode: DemoMode
    search_outcomes: SearchOutcomeView
    sweeps: SweepFlow
    copies: CopyFinder

    def __init__(self, controller: SearchController | None, credentials: CredentialStore | None,
                 settings: SettingsStore, *, demo: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.demo = demo
        self.attached = False
        self.was_closed = False  # run_app may start listening for "closed" after it
        self.setAcceptDrops(True)
        self.drops = DropRouter(self)  # installed on every widget by attach()
        self.drops.dropped.connect(self.take_drop)
        self.search_panel = SearchPanel()
        self.results_panel = ResultsPanel()  # its grid comes with attach()
        self.details = DetailsPane()
        self.banner = MessageBanner()
        self.tasks = TaskSet()
        self._close_confirmed = False
        self.demo_recent: list[str] = []
        self.demo_notice = demo_notice()
        self.demo_notice.setVisible(demo)
        self.side_tabs = QTabWidget()  # Details | Case history
        self.side_tabs.addTab(self.details, "Details")
        self.history_page = QWidget()  # attach() puts the panel in its place
        self.side_tabs.addTab(self.history_page, "Case history")
        self.setCentralWidget(build_central(self.search_panel, self.results_panel,
                                           self.side_tabs, self.banner, self.demo_notice))
        self.menu_actions = build_menus(self.menuBar(), self, self._menu_commands())
        self.search_panel.url_edit.setFocus()  # start typing or pasting at once
        self.search_panel.market_combo.set_market(settings.market)
        self.search_panel.count_spin.setValue(settings.count)
        self.search_panel.set_recent([] if demo else settings.recent_images())
        self.results_panel.group_copies.setChecked(settings.group_copies)  # as last time
        self.results_panel.group_copies.toggled.connect(
            lambda on: setattr(settings, "group_copies", on))
        self.setWindowTitle("Untitled case")
        self.activity = ActivityBar()  # in the status bar from the first paint: no jump later
        self.statusBar().addPermanentWidget(self.activity)
        self.statusBar().showMessage("Starting\u2026")
        if controller is not None and credentials is not None:
            self.attach(controller, credentials)

    def attach(self, controller: SearchController, credentials: CredentialStore) -> None:
        """The second step: the case, the flows and the controller."""
        from .window_flows import attach_extras, attach_flows

        attach_flows(self, controller, credentials)
        self._connect()
        # What the form shows is what Settings keeps (a market from the locale, say).
        self._market_changed(self.search_panel.market_combo.market())
        self._count_changed(self.search_panel.count_spin.value())
        self.attached = True
        self.set_demo(self.demo)
        attach_extras(self)
        self.drops.watch(self)
        self.statusBar().showMessage("Ready. Drop an image onto the window to begin.")

    # -- construction -------------------------------------------------------------
    def _menu_commands(self) -> MenuCommands:
        """The menus exist before the flows: each command finds its flow when used."""
        def ready(command: Callable[[], object]) -> Callable[[], object]:
            return lambda: command() if self.attached else None

        results = self.results_panel
        return MenuCommands(
            new_case=ready(lambda: self.case_files.new_case()),
            open_case=ready(lambda: self.case_files.choose_and_open()),
            save_case=ready(lambda: self.case_files.save()),
            save_case_as=ready(lambda: self.case_files.save_as()),
            export=lambda kind: self.case_files.choose_export(kind) if self.attached else None,
            focus_address=self.focus_address,
            focus_results=ready(lambda: results.view.setFocus()),
            settings=ready(lambda: self.keys.open_settings()),
            quit=self.close, paste=ready(self.paste),
            clear_crop=self.search_panel.crop_view.clear_crop, search=ready(self.search),
            cancel_search=ready(lambda: self.controller.cancel_search()),
            keep_selected=ready(lambda: self.evidence.keep_selected(
                self.session.current, results.selected_items())),
            keep_all=ready(lambda: self.evidence.keep_all(self.session.current)),
            check_links=ready(lambda: self.evidence.check_links()),
            stop_evidence=ready(lambda: self.evidence.cancel()),
            help=self.show_help, about=self.show_about,
            demo=ready(lambda: self.demo_mode.toggle()))

    def _connect(self) -> None:
        from .window_flows import outcome_view, preview_failed, preview_ready

        panel, ctl = self.search_panel, self.controller
        panel.loadRequested.connect(self.show_address)
        panel.searchRequested.connect(self.search)
        panel.cancelRequested.connect(ctl.cancel_search)
        panel.market_combo.marketChanged.connect(self._market_changed)
        panel.count_spin.valueChanged.connect(self._count_changed)
        ctl.previewStarted.connect(panel.show_loading)
        ctl.previewProgress.connect(panel.show_progress)
        ctl.previewReady.connect(lambda preview: preview_ready(self, preview))
        ctl.previewFailed.connect(lambda _url, error: preview_failed(self, error))
        self.search_outcomes = outcome_view(self)
        self.loader.changed.connect(self.results_panel.repaint_picture)
        self.images.progressChanged.connect(self._fill_progress)
        self.results_panel.loadMissingRequested.connect(self.images.load_missing)
        self.session.changed.connect(self.case_view.case_changed)
        self.session.saveFailed.connect(lambda exc: self.banner.show_error(BingrevError(
            f"The case could not be saved: {getattr(exc, 'strerror', None) or exc}.")))
        self.history.searchChosen.connect(self.case_view.show_record_by_id)
        self.history.caseNoteEdited.connect(self.session.set_case_note)
        results = self.results_panel
        results.openRequested.connect(self.open_url)
        results.pivotRequested.connect(self.pivot)
        results.saveRequested.connect(self.evidence_view.save_image)
        results.selectionChanged.connect(self._selection_changed)
        results.starRequested.connect(self.details.toggle_star)  # the pane shows the current
        results.noteRequested.connect(self.details.edit_note)
        self.details.openRequested.connect(self.open_url)
        self.details.pivotRequested.connect(self.pivot)
        self.details.starToggled.connect(lambda on: self._set_current(StarRole, on))
        self.evidence.changed.connect(self.evidence_view.refresh)
        self.details.keepRequested.connect(
            lambda item: self.evidence.keep_selected(self.session.current, [item]))
        results.keepRequested.connect(
            lambda item: self.evidence.keep_selected(self.session.current, [item]))
        self.details.noteEdited.connect(lambda text: self._set_current(NoteRole, text))
        self.case_files.attach_recent_menu(self.menu_actions.recent_cases_menu)
        self.case_view.case_changed()

    # -- getting an image in ---------------------------------------------------------
    def show_address(self, text: str, *, from_result: bool = False,
                     full_size_from_link: bool = False) -> bool:
        """Validate an address and start the preview; explain instead of failing."""
        try:
            url = validate_image_url(with_scheme(text))
        except ValidationError as exc:
            self.banner.show_message("This address cannot be searched", str(exc),
                                     level="warning")
            self.search_panel.url_edit.setText(text.strip())
            self.search_panel.show_preview_error("This address cannot be searched.")
            self.statusBar().showMessage("This address cannot be searched: see the message "
                                         "above.")
            return False
        self.banner.hide()
        self.search_panel.url_edit.setText(url)  # now: a search may follow at once (pivot)
        self.search_panel.full_size_url = url if full_size_from_link else None
        self.controller.start_preview(url, from_result=from_result)
        record = self.session.current
        self.results_panel.set_stale(record is not None and record.image_url != url)
        return True

    def paste(self) -> None:
        self.take_drop(QGuiApplication.clipboard().mimeData(), pasted=True)

    def take_drop(self, mime: QMimeData, *, pasted: bool = False) -> None:
        """A drop anywhere on the window (DropRouter), or a paste."""
        dropped = mime_to_dropped(mime)
        if dropped is not None:
            self.show_address(dropped.url, full_size_from_link=dropped.full_size_from_link)
        elif pasted:
            self.banner.show_message("Nothing to paste", "The clipboard holds no image "
                                     "address. Copy an image's address in your browser first.")
        else:
            self.banner.show_message("Nothing usable was dropped",
                                     "Drop an image from a web page, or its address.",
                                     level="warning")

    def focus_address(self) -> None:
        self.search_panel.url_edit.setFocus()
        self.search_panel.url_edit.selectAll()

    # -- searching ------------------------------------------------------------------
    def build_request(self) -> SearchRequest | None:
        panel = self.search_panel
        try:
            return SearchRequest.create(with_scheme(panel.url_edit.text()), crop=panel.crop(),
                                        mkt=panel.market_combo.market(),
                                        count=panel.count_spin.value())
        except ValidationError as exc:
            self.banner.show_message("Check the search", str(exc), level="warning")
            return None

    def search(self, *, parent: tuple[int, int] | None = None, preview: bool = True,
               request: SearchRequest | None = None
               ) -> asyncio.Task[SearchOutcome | None] | None:
        """Search what the form shows (or ``request``: Search again); ``parent`` marks a
        pivot; ``preview=False`` leaves the searched image unfetched."""
        request = request or self.build_request()
        if request is None:
            return None
        if self.controller.preview_is_not_an_image and (
            self.controller.preview_error is not None
            and self.controller.preview_error.detail.url == request.image_url
        ):
            self.banner.show_message(
                "This address is not an image", str(self.controller.preview_error),
                level="warning")
            return None
        if not self.controller.service.client.has_key:
            self.keys.ask_for_key(then_search=True)
            return None
        self.banner.hide()
        shown = self.controller.preview
        if preview and (shown is None or shown.url != request.image_url):
            self.controller.start_preview(request.image_url)  # show what is being searched
        return self.controller.start_search(request, parent=parent)

    def pivot(self, item: ResultItem) -> None:
        """"Search with this image": a new search from a result."""
        if not item.image_url:
            return
        origin = self.session.current
        parent = (origin.id, item.position) if origin is not None else None
        if self.settings.site_contact is SiteContact.ALWAYS:
            if self.show_address(item.image_url, from_result=True):
                self.search_panel.set_crop(None)
                self.search(parent=parent)
            return
        # Showing the picture would visit the site that hosts it, which Settings does not
        # allow without asking: the search still runs (the service fetches the image).
        self.controller.clear_preview()
        self.search_panel.url_edit.setText(item.image_url)
        self.search_panel.set_crop(None)
        self.search_panel.show_preview_error(
            "No preview: showing this result's picture would contact the site that hosts "
            "it. The search runs anyway. To see previews of results, set \u201cContact the "
            "sites that host results\u201d to Always in File \u203a Settings.")
        self.search(parent=parent, preview=False)

    # -- results ---------------------------------------------------------------------
    def _selection_changed(self, item: ResultItem | None) -> None:
        if item is not None:
            self.side_tabs.setCurrentWidget(self.details)
        index = self.results_panel.source_index_of_current()
        self.details.show_item(item, bool(index.data(StarRole)), index.data(NoteRole) or "")
        self.evidence_view.show_item(item)

    def _set_current(self, role: int, value: object) -> None:
        index = self.results_panel.source_index_of_current()
        if not index.isValid() or self.case_view.showing_sweep is not None:
            return  # a sweep's merged view: marks belong to one country's search
        item = self.results_panel.model.item(index.row())
        if role == StarRole:
            self.session.set_star(item.position, bool(value))
            self.evidence.star_changed(self.session.current, item, bool(value))
        else:
            self.session.set_note(item.position, str(value))
        self.results_panel.model.marks_changed(item.position)

    def open_url(self, url: str) -> None:
        qurl = QUrl(url)
        if qurl.scheme() in ("http", "https"):
            QDesktopServices.openUrl(qurl)

    def show_help(self) -> GettingStartedDialog:
        from ..dialogs.help_dialog import GettingStartedDialog

        dialog = GettingStartedDialog(self)
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        from ..dialogs.about_dialog import AboutDialog

        dialog = AboutDialog(self)
        dialog.open()
        return dialog

    async def fetch_thumbnail(self, url: str) -> bytes:
        return await self.controller.fetch_thumbnail(url)

    def show_new_record(self, record: SearchRecord) -> None:
        self.images.show(record)  # visible tiles first, then every other picture
        self.case_view.show_results(record)

    def _fill_progress(self, text: str, complete: bool, can_load: bool) -> None:
        was_filling = self.results_panel.filling
        self.results_panel.show_fill(text, complete, can_load)
        if complete and was_filling and not self.controller.searching:
            self.statusBar().showMessage(text)  # "All 150 pictures are kept in the case."

    def _market_changed(self, code: str) -> None:
        self.settings.market = code

    def _count_changed(self, value: int) -> None:
        self.settings.count = value

    def set_demo(self, on: bool) -> None:
        """Demo mode on or off here (DemoMode switches the service and the engine)."""
        self.demo = self.keys.demo = self.search_outcomes.demo = self.case_view.demo = on
        self.demo_notice.setVisible(on)
        self.menu_actions.demo_action.setText("Leave the demo" if on else "Try the demo")
        self.search_panel.set_recent(self.demo_recent if on else self.settings.recent_images())
        self.case_view.case_changed()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.attached:  # closed while starting: nothing to save or stop yet
            event.accept()
            self.was_closed = True
            self.closed.emit()
            return
        self.sweeps.cancel()  # before "Save?": every country that arrived is in the save
        if not self._close_confirmed and self.session.dirty and self.session.case.searches:
            event.ignore()  # ask first; close() runs again once the user has chosen
            self.case_files.confirm_discard(self._close_now)
            return
        self.settings.set_geometry(bytes(self.saveGeometry().data()))
        self.settings.sync()
        self.session.stop_autosave()
        self.controller.cancel_search()
        self.controller.cancel_preview()
        self.loader.cancel()
        self.copies.stop()
        self.evidence.cancel()
        self.sweeps.cancel()
        event.accept()
        self.was_closed = True
        self.closed.emit()

    def _close_now(self) -> None:
        self._close_confirmed = True
        self.close()
