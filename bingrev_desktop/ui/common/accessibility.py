"""Names for the parts Qt builds itself, so a screen reader can announce them."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QToolButton


def name_clear_button(edit: QLineEdit, name: str = "Clear") -> None:
    """The clear button of ``setClearButtonEnabled`` is an unnamed tool button."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        button.setAccessibleName(name)
        button.setToolTip(name)
