"""The window's work when results arrive is spread over turns of the event loop, so
each turn (and its paint) fits in a frame: the grid takes the results in one turn
and asks for its first screen's pictures at once, lays out their text in the next
and paints in the one after; the panels beside it follow; finished downloads come
back one per turn."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from bingrev_desktop.core.case import Case
from bingrev_desktop.core.request import SearchRequest
from bingrev_desktop.core.response import parse_response
from bingrev_desktop.qtnet.thumbnail_fetcher import _OnePerTurn
from bingrev_desktop.ui.case.history_panel import HistoryPanel
from bingrev_desktop.ui.common import next_turn
from bingrev_desktop.ui.common.next_turn import GRID, PANELS, NextTurn
from bingrev_desktop.ui.results.results_panel import ResultsPanel
from bingrev_desktop.ui.results.thumbnails import ThumbnailLoader, ThumbState

from .test_grid_paint import PaintCounter, results


def pass_until(qapp: QApplication, done: Callable[[], bool], timeout: float = 5.0) -> None:
    """Run Qt's event loop, one pass at a time, until ``done``."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        qapp.processEvents()
        time.sleep(0.0005)


def test_calls_wait_their_turn_one_per_pass_grid_first(qapp: QApplication) -> None:
    owner = QObject()
    drawn: list[tuple[str, object]] = []
    panels = NextTurn(lambda value: drawn.append(("panels", value)), owner, order=PANELS)
    grid = NextTurn(lambda: drawn.append(("grid", None)), owner, order=GRID)
    panels(1)
    panels(2)  # asked again before its turn: drawn once, with the latest
    grid()
    assert drawn == [] and next_turn.pending()
    pass_until(qapp, lambda: bool(drawn))
    assert drawn == [("grid", None)]  # the grid first, and alone in its pass
    pass_until(qapp, lambda: len(drawn) == 2)
    assert drawn == [("grid", None), ("panels", 2)]
    assert not next_turn.pending()
    panels(3)
    panels.flush()  # now, without waiting
    assert drawn[-1] == ("panels", 3) and not next_turn.pending()


def test_the_paint_a_turn_asked_for_comes_in_a_pass_before_the_next_call(
        qapp: QApplication) -> None:
    """A call queued while the window changed waits until the window has painted and
    Qt's timers (input, the probe of a stall) had a pass of their own: done in the
    same pass as the paint, the two made one long frame."""
    from PySide6.QtWidgets import QLabel

    next_turn.settle()  # nothing else waits its turn
    label = QLabel("before")
    label.resize(200, 50)
    label.show()
    pass_until(qapp, lambda: label.isVisible())
    qapp.processEvents()
    counter = PaintCounter()
    label.installEventFilter(counter)
    called: list[bool] = []
    later = NextTurn(lambda: called.append(True), label, order=GRID)
    label.setText("after")  # the turn's change: a paint is posted
    later()
    time.sleep(0.0025)  # a pass comes a few ms later: the paint's
    qapp.processEvents()
    assert counter.paints > 0 and called == []
    pass_until(qapp, lambda: bool(called))
    label.close()


def test_a_call_asked_again_and_again_still_gets_its_turn(qapp: QApplication) -> None:
    """A redraw asked for every few milliseconds (arrivals during a fill) is made about
    once a turn, not put off until the asking stops."""
    next_turn.settle()
    owner = QObject()
    runs: list[float] = []
    again = NextTurn(lambda: runs.append(time.monotonic()), owner)
    start = time.monotonic()
    while time.monotonic() - start < 0.1:
        again()
        qapp.processEvents()
        time.sleep(0.003)
    next_turn.settle()
    assert len(runs) >= 3 and runs[0] - start < 0.05


def test_new_results_are_taken_now_and_painted_in_a_later_turn(qapp: QApplication) -> None:
    async def never(url: str) -> bytes:
        raise AssertionError("no fetch in this test")

    loader = ThumbnailLoader(never)
    panel = ResultsPanel(loader)
    panel.resize(900, 700)
    panel.show()
    next_turn.settle()
    qapp.processEvents()
    counter = PaintCounter()
    panel.view.viewport().installEventFilter(counter)
    items = results(150)
    panel.show_results(items)
    # The first screen asked for its pictures in the turn that took the results ...
    first = panel.view.first_screen()
    assert all(loader.state(i.thumbnail_url or "") is ThumbState.LOADING
               for i in items[:first])
    qapp.processEvents()  # the turn that took them: no paint of the grid
    assert counter.paints == 0 and not panel.view.viewport().updatesEnabled()
    # ... and before the grid's first paint
    assert 4 <= first < 150
    assert all(loader.state(i.thumbnail_url or "") is ThumbState.LOADING
               for i in items[:first])
    assert loader.state(items[-1].thumbnail_url or "") is ThumbState.UNKNOWN
    assert counter.paints == 0
    # ... and the paint follows.
    pass_until(qapp, lambda: counter.paints > 0)
    assert panel.view.viewport().updatesEnabled()
    panel.close()


