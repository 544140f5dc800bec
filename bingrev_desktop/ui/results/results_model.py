"""The result grid's model and its sort/filter proxy (one model, no widget per tile)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
)

from ...core.case_records import LinkState
from ...core.duplicates import CopyInfo, group_heads
from ...core.response import ResultItem, isolate
from .keys import (
    CopyRole,
    ItemRole,
    LargestRole,
    LinkRole,
    MarketsRole,
    NewRole,
    NoteRole,
    StarRole,
    TileRole,
    plain_tooltip,
)

Index = QModelIndex | QPersistentModelIndex


class TileFacts(NamedTuple):
    """What the grid's delegate draws for one result. One data() call per tile instead of
    eight: each goes through the proxy and Python (a repaint draws about 20 tiles)."""

    item: ResultItem
    largest: bool
    new: str | None
    copies: CopyInfo | None
    markets: list[str]
    starred: bool
    link: LinkState | None
    noted: bool


ROWS_ONE_BY_ONE = 12  # more changed rows than this are announced as one range


def spoken(item: ResultItem, starred: bool, note: str) -> str:
    """What a screen reader says for a tile: "Coastal lighthouse — news.example.org,
    984 × 738 JPEG, starred, has a note"."""
    text = f"{item.display_title} \u2014 {item.domain or 'unknown site'}, {item.size_label}"
    if item.format:
        text += f" {item.format.upper()}"
    if starred:
        text += ", starred"
    if note.strip():
        text += ", has a note"
    return text


def copies_text(info: CopyInfo | None) -> str:
    """ "one of 7 copies of this picture, likely original (largest: 4000 × 3000)"."""
    if info is None or info.size < 2:
        return ""
    text = f"one of {info.size} copies of this picture"
    if info.likely_original:
        text += ", likely original"
    reasons = [r for r in info.reasons if r != "likely original"]
    return text + (f" ({'; '.join(reasons)})" if reasons else "")


def describe(item: ResultItem) -> str:
    lines = [isolate(item.display_title),
             f"{isolate(item.domain or 'unknown site')} \u00b7 {item.size_label}"]
    if item.format:
        lines[-1] += f" \u00b7 {isolate(item.format.upper())}"
    if item.source:
        lines.append(f"Page: {item.source}")
    if item.image_url:
        lines.append(f"Image: {item.image_url}")
    else:
        lines.append("This result has no image address.")
    return "\n".join(lines)


