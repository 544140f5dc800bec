"""Soak: 300 searches with faults mixed in, and cancellations under pool contention.

    python benchmarks/soak.py [--searches 300]

Runs the real client (one long-lived httpx client, as the app) against the demo
engine on loopback only. Each search also fetches a few of its thumbnails, and
every fifth one is cancelled mid-flight while others hold the pool. Prints the
resident memory, open file descriptors and sockets at the start and at the end,
and what the searches ended in. A leak shows as fds or sockets that keep growing;
a pool broken by cancellations (encode/httpcore#1093) shows as the final search
failing with a PoolTimeout.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bingrev_desktop.core.errors import BingrevError
from bingrev_desktop.core.request import SearchRequest
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine, Fault

CONCURRENCY = 12  # more than the fetcher's slots: the pool is contended


def resources() -> tuple[float, int, int]:
    """(RSS in MB, open fds, open sockets) of this process, from /proc."""
    rss_mb = 0.0
    with open("/proc/self/statm") as handle:
        rss_mb = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    fds = os.listdir("/proc/self/fd")
    sockets = sum(os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
                  for fd in fds if os.path.exists(f"/proc/self/fd/{fd}"))
    return rss_mb, len(fds), sockets


FAULTS = [
    (7, Fault("status", status=500, times=1)),
    (11, Fault("malformed_json", times=1)),
    (13, Fault("status", status=429, retry_after=0, times=1)),
    (17, Fault("truncated", times=1)),
    (19, Fault("broken_thumbnails", times=2)),
]


async def one(service: SearchService, engine: DemoEngine, n: int,
              outcomes: collections.Counter[str]) -> None:
    names = engine.query_image_names()
    request = SearchRequest.create(engine.query_image_url(names[n % len(names)]),
                                   count=str(10 + n % 40), mkt=["en-US", "de-DE", "ja-JP"][n % 3])
    for every, fault in FAULTS:
        if n % every == 0:
            engine.set_fault(fault)
    try:
        outcome = await service.client.search(request)
        thumbs = [i.thumbnail_url for i in outcome.response.results[:6] if i.thumbnail_url]
        results = await asyncio.gather(*(service.fetcher.fetch(u) for u in thumbs),
                                       return_exceptions=True)
        outcomes["ok"] += 1
        outcomes["thumbnails failed"] += sum(isinstance(r, BaseException) for r in results)
    except BingrevError as exc:
        outcomes[type(exc).__name__] += 1


async def soak(searches: int) -> None:
    with DemoEngine(latency=0.01) as engine:
        engine.set_image_latency(0.005)
        async with SearchService(engine.base_url, DEMO_API_KEY, deadline=30) as service:
            service.client.retry.backoff_base = 0.01
            await one(service, engine, 0, collections.Counter())  # warm up
            start = resources()
            outcomes: collections.Counter[str] = collections.Counter()
            slots = asyncio.Semaphore(CONCURRENCY)

            async def guarded(n: int) -> None:
                async with slots:
                    task = asyncio.ensure_future(one(service, engine, n, outcomes))
                    if n % 5 == 0:  # the user pressed Cancel mid-search
                        await asyncio.sleep(0.005 * (n % 4))
                        task.cancel()
                    try:
                        await task
                    except asyncio.CancelledError:
                        outcomes["cancelled"] += 1

            await asyncio.gather(*(guarded(n) for n in range(1, searches + 1)))
            engine.clear_faults()
            final = collections.Counter[str]()
            await one(service, engine, 1, final)  # the pool still works after all that
            end = resources()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{searches} searches, {CONCURRENCY} at a time, faults mixed in:")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"  final search after the soak: {'ok' if final['ok'] else dict(final)}")
    print("             RSS MB   fds  sockets")
    print(f"  start     {start[0]:7.1f} {start[1]:5d} {start[2]:8d}")
    print(f"  end       {end[0]:7.1f} {end[1]:5d} {end[2]:8d}   (peak RSS {peak:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(soak(max(1, min(args.searches, 5000))))


if __name__ == "__main__":
    main()
