"""Staff usability: no dead ends, no garbled text, the keyboard reaches everything."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.results.keys import StarRole
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .test_window import drop, run, search_and_wait, show_and_wait


def uri_mime(url: str) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl(url)])
    mime.setText(url)
    return mime


def test_an_impossible_crop_blocks_the_search(qloop: asyncio.AbstractEventLoop,
                                              window: MainWindow,
                                              demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("lighthouse")))
    panel = window.search_panel
    panel.crop_fields["cal"].setValue(20)
    panel.crop_fields["car"].setValue(70)
    assert panel.crop_view.crop() is not None
    sent_before = len(demo_engine.search_requests)
    panel.crop_fields["car"].setValue(10)  # right of... left of the left edge
    assert panel.crop_error.isVisibleTo(panel)
    assert not panel.search_button.isEnabled()
    assert window.search() is None  # Ctrl+Enter: nothing is sent, no credit used
    assert len(demo_engine.search_requests) == sent_before
    assert "Check the search" in window.banner.title_label.text()
    panel.crop_fields["car"].setValue(55)  # fixed: the search sends what the fields show
    assert panel.search_button.isEnabled()
    run(qloop, search_and_wait(window))
    sent = demo_engine.search_requests[-1]
    assert (sent["cal"], sent["car"]) == ("0.2", "0.55")


WIDGETS = ["url_edit", "filter", "count", "market", "result_note", "case_note", "grid",
           "preview", "sort"]


def widget_named(window: MainWindow, name: str) -> QWidget:
    panel, results = window.search_panel, window.results_panel
    return {"url_edit": panel.url_edit, "filter": results.filter_edit,
            "count": panel.count_spin, "market": panel.market_combo,
            "result_note": window.details.note, "case_note": window.history.note,
            "grid": results.view.viewport(), "preview": panel.crop_view,
            "sort": results.sort_combo}[name]


@pytest.mark.parametrize("name", WIDGETS)
def test_an_image_dropped_on_any_widget_is_shown_and_garbles_nothing(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        name: str) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("lighthouse")))
    run(qloop, search_and_wait(window))
    target = widget_named(window, name)
    for edit in [target, *target.findChildren(QWidget)]:
        if hasattr(edit, "lineEdit") and edit.lineEdit() is not None:
            target = edit.lineEdit()  # spin and combo boxes hold a line edit that takes text
    before = {w: w.text() for w in (window.search_panel.url_edit, window.results_panel.filter_edit)}
    url = demo_engine.query_image_url("city")
    assert drop(window, uri_mime(url), target)
    run(qloop, wait_until(lambda: window.controller.preview is not None
                          and window.controller.preview.url == url, message="the dropped image"))
    assert window.search_panel.url_edit.text() == url  # replaced, never spliced into
    assert window.results_panel.filter_edit.text() == before[window.results_panel.filter_edit]
    assert window.details.note.toPlainText() == "" and window.history.note.toPlainText() == ""
    assert window.search_panel.count_spin.value() == window.settings.count


def test_a_linked_thumbnail_searches_the_full_image(qloop: asyncio.AbstractEventLoop,
                                                    window: MainWindow,
                                                    demo_engine: DemoEngine) -> None:
    full = f"{demo_engine.base_url}/img/q-lighthouse.png?w=1600&h=1200"
    thumb = f"{demo_engine.base_url}/thumb/q-lighthouse.png?w=200&h=150"
    mime = QMimeData()
    mime.setHtml(f'<a href="{full}"><img src="{thumb}"></a>')
    mime.setUrls([QUrl(full)])
    assert drop(window, mime, window.search_panel.crop_view)
    run(qloop, wait_until(lambda: window.controller.preview is not None, message="preview"))
    assert window.controller.preview is not None and window.controller.preview.url == full
    note = window.search_panel.source_note
    assert note.isVisibleTo(window) and "full-size image from the link" in note.text()
    assert window.controller.preview.width == 1600


def test_results_of_the_previous_image_are_marked(qloop: asyncio.AbstractEventLoop,
                                                  window: MainWindow,
                                                  demo_engine: DemoEngine) -> None:
    lighthouse = demo_engine.query_image_url("lighthouse")
    run(qloop, show_and_wait(window, lighthouse))
    run(qloop, search_and_wait(window))
    stale = window.results_panel.stale_label
    assert not stale.isVisibleTo(window)
    run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
    assert stale.isVisibleTo(window) and "previous image" in stale.text()
    assert "press Search" in window.statusBar().currentMessage()
    run(qloop, show_and_wait(window, lighthouse))  # its own results again
    assert not stale.isVisibleTo(window)
    assert "press Search" not in window.statusBar().currentMessage()


def test_recent_menu_keeps_ampersands(window: MainWindow) -> None:
    url = "https://photos.example.org/pic.jpg?w=4000&h=3000"
    window.search_panel.set_recent([url])
    action = window.search_panel.recent_menu.actions()[0]
    assert action.text().replace("&&", "&") == url  # "&&" shows as one "&"
    assert "4000&&h" in action.text()


def test_words_staff_know(window: MainWindow) -> None:
    panel = window.search_panel
    tips = " ".join(spin.toolTip() for spin in panel.crop_fields.values())
    for api_name in ("cal", "cat", "car", "cab"):
        assert f"({api_name})" not in tips
    assert all(spin.suffix() == " %" for spin in panel.crop_fields.values())
    texts = [a.text() for menu in window.menuBar().findChildren(QMenu) for a in menu.actions()]
    assert not [t for t in texts if "JSON" in t or "(HTML)" in t]


def test_keyboard_only_essentials(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                                  demo_engine: DemoEngine) -> None:
    window.activateWindow()
    QApplication.processEvents()
    assert window.focusWidget() is window.search_panel.url_edit  # type at once
    settings = next(a for m in window.menuBar().findChildren(QMenu) for a in m.actions()
                    if a.text().startswith("Settings"))
    assert QKeySequence("Ctrl+,") in settings.shortcuts()
    run(qloop, show_and_wait(window, demo_engine.query_image_url("lighthouse")))
    # A crop from the keyboard: C starts a centred frame, Ctrl+arrows resize it.
    view = window.search_panel.crop_view
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_C)
    crop = view.crop()
    assert crop is not None and (crop.left, crop.right) == (0.25, 0.75)
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    grown = view.crop()
    assert grown is not None and grown.left == 0.25 and grown.right == pytest.approx(0.76)
    QTest.keyClick(view, Qt.Key.Key_Escape)
    run(qloop, search_and_wait(window))
    grid = window.results_panel.view
    grid.setFocus()
    assert grid.currentIndex().isValid()  # entering the grid shows where the keyboard is
    QTest.keyClick(grid, Qt.Key.Key_S)  # star
    assert grid.currentIndex().data(StarRole)
    QTest.keyClick(grid, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = next(m for m in window.results_panel.findChildren(QMenu) if m.isVisible())
    assert menu.actions()[0].text() == "Remove the star"
    menu.close()
    QTest.keyClick(grid, Qt.Key.Key_N)  # note
    note = window.details.note
    assert QApplication.focusWidget() is note
    QTest.keyClicks(note, "Seen on a news site")
    QTest.keyClick(note, Qt.Key.Key_Tab)  # moves on, types no tab
    assert note.toPlainText() == "Seen on a news site"
    assert QApplication.focusWidget() is not note
    assert window.session.current is not None
    assert "Seen on a news site" in window.session.current.notes.values()


def test_settings_say_where_the_key_comes_from(qloop: asyncio.AbstractEventLoop,
                                               window: MainWindow,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINGREV_API_KEY", "from-the-environment")
    dialog = window.keys.open_settings()
    run(qloop, wait_until(lambda: "BINGREV_API_KEY" in dialog.key_status.text(),
                          message="the key's source"))
    assert "password store" not in dialog.key_status.text().replace(
        "nothing is saved in your password store", "")
    dialog.close()
    QGuiApplication.processEvents()


def test_tab_reaches_the_grid_right_after_the_bar_and_the_history_after_the_details(
        window: MainWindow) -> None:
    """The grid and the Case history panel are built after the window's first paint;
    Qt puts a widget added then at the end of the Tab order, after the status bar. Tab
    from the bar's last box must reach the grid, as when they were built together."""
    def chain() -> list[QWidget]:
        widgets, step = [], window.nextInFocusChain()
        while step is not None and step is not window:
            widgets.append(step)
            step = step.nextInFocusChain()
        return widgets

    order = chain()
    results, details, history = window.results_panel, window.details, window.history

    def focusable(part: QWidget) -> list[int]:
        return [i for i, w in enumerate(order) if (w is part or part.isAncestorOf(w))
                and w.focusPolicy() != Qt.FocusPolicy.NoFocus]

    bar, grid, no_match = (focusable(results.bar), focusable(results.view),
                           focusable(results.no_match))
    assert bar and grid and no_match
    between = [w for w in order[bar[-1] + 1:grid[0]] if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert between == []  # the grid right after the bar: Tab from the bar reaches it
    assert grid[-1] < no_match[0] < focusable(results.gone_list)[0]  # "Show all results"
    after_details = [w for w in order[focusable(details)[-1] + 1:focusable(history)[0]]
                     if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert after_details == []  # the history's fields right after the details'
    assert focusable(history)[-1] < focusable(window.statusBar())[0]
