"""Reading a search answer without stalling the window.

``json.loads`` is one C call that holds the GIL for its whole run: about 37 ms per
MB here, so a 10 MB answer would freeze the GUI thread for a third of a second even
from a worker thread. Real answers are far below 1 MB (150 results are about
150 KB) and are read in a thread; anything larger is read in a separate process,
which sends back only what is kept (at most MAX_RESULTS results), so the window
never holds the GIL for the big parse.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any

from .response import (
    MAX_RESULTS,
    ResponseFormatError,
    SearchResponse,
    check_answer,
    parse_response,
)

BIG_ANSWER_BYTES = 1_000_000
_pool: ProcessPoolExecutor | None = None


def trimmed_answer(raw: bytes) -> tuple[dict[str, Any], int, int]:
    """Decode and check an answer; keep the results up to the cap.

    Returns the payload (``related_content`` cut after the last kept result), and how
    many unreadable and how many dropped entries were cut off after it."""
    payload = json.loads(raw)
    check_answer(payload)
    items = payload.get("related_content")
    if not isinstance(items, list):
        return payload, 0, 0
    kept = cut = 0
    for index, item in enumerate(items):
        if isinstance(item, dict):
            kept += 1
            if kept == MAX_RESULTS:
                cut = index + 1
                break
    else:
        return payload, 0, 0
    tail = items[cut:]
    skipped = sum(not isinstance(i, dict) for i in tail)
    payload["related_content"] = items[:cut]
    return payload, skipped, len(tail) - skipped


def _process_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, never fork: a forked copy of a Qt process is not safe.
        _pool = ProcessPoolExecutor(max_workers=1,
                                    mp_context=multiprocessing.get_context("spawn"))
        atexit.register(shutdown_pool)
    return _pool


def shutdown_pool() -> None:
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _parse_small(raw: bytes) -> SearchResponse:
    payload = json.loads(raw)
    check_answer(payload)
    return parse_response(payload)


async def read_answer(raw: bytes) -> SearchResponse:
    """Decode, check and parse an answer off the event loop (see the module doc).

    Raises ValueError (including ResponseFormatError) or RecursionError."""
    if len(raw) <= BIG_ANSWER_BYTES:
        return await asyncio.to_thread(_parse_small, raw)
    loop = asyncio.get_running_loop()
    try:
        payload, skipped, dropped = await loop.run_in_executor(_process_pool(),
                                                               trimmed_answer, raw)
    except BrokenProcessPool as exc:  # the worker died (out of memory, killed)
        shutdown_pool()  # the next big answer gets a fresh one
        raise ResponseFormatError(f"the answer's reader stopped: {exc}") from None
    parsed = await asyncio.to_thread(parse_response, payload)
    return replace(parsed, skipped_items=parsed.skipped_items + skipped,
                   dropped_items=parsed.dropped_items + dropped)
