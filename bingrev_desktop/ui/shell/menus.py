"""The window's menu bar: every command with its standard shortcut.

It knows nothing of the window: it gets the commands as plain callables
(``MenuCommands``) and hands back the entries others update (``MenuActions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

Command = Callable[[], object]


@dataclass(frozen=True)
class MenuCommands:
    new_case: Command
    open_case: Command
    save_case: Command
    save_case_as: Command
    export: Callable[[str], object]  # "html", "csv" or "json"
    focus_address: Command
    focus_results: Command  # then S stars, N notes, Shift+F10 opens the menu
    settings: Command
    quit: Command
    paste: Command
    clear_crop: Command
    search: Command
    cancel_search: Command
    keep_selected: Command
    keep_all: Command
    check_links: Command
    stop_evidence: Command
    help: Command
    demo: Command  # try the demo, or leave it
    about: Command


@dataclass(frozen=True)
class MenuActions:
    """The menu entries other parts of the window update (enable, refill, trigger)."""

    recent_cases_menu: QMenu
    paste_action: QAction
    search_action: QAction
    cancel_action: QAction
    demo_action: QAction


Shortcut = QKeySequence | QKeySequence.StandardKey | None


def build_menus(bar: QMenuBar, owner: QObject, do: MenuCommands) -> MenuActions:
    def action(menu_name: str, text: str, slot: Command, shortcut: Shortcut = None) -> QAction:
        act = QAction(text, owner)
        if shortcut is not None:
            act.setShortcut(shortcut)
        act.triggered.connect(slot)
        menus[menu_name].addAction(act)
        return act

    menus = {name: bar.addMenu(name)
             for name in ("&File", "&Edit", "&Search", "E&vidence", "&Help")}
    action("&File", "New case", do.new_case, QKeySequence.StandardKey.New)
    action("&File", "Open case\u2026", do.open_case, QKeySequence.StandardKey.Open)
    recent_cases_menu = menus["&File"].addMenu("Open recent case")
    action("&File", "Save case", do.save_case, QKeySequence.StandardKey.Save)
    action("&File", "Save case as\u2026", do.save_case_as, QKeySequence.StandardKey.SaveAs)
    export = menus["&File"].addMenu("Export")
    for kind, label in (("html", "Report for a web browser\u2026"),
                        ("csv", "Spreadsheet\u2026"),
                        ("json", "Everything, for other programs\u2026")):
        export.addAction(label).triggered.connect(lambda _=False, k=kind: do.export(k))
    menus["&File"].addSeparator()
    action("&File", "Enter image address", do.focus_address, QKeySequence("Ctrl+L"))
    settings = action("&File", "Settings\u2026", do.settings, QKeySequence("Ctrl+,"))
    # Linux desktops often define no Preferences key: Ctrl+, always works.
    settings.setShortcuts([QKeySequence("Ctrl+,"),
                           *QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)])
    menus["&File"].addSeparator()
    action("&File", "Quit", do.quit, QKeySequence.StandardKey.Quit)
    paste_action = action("&Edit", "Paste image address", do.paste,
                          QKeySequence.StandardKey.Paste)
    # Line edits keep their own Ctrl+V (they claim it via ShortcutOverride).
    action("&Edit", "Whole image (clear crop)", do.clear_crop)
    search_action = action("&Search", "Search", do.search, QKeySequence("Ctrl+Return"))
    search_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    cancel_action = action("&Search", "Cancel search", do.cancel_search, QKeySequence("Ctrl+."))
    cancel_action.setEnabled(False)
    menus["&Search"].addSeparator()
    action("&Search", "Go to the results", do.focus_results, QKeySequence("Ctrl+R"))
    action("E&vidence", "Keep full-size copies of the selected results", do.keep_selected,
           QKeySequence("Ctrl+K"))
    action("E&vidence", "Keep full-size copies of all results\u2026", do.keep_all)
    menus["E&vidence"].addSeparator()
    action("E&vidence", "Check links again\u2026", do.check_links)
    action("E&vidence", "Stop keeping or checking", do.stop_evidence)
    action("&Help", "Getting started", do.help, QKeySequence.StandardKey.HelpContents)
    demo_action = action("&Help", "Try the demo", do.demo)
    demo_action.setStatusTip("Open a sample case and search made-up sample data; nothing is "
                             "sent to Bing")
    action("&Help", "About", do.about)
    return MenuActions(recent_cases_menu, paste_action, search_action, cancel_action,
                       demo_action)
