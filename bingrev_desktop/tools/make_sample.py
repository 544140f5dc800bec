"""Build the bundled sample case (resources/samples/sample.bingrev) from the demo engine.

    python -m bingrev_desktop.tools.make_sample [OUT]

The searches run against the demo engine on port 8765, the port ``--demo``
uses, so the sample's links open while the demo runs. Qt decodes the pictures for their
fingerprints (copy groups); no window is made.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ..core.case import Case
from ..core.case_copies import fingerprint_missing
from ..core.casefile import save_case
from ..core.request import SearchRequest
from ..core.service import SearchService
from ..demo import DEMO_API_KEY, DemoEngine
from ..ui.results.imaging import fingerprint_bytes

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "resources" / "samples" / "sample.bingrev"


async def build(engine: DemoEngine) -> Case:
    case = Case(title="Sample case", sample_data=True,
                note="Where else does the lighthouse photo appear? Group copies shows each "
                     "picture once and marks its likely original; the cropped search finds "
                     "copies that were cut. "
                     "Search 4 ran search 1 again later (what is new, what is gone); the "
                     "sweep searched four countries at once.")
    async with SearchService(engine.base_url, DEMO_API_KEY) as service:

        async def run(request: SearchRequest, parent: tuple[int, int] | None = None) -> int:
            outcome = await service.client.search(request)
            preview = (await service.fetcher.fetch(request.image_url,
                                                   max_bytes=30_000_000)).data
            record = case.add_search(request, outcome.response, elapsed=outcome.elapsed,
                                     preview=preview, parent=parent,
                                     created_at=f"2026-11-2{len(case.searches) + 3}T10:1"
                                                f"{len(case.searches)}:00Z")
            for item in outcome.response.results:
                if item.thumbnail_url:
                    data = (await service.fetcher.fetch(item.thumbnail_url)).data
                    case.add_thumbnail(record, item.thumbnail_url, data)
            return record.id

        lighthouse = engine.query_image_url("lighthouse")
        first = await run(SearchRequest.create(lighthouse, mkt="en-US", count=24))
        record = case.searches[0]
        largest = max(record.response.results, key=lambda r: r.pixel_count)
        record.stars.update({largest.position, 2})
        record.notes[largest.position] = "Largest copy: probably the original upload."
        await run(SearchRequest.create(lighthouse, crop=(0.15, 0.2, 0.5, 0.8), mkt="en-GB",
                                       count=16))
        assert largest.image_url is not None
        await run(SearchRequest.create(largest.image_url, mkt="en-US", count=12),
                  parent=(first, largest.position))
        case.searches[-1].notes[1] = "Same picture on another site: check the dates."

        # The first search run again later: what is new, what is gone since.
        await run(SearchRequest.create(lighthouse, mkt="en-US", count=24))
        # One image in four countries: which results each country sees.
        number = case.new_sweep_number()
        for market in ("en-GB", "de-DE", "fr-FR", "ja-JP"):
            request = SearchRequest.create(lighthouse, mkt=market, count=16)
            outcome = await service.client.search(request)
            record = case.add_search(request, outcome.response, elapsed=outcome.elapsed,
                                     preview=case.preview(case.searches[0]), sweep=number,
                                     created_at=f"2026-11-26T11:0{len(case.searches)}:00Z")
            for item in outcome.response.results:
                if item.thumbnail_url:
                    data = (await service.fetcher.fetch(item.thumbnail_url)).data
                    case.add_thumbnail(record, item.thumbnail_url, data)
    for record in case.searches:
        fingerprint_missing(case, record, fingerprint_bytes)
    return case


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_OUT
    with DemoEngine(port=8765) as engine:
        case = asyncio.run(build(engine))
    save_case(case, out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB, {len(case.searches)} searches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
