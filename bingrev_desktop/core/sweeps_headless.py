"""Sweeps and re-runs for scripts (the CLI): store them in a case, report what changed.

The window runs the same core (``core.sweep``, ``core.series``) through its own flows.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .case import Case, SearchRecord
from .casefile import save_case
from .casekeeper import keep_thumbnails
from .errors import BingrevError
from .request import SearchRequest
from .series import changes
from .service import SearchService
from .sweep import MarketRun, MarketState, merge, run_markets, summarize

Report = Callable[[str], None]


async def sweep(service: SearchService, request: SearchRequest, markets: Sequence[str], *,
                report: Report | None = None) -> list[MarketRun]:
    runs = [MarketRun(m) for m in markets]
    await run_markets(service.client, request, runs,
                      progress=(lambda run: report(run.text())) if report else None)
    return runs


def sweep_json(runs: Sequence[MarketRun]) -> dict[str, Any]:
    """Each distinct result with the markets that returned it, and per-market counts."""
    answers = [(r.market, r.outcome.response.results) for r in runs if r.outcome is not None]
    merged = merge(answers)
    summary = {s.market: s for s in summarize(answers, merged)}
    markets: dict[str, Any] = {}
    for run in runs:
        row: dict[str, Any] = {"state": run.state.value}
        if run.market in summary:
            s = summary[run.market]
            row |= {"results": s.results, "unique": s.unique, "top_domains": list(s.top_domains)}
        if run.error is not None:
            row["error"] = str(run.error)
        markets[run.market] = row
    results = [{"image": m.item.image_url, "title": m.item.display_title,
                "domain": m.item.domain, "page": m.item.source, "markets": m.markets}
               for m in merged]
    return {"markets": markets, "results": results}


def store_sweep(case: Case, runs: Sequence[MarketRun]) -> list[SearchRecord]:
    """The sweep's answers as one entry of the case: searches sharing a sweep number."""
    number = case.new_sweep_number()
    return [case.add_search(r.outcome.request, r.outcome.response, elapsed=r.outcome.elapsed,
                            sweep=number)
            for r in runs if r.state is MarketState.DONE and r.outcome is not None]


async def keep_all(case: Case, records: Sequence[SearchRecord], service: SearchService) -> None:
    for record in records:
        await keep_thumbnails(case, record, service)


def pick_searches(case: Case, number: int | None, every: bool) -> list[SearchRecord]:
    """``--search N`` (as numbered in the history), ``--all`` (the latest run of every
    distinct query), or by default the last search. A sweep counts as one entry."""
    if not case.searches:
        return []
    if every:
        from .series import query_key

        latest: dict[tuple[str, ...], SearchRecord] = {}
        for record in case.searches:
            latest[query_key(record)] = record
        chosen = list(latest.values())
    elif number is not None:
        if not 1 <= number <= len(case.searches):
            raise ValueError(f"the case has searches 1 to {len(case.searches)}")
        chosen = [case.searches[number - 1]]
    else:
        chosen = [case.searches[-1]]
    entries: list[SearchRecord] = []
    seen_sweeps: set[int] = set()
    for record in chosen:  # one re-run per sweep, not one per market
        if record.sweep is not None:
            if record.sweep in seen_sweeps:
                continue
            seen_sweeps.add(record.sweep)
        entries.append(record)
    return entries


async def rerun(service: SearchService, case: Case, path: str | os.PathLike[str],
                entries: Sequence[SearchRecord], *, report: Report) -> int:
    """Run each entry again into ``case`` (a sweep as a new sweep), print "+new / −gone"
    per query, and save. Returns how many searches failed."""
    failed = 0
    try:
        for entry in entries:
            request = entry.request
            if entry.sweep is not None:
                markets = [s.market for s in case.sweep_searches(entry.sweep)]
                runs = await sweep(service, replace(request, mkt=None), markets)
                records = store_sweep(case, runs)
                failed += sum(r.state is not MarketState.DONE for r in runs)
            else:
                try:
                    outcome = await service.client.search(request)
                except BingrevError as exc:  # the others still run; paid runs are saved
                    report(f"{Path(entry.image_url).name or entry.image_url} \u00b7 "
                           f"{entry.market}: failed: {exc}")
                    failed += 1
                    continue
                records = [case.add_search(outcome.request, outcome.response,
                                           elapsed=outcome.elapsed)]
            await keep_all(case, records, service)
            for record in records:
                found = changes(case, record)
                report(f"{Path(record.image_url).name or record.image_url} \u00b7 "
                       f"{record.market}: {found.text() or 'first run'}")
    finally:  # whatever ran (and was paid for) is kept, even if a later one fails
        await asyncio.to_thread(save_case, case, path)
    return failed