def test_finished_downloads_come_back_one_per_turn(
        qapp: QApplication, qloop: asyncio.AbstractEventLoop) -> None:
    owner = QObject()
    turns = _OnePerTurn(owner)
    futures = [qloop.create_future() for _ in range(3)]
    futures[1].cancel()  # a load cancelled meanwhile is skipped, not counted
    for future in futures:
        turns.wake(future)
    pass_until(qapp, lambda: futures[0].done())
    assert not futures[2].done()
    pass_until(qapp, lambda: futures[2].done())


def test_a_call_that_fails_does_not_hold_back_the_grid(qapp: QApplication) -> None:
    """A failing redraw (a bug) must not leave the grid's paint waiting forever."""
    owner = QObject()
    painted: list[bool] = []

    def broken() -> None:
        raise RuntimeError("a bug in a panel")

    failing = NextTurn(broken, owner, order=GRID)
    paint = NextTurn(lambda: painted.append(True), owner, order=PANELS)
    failing()
    paint()
    hook, errors = sys.excepthook, []
    sys.excepthook = lambda *exc: errors.append(exc)  # PySide reports a slot's error here
    try:
        pass_until(qapp, lambda: bool(painted))
    finally:
        sys.excepthook = hook
    assert errors and not next_turn.pending()


def test_asked_again_a_call_moves_behind_what_was_asked_since(qapp: QApplication) -> None:
    owner = QObject()
    order: list[str] = []
    changes = NextTurn(lambda: order.append("changes"), owner, order=GRID)
    paint = NextTurn(lambda: order.append("paint"), owner, order=GRID)
    changes()
    paint()
    changes()  # a second search's changes: still before its paint
    paint()
    next_turn.settle()
    assert order == ["changes", "paint"]


def test_a_click_on_the_history_of_a_replaced_case_is_not_taken(qapp: QApplication) -> None:
    old, new = Case(), Case()
    for name in ("a", "b"):
        record = old.add_search(SearchRequest.create(f"https://example.org/{name}.png"),
                                parse_response({"related_content": []}), elapsed=1.0)
    history = HistoryPanel()
    history.show_case(old, record)  # the second is current
    history.settle()
    chosen: list[int] = []
    history.searchChosen.connect(chosen.append)
    history.show_case(new, None)  # drawn in the next turn
    history.list.setCurrentRow(0)  # the old case's search, still on screen
    assert chosen == [] and history.list.count() == 0


def test_the_bar_works_before_the_grid_exists_and_the_grid_takes_its_state(
        qapp: QApplication) -> None:
    """The window paints the bar and the empty state before the grid, its models and
    their modules load (``attach_grid``, after the first paint). What the user (or the
    settings) set on the bar meanwhile is what the grid then shows."""
    from bingrev_desktop.ui.results.keys import ItemRole, SortKey

    async def never(url: str) -> bytes:
        raise AssertionError("no fetch in this test")

    panel = ResultsPanel()
    panel.resize(900, 700)
    panel.show()
    qapp.processEvents()
    assert not hasattr(panel, "view") and panel.stack.count() == 1
    panel.group_copies.setChecked(True)  # as last time, from the settings
    panel.filter_edit.setText("site1")  # typed while the rest loads
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData(SortKey.DOMAIN))
    qapp.processEvents()
    panel.attach_grid(ThumbnailLoader(never))
    panel.show_results(results(30))
    assert panel.proxy.grouped
    shown = [panel.proxy.index(r, 0).data(ItemRole).domain
             for r in range(panel.proxy.rowCount())]
    assert shown == sorted(shown) and all("site1" in d for d in shown)
    assert len(shown) == 11  # site1, site10 … site19
    assert panel.shown_label.text().startswith("11 shown")
    panel.filter_edit.clear()  # the bar drives the grid from now on
    assert panel.proxy.rowCount() == 30
    panel.close()
