"""Read an image address from a drop or the clipboard, in the preferred order."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal
from PySide6.QtGui import QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QWidget

from ...core.dropped import DroppedImage, pick_dropped


def mime_to_url(mime: QMimeData) -> str | None:
    dropped = mime_to_dropped(mime)
    return dropped.url if dropped else None


_SCHEME = re.compile(r"^(?:file|data|blob|https?|ftp):", re.IGNORECASE)


def carries_address(mime: QMimeData) -> bool:
    """Does a drag hold something that may name an image (a link, a page fragment,
    text with an address)? Plain words do not: they may be dropped into a note."""
    if mime.hasUrls() or mime.hasHtml() or mime.hasFormat("text/x-moz-url"):
        return True
    text = (mime.text() if mime.hasText() else "").strip()
    # "https://…", "www.…", and "file:"/"data:"/"blob:" (explained, not searched).
    return "://" in text or text.startswith("www.") or bool(_SCHEME.match(text))


class DropRouter(QObject):
    """Every widget of the window takes an image drop the way the preview does: the
    address fields, spin boxes, filter and note boxes would otherwise insert the URL
    into their text. Install with :meth:`watch`; ``dropped(QMimeData)`` fires."""

    dropped = Signal(QMimeData)

    def watch(self, root: QWidget) -> None:
        # Every widget, viewports included: a text box takes drops on its viewport.
        for widget in [root, *root.findChildren(QWidget)]:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(
                event, QDragMoveEvent) and carries_address(event.mimeData()):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop and isinstance(event, QDropEvent) and carries_address(
                event.mimeData()):
            event.acceptProposedAction()
            self.dropped.emit(event.mimeData())
            return True
        return False


def mime_to_dropped(mime: QMimeData) -> DroppedImage | None:
    """Read a drop or paste in the preferred order (see core.dropped)."""

    def text_of(fmt: str) -> str | None:
        if not mime.hasFormat(fmt):
            return None
        raw = bytes(mime.data(fmt).data())
        encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (
            len(raw) > 1 and raw[1:2] == b"\x00") else "utf-8"
        return raw.decode(encoding, "replace").replace("\x00", "")

    return pick_dropped(
        html_text=mime.html() if mime.hasHtml() else None,
        uri_list=text_of("text/uri-list"),
        moz_url=text_of("text/x-moz-url"),
        plain_text=mime.text() if mime.hasText() else None,
    )
