"""Search again: later runs of a stored search say what is new and what is gone, in
the window, the history and the report, against the demo engine's known changes."""

from __future__ import annotations

import asyncio

from bingrev_desktop.core.export import html_report
from bingrev_desktop.core.sweep import result_key
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.common import next_turn
from bingrev_desktop.ui.results.keys import NewRole
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .test_window import run, search_and_wait, show_and_wait


def test_search_again_twice_shows_new_and_gone(qloop: asyncio.AbstractEventLoop,
                                               window: MainWindow,
                                               demo_engine: DemoEngine) -> None:
    url = demo_engine.query_image_url("mountain")
    runs = [demo_engine.answer_urls(url, mkt="en-GB", count=35, run=r) for r in range(3)]
    history = window.history

    async def scenario() -> None:
        await show_and_wait(window, url)
        window.search_panel.market_combo.set_market("en-GB")
        await search_and_wait(window)
        for n in (2, 3):
            history.list.setCurrentRow(history.list.count() - 1)  # the latest run
            assert history.again_button.isEnabled()
            history.again_button.click()
            await wait_until(lambda n=n: len(window.session.case.searches) == n
                             and not window.controller.searching, message=f"run {n}")
            await asyncio.sleep(0.1)
            seen = set().union(*map(set, runs[:n - 1]))
            new, gone = set(runs[n - 1]) - seen, seen - set(runs[n - 1])
            model = window.results_panel.model
            badged = {model.item(r).image_url for r in range(model.rowCount())
                      if model.index(r).data(NewRole)}
            assert badged == new
            gone_list = window.results_panel.gone_list
            assert gone_list.count() == len(gone)
            if gone:
                assert window.results_panel.gone_label.isVisibleTo(window)
                assert "Not found this time" in window.results_panel.gone_label.text()
        await wait_until(lambda: not next_turn.pending(), message="history drawn")

    run(qloop, scenario())
    case = window.session.case
    assert [s.market for s in case.searches] == ["en-GB"] * 3
    texts = [history.list.item(i).text() for i in range(history.list.count())]
    before = set(runs[1])
    now = set(runs[2])
    assert f"run 3 \u00b7 +{len(now - before)} new, \u2212{len(before - now)} gone" in texts[-1]
    report = html_report(case)
    assert "Over time: the same search run again" in report
    assert f"+{len(now - before)} new, \u2212{len(before - now)} gone" in report
    assert all(result_key(i) in set().union(*map(set, runs))
               for i in case.searches[-1].response.results)
