"""``search --mkt A --mkt B`` (a market sweep) and ``rerun``, for scripts and cron."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from .core.case import Case
from .core.errors import BingrevError
from .core.redact import redact
from .core.request import SearchRequest
from .core.service import SearchService
from .core.sweep import MarketState, estimate, merge
from .core.sweeps_headless import keep_all, pick_searches, rerun, store_sweep, sweep, sweep_json

EXIT_OK, EXIT_FAILED = 0, 1


def _stderr(text: str) -> None:
    print(_safe(text), file=sys.stderr, flush=True)


def _safe(text: str) -> str:
    """No terminal control characters from remote text."""
    return "".join(c if c.isprintable() or c == "\n" else "\ufffd" for c in text)


async def run_sweep(service: SearchService, request: SearchRequest, markets: Sequence[str],
                    args: argparse.Namespace, case: Case | None) -> int:
    _stderr(f"Sweep of {len(markets)} markets: {estimate(markets).text()}.")
    runs = await sweep(service, request, markets, report=_stderr)
    if args.json:
        print(redact(json.dumps(sweep_json(runs), indent=2, ensure_ascii=False)))
    else:
        answers = [(r.market, r.outcome.response.results) for r in runs if r.outcome]
        merged = merge(answers)
        print(f"{len(merged)} distinct results from {len(answers)} of {len(runs)} markets")
        for m in merged:
            print(f"  in {len(m.markets):>2} market(s)  {_safe(redact(m.item.image_url or '-'))}")
            print(f"      {', '.join(m.markets)}")
    if case is not None:
        records = store_sweep(case, runs)
        await keep_all(case, records, service)
        from .core.casefile import save_case

        await asyncio.to_thread(save_case, case, args.case)
        _stderr(f"Saved the sweep ({len(records)} searches) to {args.case}.")
    failed = [r for r in runs if r.state is not MarketState.DONE]
    for run in failed:
        _stderr(f"{run.market}: {run.error or run.state.value}")
    return EXIT_FAILED if failed else EXIT_OK


def rerun_parser(parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = parser_class(prog="bingrev-desktop rerun",
                     description="Run stored searches of a case again, save the new runs "
                     "into it, and print what is new and what is gone since the earlier runs.")
    p.add_argument("case_file", help="a .bingrev case file (the new runs are saved into it)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--search", type=int, metavar="N",
                       help="the search numbered N in the case history (default: the last)")
    which.add_argument("--all", action="store_true",
                       help="the latest run of every different search in the case")
    p.add_argument("--api-base", help="API address (default: $BINGREV_API_BASE or xcrawl)")
    return p


async def run_rerun(args: argparse.Namespace, api_base: str, key: str, proxy: str | None) -> int:
    from .core.casefile import load_case

    case = await asyncio.to_thread(load_case, args.case_file)
    try:
        entries = pick_searches(case, args.search, args.all)
    except ValueError as exc:
        raise BingrevError(f"No such search: {exc}.") from None
    if not entries:
        raise BingrevError("The case has no searches to run again.")
    async with SearchService(api_base, key, proxy=proxy) as service:
        failed = await rerun(service, case, args.case_file, entries,
                             report=lambda text: print(_safe(text)))
    _stderr(f"Saved to {args.case_file}.")
    return EXIT_FAILED if failed else EXIT_OK
