"""Market sweeps in the window: the flow, the per-country table as a side tab, and the
countries of the selected result in the details."""

from __future__ import annotations

from typing import Any

from ...core.response import ResultItem
from ...core.sweep import MarketState
from ...core.sweep_case import SweepView
from ..results.keys import MarketsRole
from ..results.sweep_summary import SweepSummaryView
from ..search.sweep_flow import SweepFlow

TAB_TITLE = "Countries"


def attach_sweeps(window: Any) -> SweepFlow:
    """``window`` is the MainWindow (typed loosely: it imports this module)."""
    flow = SweepFlow(window, window.controller, window.session, window.settings,
                     window.build_request, window.statusBar().showMessage,
                     sample_data=lambda: bool(window.demo))
    window.search_panel.sweepRequested.connect(flow.choose)
    flow.shown.connect(window.case_view.show_sweep)
    summary = SweepSummaryView()
    flow.summary_view = summary
    tabs = window.side_tabs

    def sweep_shown(view: SweepView | None) -> None:
        index = tabs.indexOf(summary)
        if view is None:
            if index >= 0:
                tabs.removeTab(index)
            return
        failed = ({r.market: str(r.error) for r in flow.runs
                   if r.state is MarketState.FAILED and r.error is not None}
                  if flow.number == view.number else {})
        summary.show_summary(view.summary, failed)
        if index < 0:
            tabs.addTab(summary, TAB_TITLE)
        tabs.setCurrentWidget(summary)

    def result_chosen(_item: ResultItem | None) -> None:
        if window.case_view.showing_sweep is None:
            window.details.show_markets(None)
            return
        index = window.results_panel.source_index_of_current()
        window.details.show_markets(list(index.data(MarketsRole) or []))

    def search_again(record_id: int) -> None:
        """Run a stored search (or a whole sweep) again, into this case."""
        case = window.session.case
        if record_id < 0:
            searches = case.sweep_searches(-record_id)
            if searches:
                window.case_view.show_sweep(-record_id)
                flow.choose([s.market for s in searches], searches[0].request)
            return
        record = case.search(record_id)
        if record is not None:
            window.case_view.show_record(record)
            window.search(request=record.request)

    window.case_view.sweepShown.connect(sweep_shown)
    window.results_panel.selectionChanged.connect(result_chosen)
    window.history.searchAgainRequested.connect(search_again)
    window.results_panel.goneChosen.connect(window.case_view.show_record_by_id)
    return flow
