"""The window's menu bar: every command with its standard shortcut."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from .main_window import MainWindow


@dataclass(frozen=True)
class MenuActions:
    """The menu entries other parts of the window update (enable, refill, trigger)."""

    recent_cases_menu: QMenu
    paste_action: QAction
    search_action: QAction
    cancel_action: QAction


Shortcut = QKeySequence | QKeySequence.StandardKey | None


def build_menus(window: MainWindow) -> MenuActions:
    def action(menu_name: str, text: str, slot: Callable[[], object],
               shortcut: Shortcut = None) -> QAction:
        act = QAction(text, window)
        if shortcut is not None:
            act.setShortcut(shortcut)
        act.triggered.connect(slot)
        menus[menu_name].addAction(act)
        return act

    bar = window.menuBar()
    menus = {name: bar.addMenu(name)
             for name in ("&File", "&Edit", "&Search", "E&vidence", "&Help")}
    action("&File", "New case", window.cases.new_case, QKeySequence.StandardKey.New)
    action("&File", "Open case\u2026", window.cases.choose_and_open, QKeySequence.StandardKey.Open)
    recent_cases_menu = menus["&File"].addMenu("Open recent case")
    action("&File", "Save case", window.cases.save, QKeySequence.StandardKey.Save)
    action("&File", "Save case as\u2026", window.cases.save_as, QKeySequence.StandardKey.SaveAs)
    export = menus["&File"].addMenu("Export")
    for kind, label in (("html", "Report for a web browser (HTML)\u2026"),
                        ("csv", "Spreadsheet (CSV)\u2026"), ("json", "Data (JSON)\u2026")):
        export.addAction(label).triggered.connect(
            lambda _=False, k=kind: window.cases.choose_export(k))
    menus["&File"].addSeparator()
    action("&File", "Enter image address", window.focus_address, QKeySequence("Ctrl+L"))
    action("&File", "Settings\u2026", window.keys.open_settings, QKeySequence.StandardKey.Preferences)
    menus["&File"].addSeparator()
    action("&File", "Quit", window.close, QKeySequence.StandardKey.Quit)
    paste_action = action("&Edit", "Paste image address", window.paste,
                               QKeySequence.StandardKey.Paste)
    # Line edits keep their own Ctrl+V (they claim it via ShortcutOverride).
    action("&Edit", "Whole image (clear crop)", window.search_panel.crop_view.clear_crop)
    search_action = action("&Search", "Search", window.search, QKeySequence("Ctrl+Return"))
    search_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    cancel_action = action("&Search", "Cancel search", window.controller.cancel_search,
                           QKeySequence("Ctrl+."))
    cancel_action.setEnabled(False)
    evidence = window.evidence
    action("E&vidence", "Keep full-size copies of the selected results",
           lambda: evidence.keep_selected(window.case.current,
                                          window.results_panel.selected_items()),
           QKeySequence("Ctrl+K"))
    action("E&vidence", "Keep full-size copies of all results\u2026",
           lambda: evidence.keep_all(window.case.current))
    menus["E&vidence"].addSeparator()
    action("E&vidence", "Check links again\u2026", evidence.check_links)
    action("E&vidence", "Stop keeping or checking", evidence.cancel)
    action("&Help", "Getting started", window.show_help, QKeySequence.StandardKey.HelpContents)
    action("&Help", "About", window.show_about)
    return MenuActions(recent_cases_menu, paste_action, search_action, cancel_action)
