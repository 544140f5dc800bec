"""Malformed answers are never read as "nothing found" (the hostile answer corpus).

Each shape is served by the real demo engine over loopback (a ``status`` fault with
a 200 and the body), then read by the client, the CLI and the window.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bingrev_desktop.core.errors import InvalidResponseError
from bingrev_desktop.core.request import SearchRequest
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine, Fault

ROOT = Path(__file__).resolve().parents[2]

DONE = {"status": "completed"}
UNREADABLE = {
    "related-content-string": {"search_metadata": DONE, "related_content": "nothing here"},
    "related-content-object": {"search_metadata": DONE, "related_content": {"0": {}}},
    "empty-object": {},
    "processing": {"search_metadata": {"status": "processing"}, "related_content": []},
    "error-status": {"search_metadata": {"status": "error"}, "related_content": []},
    "deep-json": None,  # built below: nesting far beyond Python's recursion limit
}


def body_of(name: str) -> str:
    if name == "deep-json":
        return '{"related_content": ' + "[" * 50_000 + "]" * 50_000 + "}"
    return json.dumps(UNREADABLE[name])


def serve(engine: DemoEngine, body: str) -> None:
    engine.set_fault(Fault("status", status=200, body=body, content_type="application/json"))


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_answers_are_errors_not_zero_results(demo_engine: DemoEngine,
                                                        name: str) -> None:
    serve(demo_engine, body_of(name))

    async def attempt() -> None:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY) as service:
            with pytest.raises(InvalidResponseError) as caught:
                await service.client.search(SearchRequest.create("https://example.org/a.png"))
            assert "could not be read" in str(caught.value) or "did not finish" in str(
                caught.value)
            assert caught.value.detail.body_excerpt  # the raw body is one click away

    asyncio.run(attempt())


@pytest.mark.parametrize("name", ["related-content-string", "processing", "deep-json"])
def test_cli_says_so_instead_of_zero_results(demo_engine: DemoEngine, name: str) -> None:
    serve(demo_engine, body_of(name))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BINGREV_API_KEY": DEMO_API_KEY}
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "search",
                           "https://example.org/a.png", "--api-base", demo_engine.base_url],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout
    assert "0 results" not in done.stdout and "Traceback" not in done.stderr


def test_null_related_content_on_a_completed_search_is_no_results(
        demo_engine: DemoEngine) -> None:
    serve(demo_engine, json.dumps({"search_metadata": DONE, "related_content": None}))

    async def attempt() -> int:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY) as service:
            outcome = await service.client.search(
                SearchRequest.create("https://example.org/a.png"))
            return len(outcome.response.results)

    assert asyncio.run(attempt()) == 0


def test_unreadable_items_are_counted_and_results_capped(demo_engine: DemoEngine) -> None:
    items = [{"position": i + 1, "thumbnail": f"https://t.example.org/{i}.png"}
             for i in range(1200)]
    items[5:8] = ["oops", 3, None]
    serve(demo_engine, json.dumps({"search_metadata": DONE, "related_content": items}))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BINGREV_API_KEY": DEMO_API_KEY}
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "search",
                           "https://example.org/a.png", "--api-base", demo_engine.base_url],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("1000 results"), first
    assert "3 results could not be read" in done.stdout
    assert "only the first 1000 are kept" in done.stdout


def test_a_big_answer_is_read_in_another_process_and_capped(demo_engine: DemoEngine) -> None:
    """10 MB of empty results (under the 16 MB cap): read without the GIL held by this
    process for the decode, capped at 1000, with a note."""
    from bingrev_desktop.core import answers

    body = ('{"search_metadata": {"status": "completed"}, "related_content": ['
            + ",".join(["{}"] * 3_300_000) + "]}")
    assert 9_000_000 < len(body) < 16 * 1024 * 1024
    serve(demo_engine, body)

    async def attempt() -> tuple[int, list[str]]:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY) as service:
            outcome = await service.client.search(
                SearchRequest.create("https://example.org/a.png"))
            return len(outcome.response.results), outcome.response.notes()

    try:
        count, notes = asyncio.run(attempt())
    finally:
        answers.shutdown_pool()
    assert count == 1000
    assert notes == ["the answer had 3300000 results; only the first 1000 are kept"]
