"""Full-size copies and link checks from the window, with the user's consent first.

Both contact the sites that host results, which the people being investigated
may notice, so the first time either would happen the user is asked in plain
words; "Contact the sites that host results" in Settings remembers the answer.
The work itself is :mod:`core.evidence`; this module adds consent, progress,
Cancel and the messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QMessageBox,
    QWidget,
)

from ...core.case import SearchRecord, plural
from ...core.evidence import candidate_urls, check_links, keep_originals
from ...core.fetcher import is_local_address
from ...core.response import ResultItem
from ...core.service import SearchService
from ...core.settings import SiteContact
from ...core.sizes import human_size
from ..common.activity_bar import ActivityBar
from ..common.message_banner import MessageBanner
from ..common.settings_store import SettingsStore
from ..common.tasks import TaskSet
from .case_session import CaseSession

log = logging.getLogger("bingrev_desktop.evidence")

CONSENT_TEXT = (
    "This visits the websites that host the pictures and pages of your results. The "
    "people who run those sites may see that someone visited, and from which network.\n\n"
    "The app sends no cookies, no key and no address of where you found the picture. "
    "Thumbnails are loaded from the addresses in the search answer (normally Bing's own "
    "servers) and are not affected.")


def estimated_bytes(items: Sequence[ResultItem]) -> int:
    """What full-size copies will roughly weigh: the stated file size, else a guess
    from the pixel count (a photo compresses to about a quarter byte per pixel)."""
    total = 0
    for item in items:
        total += item.file_size or (item.pixel_count // 4 if item.pixel_count else 500_000)
    return total


class EvidenceFlow(QObject):
    changed = Signal()  # copies or link states changed: refresh grid, details, history

    def __init__(self, session: CaseSession, service: Callable[[], SearchService],
                 settings: SettingsStore, banner: MessageBanner, activity: ActivityBar,
                 status: Callable[[str], None], dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._session = session
        self._service = service
        self._settings = settings
        self._banner = banner
        self._activity = activity
        self._status = status
        self._parent = dialog_parent
        self.tasks = TaskSet()  # keeps and checks run side by side; Cancel stops them all
        self.consent_dialog: QMessageBox | None = None
        self.confirm_dialog: QMessageBox | None = None
        activity.cancelRequested.connect(self.cancel)
        session.replaced.connect(self.cancel)  # its results would land in the old case

    @property
    def busy(self) -> bool:
        return len(self.tasks) > 0

    def _progress(self, text: str, done: int, total: int) -> None:
        """Each copy or checked link is in the case at once: unsaved, so closing asks."""
        self._session.mark_dirty(quiet=True)
        self._activity.update_progress(text, done, total)

    def _finished(self) -> None:
        if len(self.tasks) <= 1:  # only the one finishing now
            self._activity.hide()

    # -- consent ---------------------------------------------------------------------
    def with_consent(self, action: str, then: Callable[[], object]) -> None:
        """Run ``then`` if the user allows contacting the hosting sites (asking if need be)."""
        policy = self._settings.site_contact
        if policy is SiteContact.ALWAYS:
            then()
            return
        if policy is SiteContact.NEVER:
            self._banner.show_message(
                "The sites that host results are not contacted",
                f"{action} needs to visit those sites, which Settings does not allow. Change "
                "\u201cContact the sites that host results\u201d in File \u203a Settings.",
                level="warning")
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Contact the websites?",
                          f"{action} contacts other websites.", parent=self._parent)
        box.setInformativeText(CONSENT_TEXT)
        allow = box.addButton("Contact the sites", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        remember = QCheckBox("Remember my choice (change it in Settings)")
        box.setCheckBox(remember)

        def answered(_button: object) -> None:
            allowed = box.clickedButton() is allow
            if remember.isChecked():
                self._settings.site_contact = SiteContact.ALWAYS if allowed else SiteContact.NEVER
            self.consent_dialog = None
            if allowed:
                then()

        box.buttonClicked.connect(answered)
        self.consent_dialog = box
        box.open()

    # -- full-size copies --------------------------------------------------------------
    def star_changed(self, record: SearchRecord | None, item: ResultItem, on: bool) -> None:
        """Starring a result keeps a copy of its full-size image."""
        if not on or record is None or not candidate_urls(item):
            return
        kept = record.originals.get(item.position)
        if kept is None or not kept.ok:
            self.with_consent("Keeping a full-size copy of a starred result",
                              lambda: self.keep(record, [item]))

    def keep_all(self, record: SearchRecord | None) -> None:
        """All results of a search, after a confirmation with the count and size."""
        if record is None:
            return
        items = [i for i in record.response.results if candidate_urls(i)
                 and not (i.position in record.originals and record.originals[i.position].ok)]
        if not items:
            self._status("Every result of this search already has a full-size copy.")
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Keep full-size copies?",
                          f"Keep full-size copies of {plural(len(items), 'result', 'results')}?",
                          parent=self._parent)
        box.setInformativeText(f"This downloads about {human_size(estimated_bytes(items))} "
                               "and stores it in the case file.")
        ok = box.addButton("Keep copies", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        def answered(_button: object) -> None:
            if box.clickedButton() is ok:
                self.with_consent("Keeping full-size copies", lambda: self.keep(record, items))

        box.buttonClicked.connect(answered)
        self.confirm_dialog = box
        box.open()

    def keep_selected(self, record: SearchRecord | None, items: Sequence[ResultItem]) -> None:
        items = [i for i in items if candidate_urls(i)]
        if record is not None and items:
            self.with_consent("Keeping full-size copies", lambda: self.keep(record, items))

    def keep(self, record: SearchRecord, items: Sequence[ResultItem]) -> asyncio.Task[None]:
        return self.tasks.spawn(self._keep(record, list(items)))

    async def _keep(self, record: SearchRecord, items: list[ResultItem]) -> None:
        service = self._service()
        label = "Keeping full-size copies"
        self._activity.start(f"{label}\u2026", len(items))
        try:
            copies = await keep_originals(
                self._session.case, [(record, i) for i in items], service.fetcher,
                allow_local=is_local_address(service.api_base),
                progress=lambda d, t: self._progress(f"{label} {d} of {t}", d, t))
        except asyncio.CancelledError:
            self._status("Stopped keeping full-size copies; the ones already kept stay.")
            raise
        finally:
            self._finished()
            self._session.mark_dirty()
            self.changed.emit()
        kept = sum(c.ok for c in copies)
        failed = [c for c in copies if not c.ok]
        self._status(f"{plural(kept, 'full-size copy', 'full-size copies')} kept in the case.")
        if failed:
            self._banner.show_message(
                "Some full-size copies could not be kept",
                f"{plural(len(failed), 'picture', 'pictures')} could not be downloaded. The "
                "reason is in each result's details.", level="warning",
                details="\n".join(f"{c.url}: {c.error}" for c in failed))

    # -- link checks ---------------------------------------------------------------------
    def check_links(self) -> None:
        if not self._session.case.searches:
            self._status("This case has no searches to check yet.")
            return
        self.with_consent("Checking the links again", self.start_check)

    def start_check(self) -> asyncio.Task[None]:
        return self.tasks.spawn(self._check())

    async def _check(self) -> None:
        service = self._service()
        case = self._session.case
        self._activity.start("Checking links\u2026", 1)
        try:
            check = await check_links(
                case, service.fetcher, allow_local=is_local_address(service.api_base),
                progress=lambda d, t: self._progress(f"Checking links {d} of {t}", d, t))
        except asyncio.CancelledError:
            self._status("Link check cancelled; what was checked so far is kept in the case.")
            raise
        finally:
            self._finished()
            self._session.mark_dirty()
            self.changed.emit()
        self._status(f"Link check done: {check.summary()}.")

    def cancel(self) -> None:
        self.tasks.cancel_soon()
