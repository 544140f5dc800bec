"""Names for the parts Qt builds itself, so a screen reader can announce them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QToolButton, QWidget


def name_clear_button(edit: QLineEdit, name: str = "Clear") -> None:
    """The clear button of ``setClearButtonEnabled`` is an unnamed tool button."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        button.setAccessibleName(name)
        button.setToolTip(name)


def _chain_of(part: QWidget) -> list[QWidget]:
    """``part`` and its children, in Tab order (Qt keeps a widget's children together,
    right after it)."""
    chain, step = [part], part.nextInFocusChain()
    while step is not None and step is not part and part.isAncestorOf(step):
        chain.append(step)
        step = step.nextInFocusChain()
    return chain


def follow_in_focus_chain(anchor: QWidget, part: QWidget) -> None:
    """Put ``part`` and its children in the Tab order right after ``anchor`` and its
    children. A widget added to a window after it was built joins the Tab order at the
    window's end, after the status bar."""
    # Qt's setTabOrder leaves a widget that takes no focus where it is, either side.
    previous = [anchor, *_focusable(_chain_of(anchor))][-1]
    for widget in _focusable(_chain_of(part)):
        QWidget.setTabOrder(previous, widget)
        previous = widget


def _focusable(widgets: list[QWidget]) -> list[QWidget]:
    return [w for w in widgets if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
