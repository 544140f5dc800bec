"""Read an image address from a drop or the clipboard, in the preferred order."""

from __future__ import annotations

from PySide6.QtCore import QMimeData

from ...core.dropped import pick_dropped_url


def mime_to_url(mime: QMimeData) -> str | None:
    """Read a drop or paste in the preferred order (see core.dropped)."""

    def text_of(fmt: str) -> str | None:
        if not mime.hasFormat(fmt):
            return None
        raw = bytes(mime.data(fmt).data())
        encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (
            len(raw) > 1 and raw[1:2] == b"\x00") else "utf-8"
        return raw.decode(encoding, "replace").replace("\x00", "")

    return pick_dropped_url(
        html_text=mime.html() if mime.hasHtml() else None,
        uri_list=text_of("text/uri-list"),
        moz_url=text_of("text/x-moz-url"),
        plain_text=mime.text() if mime.hasText() else None,
    )
