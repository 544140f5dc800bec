"""Opening pages, keyboard shortcuts and what the window opens first."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest

from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.resources import resource_dir
from bingrev_desktop.ui.shell.app import open_first
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .test_window import run, search_and_wait, show_and_wait
from .ui_helpers import close_window, make_window


class UrlCatcher(QObject):
    """Stands in for the web browser: QDesktopServices hands http(s) URLs to it."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_double_click_opens_the_page(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                                     tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher, "open")
    window = new_window()
    try:
        async def scenario() -> None:
            await show_and_wait(window, demo_engine.query_image_url("city"))
            await search_and_wait(window)

        run(qloop, scenario())
        view = window.results_panel.view
        index = window.results_panel.proxy.index(0, 0)
        rect = view.visualRect(index)
        # A real double-click: press, release, then the double-click press.
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, rect.center())
        QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier, rect.center())
        item = window.results_panel.model.item(0)
        assert catcher.urls == [item.source]
        window.open_url("javascript:alert(1)")  # never handed to the system
        window.open_url("file:///etc/passwd")
        assert catcher.urls == [item.source]
    finally:
        QDesktopServices.unsetUrlHandler("http")


def test_ctrl_enter_searches(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                             tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    window = new_window()
    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        window.activateWindow()
        window.search_panel.crop_view.setFocus()
        QTest.keyClick(window.search_panel.crop_view, Qt.Key.Key_Return,
                       Qt.KeyboardModifier.ControlModifier)
        await wait_until(lambda: len(demo_engine.search_requests) == 1, message="search")
        await wait_until(lambda: not window.controller.searching)

    run(qloop, scenario())
    assert window.results_panel.model.rowCount() == 35


def test_opens_case_file_given_on_command_line(qloop: asyncio.AbstractEventLoop,
                                               demo_engine: DemoEngine, tmp_path: Path) -> None:
    window = make_window(demo_engine, tmp_path, key=None)
    sample = resource_dir() / "samples" / "sample.bingrev"
    try:
        args = argparse.Namespace(case_file=str(sample), demo=False)
        run(qloop, open_first(window, args, None))
        assert len(window.session.case.searches) == 8
        assert window.session.path == sample
        assert window.keys.key_dialog is None  # reading a case needs no key
        assert demo_engine.request_log == []  # and no network
    finally:
        run(qloop, close_window(window))


def test_demo_opens_sample_case(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                                tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    window = new_window(demo=True)
    run(qloop, open_first(window, argparse.Namespace(case_file=None, demo=True),
                          demo_engine))
    assert len(window.session.case.searches) == 8
    assert window.session.path is None  # saving asks where: the sample stays pristine
    assert window.windowTitle().startswith("Sample case")
    assert "(demo)" in window.windowTitle()


def test_paste_an_address(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                          tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    from PySide6.QtGui import QGuiApplication

    window = new_window()
    url = demo_engine.query_image_url("portrait")
    QGuiApplication.clipboard().setText(f"look at this: {url}")

    async def scenario() -> None:
        window.menu_actions.paste_action.trigger()
        await wait_until(lambda: window.controller.preview is not None, message="preview")

    run(qloop, scenario())
    assert window.controller.preview is not None and window.controller.preview.url == url
    QGuiApplication.clipboard().setText("")
    window.menu_actions.paste_action.trigger()
    assert window.banner.title_label.text() == "Nothing to paste"


def test_market_search_by_native_name(qloop: asyncio.AbstractEventLoop,
                                      demo_engine: DemoEngine, tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    window = new_window()
    combo = window.search_panel.market_combo
    completer = combo.completer()
    completer.setCompletionPrefix("Deutsch")
    found = [completer.completionModel().index(i, 0).data()
             for i in range(completer.completionCount())]
    assert len(found) == 3 and all("de-" in f for f in found)  # DE, AT, CH
    completer.setCompletionPrefix("ja-jp")
    assert completer.completionCount() == 1
    completer.activated.emit(completer.currentCompletion())
    assert combo.market() == "ja-JP"
    combo.lineEdit().setText("nonsense")
    combo.lineEdit().editingFinished.emit()
    assert combo.market() == "ja-JP" and combo.lineEdit().text().endswith("ja-JP")


def test_results_without_images_are_kept_and_marked(qloop: asyncio.AbstractEventLoop,
                                                    demo_engine: DemoEngine,
                                                    tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    from bingrev_desktop.demo import Fault

    window = new_window()
    demo_engine.set_fault(Fault("wrong_shape"))

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        await search_and_wait(window)

    run(qloop, scenario())
    model = window.results_panel.model
    items = [model.item(r) for r in range(model.rowCount())]
    no_image = [i for i in items if not i.has_image]
    assert items and no_image and window.banner.isHidden()
    menu = window.results_panel.build_menu(no_image[0])
    pivot = next(a for a in menu.actions() if a.text() == "Search with this image")
    assert not pivot.isEnabled()


def test_export_offers_to_open_the_report(qloop: asyncio.AbstractEventLoop,
                                          demo_engine: DemoEngine, tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    window = new_window()
    try:
        async def scenario() -> None:
            await window.case_files.open_path(resource_dir() / "samples" / "sample.bingrev")
            assert await window.case_files.export("html", tmp_path / "report")

        run(qloop, scenario())
        report = tmp_path / "report.html"
        assert report.is_file() and "Sample data from the demo mode" in report.read_text()
        assert window.banner.title_label.text() == "Export ready"
        window.banner.action_button.click()
        assert catcher.urls == [QUrl.fromLocalFile(str(report)).toString()]
    finally:
        QDesktopServices.unsetUrlHandler("file")
