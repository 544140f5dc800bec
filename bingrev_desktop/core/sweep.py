"""One image through many Bing markets (Qt-free): which markets, what it costs, run
them a few at a time, and merge the answers into one list of distinct results.

A picture that circulates in one country can be invisible from another; the merged
view says, for every distinct image address, which markets found it.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .errors import BingrevError
from .markets import MARKETS as _MARKETS
from .request import SearchRequest, ValidationError
from .response import ResultItem

if TYPE_CHECKING:  # the history and the grid use this module before the network loads
    from .client import SearchOutcome, XcrawlClient

# Bing's markets by region (presets of the sweep dialog and of ``--mkt REGION``).
REGIONS: dict[str, tuple[str, ...]] = {
    "Europe": ("de-AT", "nl-BE", "fr-BE", "da-DK", "fi-FI", "fr-FR", "de-DE", "it-IT",
               "nl-NL", "no-NO", "pl-PL", "ru-RU", "es-ES", "sv-SE", "fr-CH", "de-CH",
               "tr-TR", "en-GB"),
    "Americas": ("es-AR", "pt-BR", "en-CA", "fr-CA", "es-CL", "es-MX", "en-US", "es-US"),
    "Asia-Pacific": ("en-AU", "zh-HK", "en-IN", "en-ID", "ja-JP", "ko-KR", "en-MY",
                     "en-NZ", "zh-CN", "en-PH", "zh-TW"),
    "Middle East and Africa": ("en-ZA",),
}
MARKETS: tuple[str, ...] = tuple(m.code for m in _MARKETS)
SWEEP_CONCURRENCY = 3  # a few at a time: the service rate-limits (429 + Retry-After)
CONFIRM_ABOVE = 5  # sweeps of more markets ask first: each market costs a search


def region_of(market: str) -> str:
    return next((name for name, codes in REGIONS.items() if market in codes), "Other")


def parse_markets(specs: Iterable[str]) -> list[str]:
    """``["de-DE", "fr-fr"]``, ``["all"]`` or region names ("europe", "asia-pacific")
    into canonical market codes, in Bing's order, without repeats."""
    by_lower = {m.lower(): m for m in MARKETS}
    regions = {name.lower().replace(" ", "-"): codes for name, codes in REGIONS.items()}
    regions |= {"apac": REGIONS["Asia-Pacific"], "mea": REGIONS["Middle East and Africa"]}
    chosen: set[str] = set()
    for spec in specs:
        for part in spec.split(","):
            key = part.strip().lower().replace(" ", "-")
            if not key:
                continue
            if key == "all":
                chosen.update(MARKETS)
            elif key in regions:
                chosen.update(regions[key])
            elif key in by_lower:
                chosen.add(by_lower[key])
            else:
                raise ValidationError(
                    f"\u201c{part.strip()}\u201d is not a Bing market or region. Use a code "
                    "such as de-DE, a region (Europe, Americas, Asia-Pacific, \u201cMiddle "
                    "East and Africa\u201d) or all.", "mkt")
    return [m for m in MARKETS if m in chosen]


@dataclass(frozen=True)
class Estimate:
    searches: int
    credits: float

    def text(self) -> str:
        credits = f"{self.credits:g}"
        return (f"{self.searches} {'search' if self.searches == 1 else 'searches'}, "
                f"about {credits} {'credit' if credits == '1' else 'credits'}")


def estimate(markets: Sequence[str], credits_per_search: float | None = None) -> Estimate:
    """One search per market, each costing what the last answer reported (1 if none)."""
    per = credits_per_search if credits_per_search and credits_per_search > 0 else 1.0
    return Estimate(len(markets), per * len(markets))


class MarketState(enum.Enum):
    WAITING = "waiting"
    RUNNING = "searching"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class MarketRun:
    market: str
    state: MarketState = MarketState.WAITING
    outcome: SearchOutcome | None = None
    error: BingrevError | None = None

    def text(self) -> str:
        if self.state is MarketState.DONE and self.outcome is not None:
            return f"{self.market} done, {len(self.outcome.response.results)} results"
        if self.state is MarketState.FAILED and self.error is not None:
            return f"{self.market} failed: {self.error}"
        return f"{self.market} {self.state.value}"


ProgressCallback = Callable[[MarketRun], None]


async def run_markets(client: XcrawlClient, request: SearchRequest, runs: Sequence[MarketRun],
                      *, progress: ProgressCallback | None = None,
                      concurrency: int = SWEEP_CONCURRENCY) -> None:
    """Search ``request`` in each waiting or failed market of ``runs``, a few at a time.
    A failed market records its error and the others go on; cancelling leaves what has
    arrived in ``runs`` (the client already honours 429 and Retry-After)."""
    import asyncio  # here: the history uses this module before the event loop exists

    gate = asyncio.Semaphore(concurrency)

    def report(run: MarketRun) -> None:
        if progress is not None:
            progress(run)

    async def one(run: MarketRun) -> None:
        async with gate:
            run.state, run.error = MarketState.RUNNING, None
            report(run)
            try:
                run.outcome = await client.search(replace(request, mkt=run.market))
            except BingrevError as exc:
                run.state, run.error = MarketState.FAILED, exc
            except asyncio.CancelledError:
                run.state = MarketState.CANCELLED
                report(run)
                raise
            else:
                run.state = MarketState.DONE
            report(run)

    todo = [r for r in runs if r.state is not MarketState.DONE]
    try:
        await asyncio.gather(*(one(r) for r in todo))
    finally:
        for run in todo:
            if run.state in (MarketState.WAITING, MarketState.RUNNING):
                run.state = MarketState.CANCELLED


def result_key(item: ResultItem) -> str:
    """What makes two results the same picture: its image address."""
    return item.image_url or item.thumbnail_url or item.source or f"#{item.position}"


@dataclass
class MergedResult:
    key: str
    item: ResultItem  # as the first market (in sweep order) returned it
    markets: list[str] = field(default_factory=list)


def merge(answers: Sequence[tuple[str, Sequence[ResultItem]]]) -> list[MergedResult]:
    """Each distinct result once, in order of first appearance, with its markets."""
    merged: dict[str, MergedResult] = {}
    for market, items in answers:
        for item in items:
            key = result_key(item)
            entry = merged.setdefault(key, MergedResult(key, item))
            if market not in entry.markets:
                entry.markets.append(market)
    return list(merged.values())


@dataclass(frozen=True)
class MarketSummary:
    market: str
    results: int
    unique: int  # found in no other market of the sweep
    top_domains: tuple[str, ...]


def summarize(answers: Sequence[tuple[str, Sequence[ResultItem]]],
              merged: Sequence[MergedResult]) -> list[MarketSummary]:
    markets_of = {m.key: m.markets for m in merged}
    rows = []
    for market, items in answers:
        keys = {result_key(i) for i in items}
        unique = sum(1 for k in keys if markets_of.get(k) == [market])
        domains = Counter(i.domain for i in items if i.domain)
        rows.append(MarketSummary(market, len(items), unique,
                                  tuple(d for d, _ in domains.most_common(3))))
    return rows