class ResultsModel(QAbstractListModel):
    """Results of the current search, plus the user's stars and notes by position."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[ResultItem] = []
        self._rows: dict[int, int] = {}  # position -> row
        self._thumb_rows: dict[str, list[int]] = {}
        self._haystacks: list[str] = []
        self._largest_row: int | None = None
        self._stars: set[int] = set()
        self._notes: dict[int, str] = {}
        self._links: dict[int, LinkState] = {}
        self._markets: dict[int, list[str]] = {}
        self._new: dict[int, str] = {}
        self._copies: dict[int, CopyInfo] = {}
        self._group_rows: dict[int, list[int]] = {}  # group -> rows, its lead first

    def set_copies(self, copies: dict[int, CopyInfo]) -> None:
        """Copy groups by position (fingerprints arrive with the pictures)."""
        if not copies and not self._copies:
            return  # nothing known yet, nothing to repaint
        before, self._copies = self._copies, dict(copies)
        changed = [row for row, item in enumerate(self._items)
                   if before.get(item.position) != copies.get(item.position)]
        heads = group_heads(copies)
        rows: dict[int, list[int]] = {}
        for row, item in enumerate(self._items):
            info = copies.get(item.position)
            if info is not None:
                rows.setdefault(info.group, []).append(row)
        for group, members in rows.items():
            members.sort(key=lambda r: (self._items[r].position != heads.get(group), r))
        self._group_rows = rows
        roles = [CopyRole, Qt.ItemDataRole.AccessibleTextRole]
        if len(changed) <= ROWS_ONE_BY_ONE:
            # One by one: a view repaints a changed range as a whole viewport, and the
            # copy finder updates the groups several times while a grid fills.
            for row in changed:
                self.dataChanged.emit(self.index(row), self.index(row), roles)
        else:
            self.dataChanged.emit(self.index(changed[0]), self.index(changed[-1]), roles)

    def copy_info(self, row: int) -> CopyInfo | None:
        return self._copies.get(self._items[row].position)

    @property
    def has_copies(self) -> bool:
        return bool(self._copies)

    def picture_count(self) -> int:
        """Different pictures among the results: each copy group once."""
        grouped = sum(len(rows) - 1 for rows in self._group_rows.values())
        return len(self._items) - grouped

    def row_of(self, position: int) -> int | None:
        return self._rows.get(position)

    def group_rows(self, group: int) -> list[int]:
        """The rows of a copy group: the one that stands for it (the likely original)
        first, then Bing's order."""
        return self._group_rows.get(group, [])

    def set_extras(self, markets: dict[int, list[str]] | None = None,
                   new: dict[int, str] | None = None) -> None:
        """A sweep's markets per result, and a re-run's new results (position -> date)."""
        self._markets, self._new = dict(markets or {}), dict(new or {})
        if self._items:
            self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1),
                                  [MarketsRole, NewRole, Qt.ItemDataRole.AccessibleTextRole])

    def markets(self, row: int) -> list[str]:
        return self._markets.get(self._items[row].position, [])

    def set_links(self, links: dict[int, LinkState]) -> None:
        """The latest link check's verdict per position (badges and the filter)."""
        self._links = dict(links)
        if self._items:
            self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1), [LinkRole])

    def link(self, row: int) -> LinkState | None:
        return self._links.get(self._items[row].position)

    def set_results(self, items: Sequence[ResultItem], stars: set[int] | None = None,
                    notes: dict[int, str] | None = None) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._haystacks = [f"{i.domain or ''} {i.title or ''} {i.source or ''}".casefold()
                           for i in self._items]  # what the text filter searches
        # The search record's own set and dict, not copies: stars and notes have one store
        # (CaseSession changes them; the model only reads).
        self._stars = stars if stars is not None else set()
        self._notes = notes if notes is not None else {}
        self._links, self._markets, self._new = {}, {}, {}
        self._copies, self._group_rows = {}, {}
        self._rows = {item.position: row for row, item in enumerate(self._items)}
        self._thumb_rows = {}  # one picture can serve several results
        for row, item in enumerate(self._items):
            if item.thumbnail_url:
                self._thumb_rows.setdefault(item.thumbnail_url, []).append(row)
        sized = [(item.pixel_count, -row) for row, item in enumerate(self._items)
                 if item.pixel_count]
        self._largest_row = -max(sized)[1] if sized else None
        self.endResetModel()

    def items(self) -> list[ResultItem]:
        return list(self._items)

    def item(self, row: int) -> ResultItem:
        return self._items[row]

    @property
    def stars(self) -> set[int]:
        return set(self._stars)

    @property
    def notes(self) -> dict[int, str]:
        return dict(self._notes)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == ItemRole:
            return item
        if role == TileRole:
            position = item.position
            return TileFacts(item, index.row() == self._largest_row, self._new.get(position),
                             self._copies.get(position), self._markets.get(position, []),
                             position in self._stars, self._links.get(position),
                             bool(self._notes.get(position, "").strip()))
        if role == Qt.ItemDataRole.DisplayRole:
            return item.domain or "unknown site"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = spoken(item, item.position in self._stars,
                          self._notes.get(item.position, ""))
            markets = self._markets.get(item.position)
            if markets:
                text += f", found in {len(markets)} of the markets"
            info = self._copies.get(item.position)
            if info is not None and info.closeness:
                text += f", {info.closeness}"
            if info is not None and info.size > 1:
                text += f", {info.size} copies" + (", likely original"
                                                   if info.likely_original else "")
            return text + (", new" if item.position in self._new else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            note = self._notes.get(item.position)
            extra = f"\nNote: {note}" if note else ""
            if item.position in self._new:
                extra += f"\nNew: first found by this run ({self._new[item.position]} UTC)"
            if self._markets.get(item.position):
                extra += "\nFound in: " + ", ".join(self._markets[item.position])
            info = self._copies.get(item.position)
            if info is not None and info.closeness:
                extra += f"\nCompared with your image: {info.closeness}"
            copies = copies_text(info)
            if copies:
                extra += "\n" + copies[0].upper() + copies[1:]
            return plain_tooltip(describe(item) + extra)
        if role == LargestRole:
            return index.row() == self._largest_row
        if role == StarRole:
            return item.position in self._stars
        if role == NoteRole:
            return self._notes.get(item.position, "")
        if role == LinkRole:
            return self._links.get(item.position)
        if role == MarketsRole:
            return self._markets.get(item.position, [])
        if role == NewRole:
            return self._new.get(item.position)
        if role == CopyRole:
            return self._copies.get(item.position)
        return None

    def marks_changed(self, position: int) -> None:
        """The record's star or note of ``position`` changed: repaint its tiles."""
        for row, item in enumerate(self._items):
            if item.position == position:
                index = self.index(row)
                self.dataChanged.emit(index, index, [StarRole, NoteRole,
                                                     Qt.ItemDataRole.AccessibleTextRole])

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self._items[index.row()].has_image:
            base |= Qt.ItemFlag.ItemIsDragEnabled
        return base

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", "text/plain"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """Dragging results out gives their image URLs (page URL as fallback)."""
        urls = []
        for index in indexes:
            item = self._items[index.row()]
            target = item.image_url or item.source
            if target:
                urls.append(QUrl(target))
        mime = QMimeData()
        mime.setUrls(urls)
        mime.setText("\n".join(u.toString() for u in urls))
        return mime

    def rows_of_picture(self, url: str) -> tuple[int, ...]:
        """The rows showing this thumbnail (one picture can serve several results)."""
        return tuple(self._thumb_rows.get(url, ()))
