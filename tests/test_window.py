"""The real main window, offscreen, against the demo engine over loopback HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from bingrev_desktop.core.errors import AuthenticationError
from bingrev_desktop.demo import DemoEngine, Fault
from bingrev_desktop.ui.common import next_turn
from bingrev_desktop.ui.results.keys import ItemRole
from bingrev_desktop.ui.results.thumbnails import ThumbState
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .ui_helpers import close_window, drag, make_window


def run(loop: asyncio.AbstractEventLoop, coro):  # type: ignore[no-untyped-def]
    """Run a test step; background thumbnail loads are stopped before the loop stops,
    because qasync processes Qt events once more after the loop has stopped."""
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]

    async def step():  # type: ignore[no-untyped-def]
        try:
            return await coro
        finally:
            for win in windows:
                await win.controller.wait_idle()
                await win.loader.cancel_and_wait()

    return loop.run_until_complete(step())


async def show_and_wait(window: MainWindow, url: str) -> None:
    assert window.show_address(url)
    await wait_until(lambda: window.controller.preview is not None
                     or window.controller.preview_error is not None, message="preview")


async def search_and_wait(window: MainWindow) -> None:
    task = window.search()
    assert task is not None
    await task
    # The grid, then the panels beside it, are drawn in the turns after the answer.
    await wait_until(lambda: not window.controller.searching and not next_turn.pending())


def drop(window: MainWindow, mime: QMimeData, target: QWidget | None = None) -> bool:
    """Drag-enter then drop ``mime`` on ``target`` (default: the window), as Qt delivers
    them; returns whether the drag was accepted."""
    widget = target or window
    if not widget.acceptDrops():
        widget = window  # Qt hands the drag to the nearest parent that takes drops
    pos = QPointF(widget.rect().center())
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(pos, Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return True


@pytest.mark.parametrize("variant", ["html", "uri-list", "moz-url", "text", "bing-wrapper"])
def test_drop_variants(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                       demo_engine: DemoEngine, variant: str) -> None:
    url = demo_engine.query_image_url("city")
    mime = QMimeData()
    if variant == "html":
        # An image inside a link: the link must lose to the <img src>.
        mime.setHtml(f'<a href="https://example.org/page"><img src="{url}"></a>')
        mime.setUrls([QUrl("https://example.org/page")])
    elif variant == "uri-list":
        mime.setUrls([QUrl(url)])
    elif variant == "moz-url":
        mime.setData("text/x-moz-url", f"{url}\nCity".encode("utf-16-le"))
    elif variant == "text":
        mime.setText(f"  {url}  ")
    else:
        quoted = QUrl.toPercentEncoding(url).data().decode()
        wrapped = f"https://www.bing.com/images/search?view=detailV2&mediaurl={quoted}"
        mime.setUrls([QUrl(wrapped)])
    drop(window, mime)
    run(qloop, wait_until(lambda: window.controller.preview is not None, message="preview"))
    assert window.controller.preview is not None
    assert window.controller.preview.url == url
    assert window.search_panel.url_edit.text() == url
    assert "640 \u00d7 480" not in window.search_panel.image_info.text()  # city is 800 wide
    assert window.search_panel.image_info.text().startswith(
        f"{window.controller.preview.width} \u00d7")
    assert ("GET", "/query/city.png") in demo_engine.request_log
    assert window.search_panel.recent_menu.actions()[0].toolTip() == url


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("file:///home/me/photo.jpg", "file on your computer"),
        ("data:image/png;base64,iVBORw0KGgo=", "only exists inside your browser"),
        ("blob:https://example.org/1234", "only exists inside your browser"),
        ("ftp://example.org/a.png", "http:// or https://"),
    ],
)
def test_unsearchable_addresses_are_explained(window: MainWindow, demo_engine: DemoEngine,
                                              address: str, words: str) -> None:
    mime = QMimeData()
    mime.setText(address)
    drop(window, mime)
    assert window.banner.isVisible()
    assert words in window.banner.message_label.text()
    assert window.search() is None  # no request is made for it
    assert demo_engine.request_log == []


def test_page_that_is_not_an_image(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                                   demo_engine: DemoEngine) -> None:
    page = demo_engine.base_url + "/site/news.example.org/story--1--640x480.html"
    run(qloop, show_and_wait(window, page))
    assert "web page, not to an image" in window.banner.message_label.text()
    assert window.search() is None
    assert demo_engine.search_requests == []
    assert "not an image" in window.banner.title_label.text().lower()


def test_huge_image_is_refused_without_crash(qloop: asyncio.AbstractEventLoop,
                                             window: MainWindow, demo_engine: DemoEngine) -> None:
    demo_engine.set_fault(Fault("huge_image"))
    run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
    assert window.controller.preview is None
    assert "too large" in window.banner.message_label.text()
    demo_engine.clear_faults()
    run(qloop, show_and_wait(window, demo_engine.query_image_url("mountain")))
    assert window.controller.preview is not None


def test_crop_by_mouse_sends_exact_fractions(qloop: asyncio.AbstractEventLoop,
                                             window: MainWindow, demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("lighthouse")))
    view = window.search_panel.crop_view
    rect = view.image_rect()

    def at(fx: float, fy: float) -> QPointF:
        return QPointF(rect.x() + fx * rect.width(), rect.y() + fy * rect.height())

    drag(view, at(0.25, 0.2), at(0.75, 0.8))
    crop = view.crop()
    assert crop is not None
    assert crop.left == pytest.approx(0.25, abs=0.005) and crop.bottom == pytest.approx(0.8, abs=0.005)
    # The four fields show the same numbers (two-way binding).
    fields = window.search_panel.crop_fields
    assert fields["cal"].value() == pytest.approx(crop.left * 100, abs=0.01)  # percent
    assert fields["cab"].value() == pytest.approx(crop.bottom * 100, abs=0.01)
    # Move the rectangle by dragging inside it, then resize with the bottom-right handle.
    drag(view, at(0.5, 0.5), at(0.6, 0.55))
    moved = view.crop()
    assert moved is not None
    assert moved.left == pytest.approx(crop.left + 0.1, abs=0.006)
    assert moved.right - moved.left == pytest.approx(crop.right - crop.left, abs=0.006)
    corner = view.crop_rect().bottomRight()
    drag(view, corner, QPointF(corner.x() + 2000, corner.y() + 2000))  # clamped to the image
    final = view.crop()
    assert final is not None and final.right == 1.0 and final.bottom == 1.0
    # Resizing the window keeps the crop on the same part of the picture.
    window.resize(1000, 700)
    QGuiApplication.processEvents()
    assert view.crop() == final
    run(qloop, search_and_wait(window))
    sent = demo_engine.search_requests[-1]
    assert sent["cal"] == final.as_params()["cal"] and sent["car"] == "1" and sent["cab"] == "1"
    assert sent["cat"] == final.as_params()["cat"]
    assert all(len(sent[k].split(".")[-1]) <= 4 for k in ("cal", "cat"))


def test_crop_fields_drive_the_rectangle(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                                         demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("lighthouse")))
    fields = window.search_panel.crop_fields
    fields["cal"].setValue(10)  # percent, as people think of it
    fields["car"].setValue(60)
    crop = window.search_panel.crop()
    assert crop is not None and (crop.left, crop.right) == (0.1, 0.6)
    assert window.search_panel.crop_view.crop() == crop
    view = window.search_panel.crop_view
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Right)
    nudged = view.crop()
    assert nudged is not None and nudged.left == pytest.approx(0.11)
    assert fields["cal"].value() == pytest.approx(11)
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert view.crop() is None and fields["car"].value() == 100
    run(qloop, search_and_wait(window))
    assert "cal" not in demo_engine.search_requests[-1]


def test_market_count_results_and_thumbnails(qloop: asyncio.AbstractEventLoop,
                                             window: MainWindow, demo_engine: DemoEngine) -> None:
    model = window.results_panel.model
    loader = window.loader

    def visible_ready() -> bool:
        states = [loader.state(model.item(r).thumbnail_url or "") for r in range(4)]
        return all(s is ThumbState.READY for s in states)

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("mountain"))
        window.search_panel.market_combo.set_market("ja-jp")
        window.search_panel.count_spin.setValue(24)
        await search_and_wait(window)
        await wait_until(visible_ready, message="thumbnails")

    run(qloop, scenario())
    sent = demo_engine.search_requests[-1]
    assert sent["mkt"] == "ja-JP" and sent["count"] == "24"
    assert model.rowCount() == 24
    assert window.results_panel.stack.currentWidget() is window.results_panel.view
    assert loader.image(model.item(0).thumbnail_url or "") is not None
    assert "24 results" in window.statusBar().currentMessage()
    assert "1 search from your xcrawl plan" in window.statusBar().currentMessage()
    assert window.settings.market == "ja-JP" and window.settings.count == 24
    # Sorting by size puts the largest copy first; filtering narrows by site.
    proxy = window.results_panel.proxy
    window.results_panel.sort_combo.setCurrentIndex(1)
    sizes = [proxy.index(r, 0).data(ItemRole).pixel_count for r in range(proxy.rowCount())]
    assert sizes == sorted(sizes, reverse=True)
    domain = model.item(0).domain or ""
    window.results_panel.filter_edit.setText(domain)
    assert 0 < proxy.rowCount() < 24
    assert all(domain in (proxy.index(r, 0).data(ItemRole).domain or "")
               for r in range(proxy.rowCount()))


def test_failed_thumbnails_show_failure_tiles(qloop: asyncio.AbstractEventLoop,
                                              window: MainWindow, demo_engine: DemoEngine) -> None:
    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        demo_engine.set_fault(Fault("non_image_thumbnails"))
        await search_and_wait(window)
        first = window.results_panel.model.item(0).thumbnail_url or ""
        await wait_until(lambda: window.loader.state(first) is ThumbState.FAILED,
                         message="failure tile")

    run(qloop, scenario())
    assert window.banner.isHidden()  # a broken thumbnail is not an error storm


def test_cancel_then_search_again(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                                  demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
    demo_engine.set_fault(Fault("latency", seconds=10))

    async def scenario() -> None:
        sent = len(demo_engine.search_requests)
        task = window.search()
        assert task is not None
        await wait_until(lambda: len(demo_engine.search_requests) > sent,
                         message="the search reached the engine")
        assert window.search_panel.cancel_button.isVisible()
        assert window.search_panel.busy_label.text().startswith("Searching")
        window.search_panel.cancel_button.click()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
        assert not window.controller.searching
        assert window.search_panel.busy_label.text() == ""
        assert not window.search_panel.cancel_button.isVisible()
        assert window.statusBar().currentMessage() == "Search cancelled."
        # A new search replaces a running one cleanly.
        sent = len(demo_engine.search_requests)
        first = window.search()
        await wait_until(lambda: len(demo_engine.search_requests) > sent,
                         message="the first search reached the engine")
        demo_engine.clear_faults()
        second = window.search()
        assert first is not None and second is not None
        await second
        assert first.cancelled()
        await wait_until(lambda: not window.controller.searching)

    run(qloop, scenario())
    assert window.results_panel.model.rowCount() == 35
    assert not window.search_panel.cancel_button.isVisible()


def test_pivot_searches_with_result_image(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                                          demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("portrait")))
    run(qloop, search_and_wait(window))
    item = window.results_panel.model.item(3)
    menu = window.results_panel.build_menu(item)
    pivot = next(a for a in menu.actions() if a.text() == "Search with this image")

    async def scenario() -> None:
        pivot.trigger()
        await wait_until(lambda: len(demo_engine.search_requests) == 2, message="pivot search")
        await wait_until(lambda: not window.controller.searching)

    seen = len(demo_engine.request_log)
    run(qloop, scenario())
    assert demo_engine.search_requests[-1]["image_url"] == item.image_url
    assert window.search_panel.url_edit.text() == item.image_url
    # "Ask" (the default): the result's picture was not fetched from its site for a
    # preview; the search service fetches it itself. The panel says why.
    fetched = [p for _m, p in demo_engine.request_log[seen:] if p.startswith("/img/")]
    assert fetched == []
    assert "No preview" in window.search_panel.crop_view.message
    assert window.session.case.searches[-1].parent_id == window.session.case.searches[0].id


def test_pivot_shows_the_picture_when_sites_may_be_contacted(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine) -> None:
    from bingrev_desktop.core.settings import SiteContact

    window.settings.site_contact = SiteContact.ALWAYS
    run(qloop, show_and_wait(window, demo_engine.query_image_url("portrait")))
    run(qloop, search_and_wait(window))
    item = window.results_panel.model.item(3)

    async def scenario() -> None:
        window.pivot(item)
        await wait_until(lambda: window.controller.preview is not None
                         and window.controller.preview.url == item.image_url, message="preview")
        await wait_until(lambda: not window.controller.searching)

    run(qloop, scenario())
    assert window.session.case.searches[-1].parent_position == item.position


def test_context_menu_copy_and_drag_out(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                                        demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
    run(qloop, search_and_wait(window))
    item = window.results_panel.model.item(0)
    menu = window.results_panel.build_menu(item)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Star (important)", "Write a note\u2026", "Open page", "Open image",
                     "Open in Bing", "Copy page address",
                     "Copy image address", "Save image\u2026", "Keep a full-size copy in the case",
                     "Search with this image"]
    next(a for a in menu.actions() if a.text() == "Copy page address").trigger()
    assert QGuiApplication.clipboard().text() == item.source
    mime = window.results_panel.model.mimeData([window.results_panel.model.index(0)])
    assert [u.toString() for u in mime.urls()] == [item.image_url]


@pytest.mark.parametrize(
    ("fault", "title"),
    [
        (Fault("status", status=401), "API key not accepted"),
        (Fault("status", status=402), "Search not allowed"),
        (Fault("status", status=403, body='{"message": "plan does not include this"}'),
         "Search not allowed"),
        (Fault("status", status=500), "The search service has a problem"),
        (Fault("status", status=429, retry_after=600), "Too many searches"),
        (Fault("status", status=503), "The search service has a problem"),
        (Fault("malformed_json"), "Unexpected answer"),
        (Fault("truncated"), "Unexpected answer"),
        (Fault("huge_body", size_bytes=20 * 1024 * 1024), "Unexpected answer"),
    ],
)
def test_faults_show_a_message_and_window_stays_usable(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
    fault: Fault, title: str,
) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
    demo_engine.set_fault(fault)
    run(qloop, search_and_wait(window))
    assert window.banner.isVisible()
    assert window.banner.title_label.text() == title
    assert window.banner.details_button.isVisible()
    window.banner.details_button.click()
    assert "HTTP status" in window.banner.details.toPlainText() or fault.kind != "status"
    assert "demo-key" not in window.banner.details.toPlainText()
    assert window.search_panel.search_button.isEnabled()
    demo_engine.clear_faults()
    run(qloop, search_and_wait(window))
    assert window.results_panel.model.rowCount() == 35
    assert window.banner.isHidden()


def test_deadline_message(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                          demo_engine: DemoEngine) -> None:
    window.controller.service.client.deadline = 1.0
    run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
    demo_engine.set_fault(Fault("slow_drip", bytes_per_second=30))
    run(qloop, search_and_wait(window))
    assert window.banner.title_label.text() == "It took too long"


def test_remote_text_is_plain(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                              demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("lighthouse")))
    run(qloop, search_and_wait(window))
    model = window.results_panel.model
    tricky = next(r for r in range(model.rowCount()) if "<" in (model.item(r).title or ""))
    index = window.results_panel.proxy.mapFromSource(model.index(tricky))
    window.results_panel.view.setCurrentIndex(index)
    assert window.details.title.text() == model.item(tricky).display_title
    assert "<b>" not in model.item(tricky).display_title  # Bing's highlight tags removed
    remote_labels = [window.details.title, window.details.site, window.details.size_text,
                     window.details.date, window.details.q_site, window.details.q_size,
                     window.banner.title_label, window.banner.message_label,
                     window.search_panel.image_info]
    for label in remote_labels:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    tooltip = model.data(model.index(tricky), Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tooltip.replace("<br>", "") or "&lt;" in tooltip


def test_stars_and_notes_in_model(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                                  demo_engine: DemoEngine) -> None:
    run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
    run(qloop, search_and_wait(window))
    window.results_panel.view.setCurrentIndex(window.results_panel.proxy.index(1, 0))
    window.details.star.setChecked(True)
    window.details.note.setPlainText("Same photo, cropped")
    model = window.results_panel.model
    position = window.results_panel.current_item().position  # type: ignore[union-attr]
    assert model.stars == {position}
    assert model.notes == {position: "Same photo, cropped"}
    window.results_panel.starred_only.setChecked(True)
    assert window.results_panel.proxy.rowCount() == 1


def test_missing_key_opens_dialog_and_session_key_works(
    qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine, tmp_path: Path,
) -> None:
    window = make_window(demo_engine, tmp_path, key=None)
    try:
        run(qloop, show_and_wait(window, demo_engine.query_image_url("city")))
        assert window.search() is None
        run(qloop, wait_until(lambda: window.keys.key_dialog is not None
                              and window.keys.key_dialog.isVisible(), message="key dialog"))
        dialog = window.keys.key_dialog
        assert dialog is not None
        dialog.key_edit.setText("wrong-key-123")
        dialog.session_button.click()
        run(qloop, wait_until(lambda: not dialog.isVisible(), message="dialog closes"))
        run(qloop, wait_until(lambda: not window.controller.searching
                              and window.banner.title_label.text() == "API key not accepted",
                              message="auth error"))
        assert isinstance(window.controller.preview_error, type(None))
        assert window.banner.action_button.text() == "Enter API key"
        window.banner.action_button.click()
        run(qloop, wait_until(lambda: window.keys.key_dialog is not dialog
                              and window.keys.key_dialog is not None, message="dialog again"))
        again = window.keys.key_dialog
        assert again is not None
        again.key_edit.setText("demo-key")
        again.session_button.click()
        run(qloop, wait_until(lambda: window.results_panel.model.rowCount() == 35,
                              message="results after key"))
    finally:
        run(qloop, close_window(window))
    assert AuthenticationError.title == "API key not accepted"


def test_window_does_not_block_while_searching(qloop: asyncio.AbstractEventLoop,
                                               window: MainWindow,
                                               demo_engine: DemoEngine) -> None:
    """A Qt timer keeps firing during a slow search: no network on the GUI thread."""
    demo_engine.set_fault(Fault("latency", seconds=1.0))
    ticks = 0
    labels: set[str] = set()

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        labels.add(window.search_panel.busy_label.text().split("\u2026")[0])

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        timer.start()
        await search_and_wait(window)
        timer.stop()

    run(qloop, scenario())
    assert ticks >= 25  # ~50 expected in 1 s; a blocked GUI thread would give ~0
    assert "Searching" in labels  # shown while it ran ...
    assert window.search_panel.busy_label.text() == ""  # ... and cleared after


def test_typing_a_new_address_drops_the_old_crop(qloop: asyncio.AbstractEventLoop,
                                                 window: MainWindow,
                                                 demo_engine: DemoEngine) -> None:
    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("lighthouse"))
        window.search_panel.crop_fields["cal"].setValue(0.3)
        assert window.search_panel.crop() is not None
        edit = window.search_panel.url_edit
        edit.selectAll()
        QTest.keyClicks(edit, demo_engine.query_image_url("city"))
        assert window.search_panel.crop() is None  # it was drawn on another picture
        await search_and_wait(window)
        await window.controller.wait_idle()

    run(qloop, scenario())
    sent = demo_engine.search_requests[-1]
    assert sent["image_url"].endswith("/query/city.png") and "cal" not in sent
    assert window.controller.preview is not None
    assert window.controller.preview.url.endswith("/query/city.png")
