"""Shows what the case holds as evidence: link-check badges in the grid, the kept
full-size copy and link states in the details, checks in the history; and "Save
image…", which writes the kept copy when there is one."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, QSize, QUrl
from PySide6.QtWidgets import QFileDialog, QStatusBar, QWidget

from ...core.errors import BingrevError
from ...core.files import atomic_write
from ...core.response import ResultItem
from ...core.sizes import human_size
from ..case.case_session import CaseSession
from ..case.history_panel import HistoryPanel
from ..common.message_banner import MessageBanner
from ..common.tasks import TaskSet
from ..search.controller import SearchController
from .details_pane import DetailsPane
from .imaging import THUMBNAIL_MAX_PIXELS, decode_image_async
from .results_panel import ResultsPanel

COPY_PREVIEW = QSize(320, 240)


class EvidenceView(QObject):
    def __init__(self, session: CaseSession, results: ResultsPanel, details: DetailsPane,
                 history: HistoryPanel, controller: SearchController, banner: MessageBanner,
                 status: QStatusBar, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._session, self._results, self._details = session, results, details
        self._history, self._controller, self._banner = history, controller, banner
        self._status, self._parent = status, dialog_parent
        self.tasks = TaskSet()

    def refresh(self) -> None:
        """Copies or link states changed: badges, the selected result's details, history."""
        case, record = self._session.case, self._session.current
        if record is not None:
            positions = record.stars | {i.position for i in record.response.results}
            links = {p: s for p in positions if (s := case.link_state(record, p)) is not None}
            self._results.show_links(links, bool(case.checks))
        self.show_item(self._results.current_item())
        self._history.show_case(case, record)

    def show_item(self, item: ResultItem | None) -> None:
        record = self._session.current
        if item is None or record is None:
            self._details.show_evidence(None, [])
            return
        copy = record.originals.get(item.position)
        links = self._session.case.latest_links(record).get(item.position, [])
        self._details.show_evidence(copy, links)
        if copy is not None and copy.ok:
            self.tasks.spawn(self._show_copy_image(item, copy.sha256))

    async def _show_copy_image(self, item: ResultItem, digest: str | None) -> None:
        data = await asyncio.to_thread(self._session.case.blobs.get, digest)
        if data is None:
            return
        try:
            image = await decode_image_async(data, COPY_PREVIEW, item.image_url or "",
                                             THUMBNAIL_MAX_PIXELS)
        except BingrevError:
            return
        if self._results.current_item() is item:
            self._details.show_copy_image(image)

    def save_image(self, item: ResultItem) -> QFileDialog | None:
        url = item.image_url
        record = self._session.current
        kept = record.originals.get(item.position) if record is not None else None
        digest = kept.sha256 if kept is not None and kept.ok else None
        if kept is not None and digest:
            url = kept.url  # the kept copy is written, not downloaded again
        if not url:
            return None
        name = QUrl(url).fileName() or f"result-{item.position}.{item.format or 'jpg'}"
        dialog = QFileDialog(self._parent, "Save image", name)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(
            lambda path: self.tasks.spawn(self.save_to(url, path, digest)))
        dialog.open()  # no nested event loop
        return dialog

    async def save_to(self, url: str, path: str, digest: str | None = None) -> None:
        self._status.showMessage("Saving the image\u2026")
        try:
            data = (await asyncio.to_thread(self._session.case.blobs.get, digest)
                    if digest else None)
            if data is not None:
                size = await asyncio.to_thread(atomic_write, path, data)
            else:
                size = await self._controller.save_image(url, path)
        except Exception as exc:
            error = exc if isinstance(exc, BingrevError) else BingrevError(
                f"The image could not be written to {path}: "
                f"{getattr(exc, 'strerror', None) or exc}.")
            self._banner.show_error(error)
            self._status.clearMessage()
            return
        self._status.showMessage(f"Image saved to {path} ({human_size(size)}).")
