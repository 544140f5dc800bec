"""Names the grid's model, proxy, view and panel share: the model's data roles and the
sort orders the bar offers. Light on purpose: the window's first paint shows the bar
(its sort list) before the grid and its models are built."""

from __future__ import annotations

import enum
import html

from PySide6.QtCore import Qt

ItemRole = Qt.ItemDataRole.UserRole + 1
LargestRole = Qt.ItemDataRole.UserRole + 2
StarRole = Qt.ItemDataRole.UserRole + 3
NoteRole = Qt.ItemDataRole.UserRole + 4
LinkRole = Qt.ItemDataRole.UserRole + 5  # LinkState of the latest link check, or None
MarketsRole = Qt.ItemDataRole.UserRole + 6  # the markets of a sweep that found it
NewRole = Qt.ItemDataRole.UserRole + 7  # first shown by this run (a date), or None
CopyRole = Qt.ItemDataRole.UserRole + 8  # CopyInfo: its copy group, or None (not yet known)
FoldRole = Qt.ItemDataRole.UserRole + 9  # proxy only: "×7" on a group's tile when folded
TileRole = Qt.ItemDataRole.UserRole + 10  # TileFacts: everything a tile draws, in one call


class SortKey(enum.Enum):
    POSITION = "Bing's order"
    SIZE = "Largest first"
    DOMAIN = "Site name (A\u2013Z)"
    CLOSEST = "Closest to my image"


def plain_tooltip(text: str) -> str:
    """Tooltips guess rich text; escaping makes remote text show literally."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"
