"""A market sweep in the window, against the demo engine's known answers: a failed
country retried alone, the merged grid with its countries, the "only in" filter, the
cost, Stop keeping what arrived, and the sweep reopened with no network."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.core.sweep import MarketState
from bingrev_desktop.demo import DemoEngine, Fault
from bingrev_desktop.ui.results.keys import MarketsRole
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .offline_child import offline_window_script
from .test_case_evidence import need_unshare
from .test_window import run, show_and_wait

ROOT = Path(__file__).resolve().parents[1]
MARKETS = ["de-DE", "fr-FR", "ja-JP", "en-US", "es-ES", "it-IT"]

OFFLINE_SWEEP = offline_window_script(r"""
history = window.history.list
headers = [history.item(i) for i in range(history.count())
           if (history.item(i).data(Qt.ItemDataRole.UserRole + 20) or 0) < 0]
out["headers"] = [h.text() for h in headers]
window.case_view.show_record_by_id(-1)
model = window.results_panel.model
from bingrev_desktop.ui.results.keys import MarketsRole
out["markets"] = {model.item(r).image_url: model.index(r).data(MarketsRole)
                  for r in range(model.rowCount())}
out["tab"] = window.side_tabs.tabText(window.side_tabs.count() - 1)
out["summary_rows"] = window.sweeps.summary_view.rowCount()
""").replace("from PySide6.QtCore import QSettings", "from PySide6.QtCore import QSettings, Qt")


def test_a_six_country_sweep(qloop: asyncio.AbstractEventLoop, window: MainWindow,
                             demo_engine: DemoEngine, tmp_path: Path) -> None:
    need_unshare()
    url = demo_engine.query_image_url("lighthouse")
    flow = window.sweeps

    async def scenario() -> None:
        await show_and_wait(window, url)
        window.search_panel.count_spin.setValue(20)
        dialog = flow.choose()
        assert dialog is not None
        dialog.apply_preset("None")
        for item in dialog._market_items():
            if item.data(0, Qt.ItemDataRole.UserRole + 1) in MARKETS:
                item.setCheckState(0, Qt.CheckState.Checked)
        assert dialog.markets() == [m for m in dialog.markets() if m in MARKETS]
        assert "6 searches, about 6 credits" in dialog.cost.text()
        dialog.run_button.click()  # more than 5 countries: the first press asks
        assert dialog.isVisible() and "Press the button again" in dialog.confirm_note.text()
        demo_engine.set_fault(Fault("status", status=400, times=1))  # one country fails
        dialog.run_button.click()
        assert not dialog.isVisible()
        await wait_until(lambda: flow._task is not None and flow._task.done(), timeout=30,
                         message="the sweep")
        failed = [r for r in flow.runs if r.state is MarketState.FAILED]
        assert len(failed) == 1 and flow.progress.retry_button.isEnabled()
        assert "failed" in " ".join(flow.progress.list.item(i).text()
                                    for i in range(flow.progress.list.count()))
        flow.progress.retry_button.click()
        await wait_until(lambda: flow._task is not None and flow._task.done(), timeout=30,
                         message="the retry")
        assert all(r.state is MarketState.DONE for r in flow.runs)

    run(qloop, scenario())
    known = {m: demo_engine.answer_urls(url, mkt=m, count=20) for m in MARKETS}
    expected: dict[str, set[str]] = {}
    for market in MARKETS:
        for address in known[market]:
            expected.setdefault(address, set()).add(market)
    view = window.case_view.showing_sweep
    assert view is not None and len(view.searches) == 6
    model, proxy = window.results_panel.model, window.results_panel.proxy
    shown = {model.item(r).image_url: set(model.index(r).data(MarketsRole))
             for r in range(model.rowCount())}
    assert shown == expected
    # "Only in de-DE": what no other country found.
    combo = window.results_panel.market_filter
    combo.setCurrentIndex(combo.findText("Only in de-DE"))
    only = {proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).image_url
            for r in range(proxy.rowCount())}
    assert only == {u for u, ms in expected.items() if ms == {"de-DE"}}
    combo.setCurrentIndex(0)
    assert window.side_tabs.tabText(window.side_tabs.count() - 1) == "Countries"
    assert window.sweeps.summary_view is not None
    assert window.sweeps.summary_view.rowCount() == 6
    window.grab().save(str(tmp_path / "sweep.png"))

    path = tmp_path / "sweep.bingrev"
    assert run(qloop, window.case_files._save(path))
    case = load_case(path)
    assert sorted(s.market for s in case.searches) == sorted(MARKETS)
    assert {s.sweep for s in case.searches} == {1}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", OFFLINE_SWEEP, str(path),
                           str(tmp_path / "offline.ini")], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    offline = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(offline["headers"]) == 1 and "Sweep of 6 countries" in offline["headers"][0]
    assert {u: set(ms) for u, ms in offline["markets"].items()} == expected
    assert offline["tab"] == "Countries" and offline["summary_rows"] == 6


def test_stop_keeps_the_countries_already_done(qloop: asyncio.AbstractEventLoop,
                                               window: MainWindow,
                                               demo_engine: DemoEngine) -> None:
    flow = window.sweeps

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        window.search_panel.count_spin.setValue(10)
        demo_engine.set_fault(Fault("latency", seconds=0.5))  # every search takes a while
        task = flow.start(MARKETS)
        assert task is not None
        await wait_until(lambda: any(r.state is MarketState.DONE for r in flow.runs),
                         timeout=20, message="a first country")
        flow.progress.cancel_button.click()
        await asyncio.gather(task, return_exceptions=True)
        demo_engine.clear_faults()

    run(qloop, scenario())
    done = [r.market for r in flow.runs if r.state is MarketState.DONE]
    assert 1 <= len(done) < 6
    assert all(r.state is MarketState.CANCELLED for r in flow.runs if r.market not in done)
    kept = window.session.case.sweep_searches(flow.number or 0)
    assert sorted(s.market for s in kept) == sorted(done)


def test_the_merged_view_writes_nothing_to_the_wrong_search(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine) -> None:
    """Merged positions are not any one country's positions: stars, notes and copies
    wait until one country's search is opened; a new case stops a running sweep."""
    from PySide6.QtTest import QTest

    flow = window.sweeps

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("sunset"))
        window.search_panel.count_spin.setValue(8)
        task = flow.start(["de-DE", "fr-FR"])
        assert task is not None
        await task
        assert window.case_view.showing_sweep is not None
        assert window.session.current is None
        grid = window.results_panel.view
        grid.setFocus()
        grid.setCurrentIndex(window.results_panel.proxy.index(0, 0))
        QTest.keyClick(grid, Qt.Key.Key_S)
        assert not window.details.star.isChecked()
        window.evidence.keep_selected(window.session.current, window.results_panel.selected_items())
        await asyncio.sleep(0.2)
        assert all(not s.stars and not s.originals for s in window.session.case.searches)
        # A sweep running when another case is opened stops, and adds nothing to it.
        demo_engine.set_fault(Fault("latency", seconds=0.5))
        task = flow.start(["de-DE", "fr-FR", "ja-JP", "en-US"])
        assert task is not None
        await asyncio.sleep(0.1)
        window.session.discard_changes()
        window.session.new()
        await asyncio.gather(task, return_exceptions=True)
        demo_engine.clear_faults()
        await asyncio.sleep(0.6)
        assert window.session.case.searches == []

    run(qloop, scenario())
