"""The window's menu bar: every command with its standard shortcut."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from .main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    def action(menu_name: str, text: str, slot: object, shortcut: object = None) -> QAction:
        act = QAction(text, window)
        if shortcut is not None:
            act.setShortcut(shortcut)  # type: ignore[arg-type]
        act.triggered.connect(slot)
        menus[menu_name].addAction(act)
        return act

    bar = window.menuBar()
    menus = {name: bar.addMenu(name)
             for name in ("&File", "&Edit", "&Search", "E&vidence", "&Help")}
    action("&File", "New case", window.cases.new_case, QKeySequence.StandardKey.New)
    action("&File", "Open case\u2026", window.cases.choose_and_open, QKeySequence.StandardKey.Open)
    window.recent_cases_menu = menus["&File"].addMenu("Open recent case")
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
    window.paste_action = action("&Edit", "Paste image address", window.paste,
                               QKeySequence.StandardKey.Paste)
    # Line edits keep their own Ctrl+V (they claim it via ShortcutOverride).
    action("&Edit", "Whole image (clear crop)", window.search_panel.crop_view.clear_crop)
    window.search_action = action("&Search", "Search", window.search,
                                QKeySequence("Ctrl+Return"))
    window.search_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    window.cancel_action = action("&Search", "Cancel search", window.controller.cancel_search,
                                QKeySequence("Ctrl+."))
    window.cancel_action.setEnabled(False)
    evidence = window.evidence
    action("E&vidence", "Keep a full-size copy of the selected result",
           lambda: evidence.keep_selected(window.case.current,
                                          [i for i in [window.results_panel.current_item()] if i]),
           QKeySequence("Ctrl+K"))
    action("E&vidence", "Keep full-size copies of all results\u2026",
           lambda: evidence.keep_all(window.case.current))
    menus["E&vidence"].addSeparator()
    action("E&vidence", "Check links again\u2026", evidence.check_links)
    action("E&vidence", "Stop keeping or checking", evidence.cancel)
    action("&Help", "Getting started", window.show_help, QKeySequence.StandardKey.HelpContents)
    action("&Help", "About", window.show_about)

