"""The right-click menu of a result (also Shift+F10 or the Menu key in the grid)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu

from ...core.duplicates import CopyInfo
from ...core.response import ResultItem
from .keys import CopyRole, ItemRole, StarRole


def popup_result_menu(panel: Any, pos: QPoint) -> None:
    """The menu of the tile at ``pos`` in the grid's viewport (none off the tiles)."""
    view = panel.view
    index = view.indexAt(pos)
    if not index.isValid():
        return
    item: ResultItem = index.data(ItemRole)
    view.setCurrentIndex(index)  # star and note act on this one
    menu = panel.build_menu(item, starred=bool(index.data(StarRole)))
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu.popup(view.viewport().mapToGlobal(pos))  # no nested event loop


def build_result_menu(panel: Any, item: ResultItem, *, starred: bool = False) -> QMenu:
    """``panel`` is the ResultsPanel (typed loosely: it imports this module)."""
    menu = QMenu(panel)
    clipboard = QGuiApplication.clipboard()

    def add(text: str, enabled: bool, slot: object, key: str = "") -> None:
        action = menu.addAction(text)
        action.setEnabled(enabled)
        action.triggered.connect(slot)
        if key:  # shown in the menu; the grid itself handles the key
            action.setShortcut(QKeySequence(key))

    add("Remove the star" if starred else "Star (important)", True, panel.starRequested,
        "S")
    add("Write a note\u2026", True, panel.noteRequested, "N")
    info = panel.view.currentIndex().data(CopyRole)
    if isinstance(info, CopyInfo) and info.size > 1 and panel.proxy.grouped:
        opened = panel.proxy.grouped and panel.proxy.is_unfolded(info.group)
        add(f"Fold the {info.size} copies into one tile" if opened
            else f"Show all {info.size} copies of this picture", True,
            lambda: panel.toggle_group(item.position))
    menu.addSeparator()

    add("Open page", item.source is not None, lambda: panel.openRequested.emit(item.source))
    add("Open image", item.image_url is not None,
        lambda: panel.openRequested.emit(item.image_url))
    add("Open in Bing", item.link is not None, lambda: panel.openRequested.emit(item.link))
    menu.addSeparator()
    add("Copy page address", item.source is not None,
        lambda: clipboard.setText(item.source or ""))
    add("Copy image address", item.image_url is not None,
        lambda: clipboard.setText(item.image_url or ""))
    add("Save image\u2026", item.image_url is not None, lambda: panel.saveRequested.emit(item))
    add("Keep a full-size copy in the case", item.image_url is not None,
        lambda: panel.keepRequested.emit(item))
    menu.addSeparator()
    add("Search with this image", item.image_url is not None,
        lambda: panel.pivotRequested.emit(item))
    return menu
