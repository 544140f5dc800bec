"""The window's second step: the case, the flows and the controller, added after the
first paint (``MainWindow.attach``). Importing this loads the network stack, so the
window's own module does not."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer

from ...core.credentials import CredentialStore
from ...core.errors import BingrevError, NotAnImageError
from ...core.sizes import THUMBNAIL_LOADS
from ..case.case_flow import CaseFlow
from ..case.case_images import CaseImages
from ..case.case_session import CaseSession
from ..case.case_view import CaseView
from ..case.evidence_flow import EvidenceFlow
from ..case.history_panel import HistoryPanel
from ..common.accessibility import follow_in_focus_chain
from ..dialogs.key_flow import KeyFlow
from ..results.evidence_view import EvidenceView
from ..results.imaging import start_decode_pool
from ..results.thumbnails import ThumbnailLoader
from ..search.controller import SearchController
from ..search.preview import Preview
from ..search.search_outcome import SearchOutcomeView
from .copies_wiring import attach_copies
from .demo_mode import DemoMode
from .sweep_wiring import attach_sweeps

WARM_UP_MS = 50  # after attaching: the grid's fonts load while the app is idle


def attach_flows(window: Any, controller: SearchController,
                 credentials: CredentialStore) -> None:
    """``window`` is the MainWindow (typed loosely: it imports this module). Order: the
    session, then the flows, each given the parts it works on; no part reaches back
    into the window."""
    w = window
    w.controller = controller
    add_history_panel(w)
    w.loader = ThumbnailLoader(w.fetch_thumbnail, parent=w)
    w.results_panel.attach_grid(w.loader)
    status = w.statusBar()
    w.session = CaseSession(w)
    w.images = CaseImages(w.session, w.loader, w.fetch_thumbnail, w,
                          fill=controller.fill_thumbnails)
    # 16 loads at a time fill an HTTP/1.1 host's connections and keep the queue in the
    # loader, where tiles scrolled onto the screen overtake it; an HTTP/2 host
    # multiplexes them, so the whole fill may go at once.
    controller.thumbnailsMultiplexed.connect(
        lambda: w.loader.use_multiplexed_host(THUMBNAIL_LOADS))
    w.case_files = CaseFlow(w, w.session, w.banner, w.settings, status,
                            w.loader.until_screen_loaded)
    w.case_view = CaseView(w.session, w.images, w.results_panel, w.details, w.history,
                           w.search_panel, controller, w.banner, status, demo=w.demo, parent=w)
    w.case_view.titleChanged.connect(w.setWindowTitle)
    w.case_files.caseShown.connect(w.case_view.show_case)
    w.evidence = EvidenceFlow(w.session, lambda: w.controller.service, w.settings, w.banner,
                              w.activity, status.showMessage, w)
    w.evidence_view = EvidenceView(w.session, w.results_panel, w.details, w.history,
                                   controller, w.banner, status, w)
    w.keys = KeyFlow(w, w.banner, w.settings, credentials, controller.service, demo=w.demo)
    w.keys.searchRequested.connect(w.search)
    w.demo_mode = DemoMode(w)
    w.keys.demoRequested.connect(w.demo_mode.request_enter)
    controller.load_thumbnail_path()  # its threads start with the first search
    # Fonts and glyphs for the grid, and the decode pool's threads, while nothing else
    # runs (after the first paint).
    QTimer.singleShot(WARM_UP_MS, w.results_panel.view, w.results_panel.view.warm_up)
    QTimer.singleShot(WARM_UP_MS, w.results_panel.view, start_decode_pool)


def add_history_panel(window: Any) -> None:
    """The Case history panel, in its tab's place: the first paint does not show it,
    and its module loads the case's storage (sqlite3, hashlib, the series)."""
    tabs = window.side_tabs
    current, index = tabs.currentIndex(), tabs.indexOf(window.history_page)
    window.history = HistoryPanel()
    tabs.removeTab(index)
    tabs.insertTab(index, window.history, "Case history")
    follow_in_focus_chain(window.details, window.history)  # Tab order: as if built first
    tabs.setCurrentIndex(current)
    window.history_page.deleteLater()


def outcome_view(window: Any) -> SearchOutcomeView:
    """What a search's end shows (connected among the window's other controller slots,
    in their order)."""
    w = window
    view = SearchOutcomeView(w.controller, w.search_panel, w.results_panel, w.banner,
                             w.statusBar(), w.session, w.show_new_record,
                             w.menu_actions.cancel_action, demo=w.demo, parent=w)
    view.retryRequested.connect(w.search)
    view.keyRequested.connect(lambda: w.keys.ask_for_key(then_search=True))
    return view


def attach_extras(window: Any) -> None:
    """Sweeps and copy groups, connected after the window's own slots."""
    window.sweeps = attach_sweeps(window)  # Several countries…
    window.copies = attach_copies(window)  # copy groups: finder, grid, details


def preview_ready(window: Any, preview: Preview) -> None:
    """The searched image arrived: show it, remember it, and say what can be done."""
    w = window
    w.search_panel.show_preview(preview)
    w.case_view.preview_shown(preview)
    if w.demo:  # demo addresses change with every run: kept for this session only
        others = [u for u in w.demo_recent if u != preview.url]
        w.demo_recent = [preview.url, *others[:14]]
        w.search_panel.set_recent(w.demo_recent)
    else:
        w.search_panel.set_recent(w.settings.add_recent_image(preview.url))
    record = w.session.current
    own_results = record is not None and record.image_url == preview.url
    w.results_panel.set_stale(record is not None and not own_results)
    status = w.statusBar()
    prompt = "Image ready. Drag on it to search only part of it, or press Search."
    if not w.controller.searching and not own_results:
        status.showMessage(prompt)
    elif not w.controller.searching and status.currentMessage() == prompt:
        # Back to an image whose results are shown. Otherwise the status bar keeps
        # what it says of them ("Found 150 results…", "Case opened…").
        status.showMessage("Image ready. Its results are shown.")
    if record is not None and record.image_url == preview.url:
        w.session.attach_preview(record, preview.data)
    w.search_panel.search_button.setFocus()


def preview_failed(window: Any, error: BingrevError) -> None:
    w = window
    w.search_panel.show_preview_error(str(error))
    if isinstance(error, NotAnImageError):
        w.banner.show_error(error)
        w.statusBar().showMessage("This address is a web page, not an image.")
        return
    # The search service downloads the image itself: a failed preview need not stop it.
    w.banner.show_message(
        "No preview", f"{error} You can still press Search: the search service fetches "
        "the image itself.", level="warning", details=error.technical_text())
    w.statusBar().showMessage("No preview, but you can still search.")
