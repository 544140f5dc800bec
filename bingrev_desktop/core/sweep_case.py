"""A stored sweep as one view (Qt-free): its searches merged into one list of distinct
results, each with the markets that found it, shown like a single search."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .case import Case, SearchRecord
from .sweep import MarketSummary, merge, summarize


@dataclass
class SweepView:
    number: int
    searches: list[SearchRecord]
    record: SearchRecord  # a stand-in record (not in the case) holding the merged results
    markets: dict[int, list[str]]  # merged position -> markets that found it
    owners: dict[str, SearchRecord] = field(default_factory=dict)  # thumbnail -> its search
    summary: list[MarketSummary] = field(default_factory=list)

    @property
    def market_codes(self) -> list[str]:
        return [s.market for s in self.searches]


def sweep_view(case: Case, number: int) -> SweepView | None:
    searches = case.sweep_searches(number)
    if not searches:
        return None
    answers = [(s.market, s.response.results) for s in searches]
    merged = merge(answers)
    items = tuple(replace(m.item, position=n) for n, m in enumerate(merged, 1))
    first = searches[0]
    body = {k: v for k, v in first.request_body.items() if k != "mkt"}
    record = SearchRecord(id=-number, created_at=first.created_at, request_body=body,
                          response_raw={}, sweep=number,
                          preview_sha256=first.preview_sha256,
                          _response=replace(first.response, results=items, raw={}))
    owners: dict[str, SearchRecord] = {}
    for search in searches:
        for item in search.response.results:
            if item.thumbnail_url and item.thumbnail_url not in owners:
                owners[item.thumbnail_url] = search
        for url, digest in search.thumbnails.items():
            record.thumbnails.setdefault(url, digest)
        for url, failure in search.thumbnail_failures.items():
            record.thumbnail_failures.setdefault(url, failure)
    return SweepView(number, searches, record,
                     {n: m.markets for n, m in enumerate(merged, 1)}, owners,
                     summarize(answers, merged))
