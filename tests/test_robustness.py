"""Hostile or broken input from the network and from files: plain errors, no crash."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bingrev_desktop.core.case import Case
from bingrev_desktop.core.casefile import CaseFileError, load_case, save_case
from bingrev_desktop.core.client import parse_retry_after
from bingrev_desktop.core.errors import BadRequestError
from bingrev_desktop.core.request import SearchRequest, ValidationError, validate_image_url
from bingrev_desktop.core.response import as_int, parse_response
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.core.settings import normalize_api_base
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine
from bingrev_desktop.ui.case.case_session import CaseSession
from bingrev_desktop.ui.shell.main_window import MainWindow

from .test_window import run, search_and_wait, show_and_wait
from .ui_helpers import close_window, make_window

ROOT = Path(__file__).resolve().parents[1]


def test_numbers_that_would_overflow() -> None:
    assert as_int("9" * 400) is None or as_int("9" * 400) < 10**16
    assert as_int(10**30) is None and as_int(1e300) is None
    parse_response({"related_content": [{"width": "9" * 400, "position": 10**40}]})
    assert parse_retry_after("\u00b2") is None
    assert parse_retry_after("9" * 50) is not None


@pytest.mark.parametrize("url", ["http://xn--zz.com/a.png", "http://\u2603..com/a.png"])
def test_urls_httpx_cannot_send_are_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        validate_image_url(url)


@pytest.mark.parametrize("base", ["http://api.example.com", "http://10.0.0.5:8080"])
def test_plain_http_only_for_this_computer(base: str) -> None:
    with pytest.raises(ValidationError, match="https"):
        normalize_api_base(base)
    assert normalize_api_base("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"


def test_key_test_against_wrong_address(demo_engine: DemoEngine) -> None:
    async def check() -> None:
        async with SearchService(demo_engine.base_url + "/nothing-here", DEMO_API_KEY) as svc:
            await svc.client.verify_key()

    with pytest.raises(BadRequestError, match="does not answer like the search service"):
        asyncio.run(check())


def crafted_case(tmp_path: Path, change: str) -> Path:
    case = Case()
    request = SearchRequest.create("https://img.example.org/a.png", count=2)
    case.add_search(request, parse_response({"related_content": [{"position": 1}]}),
                    elapsed=1, preview=b"\x89PNG\r\n\x1a\nxx")
    path = tmp_path / "crafted.bingrev"
    save_case(case, path)
    db = sqlite3.connect(path)
    db.execute(change)
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize("change", [
    "UPDATE searches SET request_json = '{not json'",
    """UPDATE searches SET request_json = '{"image_url": "javascript:alert(1)"}'""",
    """UPDATE searches SET request_json = '{"image_url": "https://a.org/x.png", "count": "lots"}'""",
    "UPDATE searches SET response_json = '[1, 2]'",
    "UPDATE searches SET preview_sha256 = '<script>'",
    "UPDATE searches SET parent_position = 'x<b>'",
])
def test_crafted_case_files_are_refused(tmp_path: Path, change: str) -> None:
    with pytest.raises(CaseFileError, match="damaged"):
        load_case(crafted_case(tmp_path, change))


def test_save_while_editing_stays_dirty(qloop: asyncio.AbstractEventLoop,
                                        demo_engine: DemoEngine, tmp_path: Path) -> None:
    window = make_window(demo_engine, tmp_path)
    session: CaseSession = window.session
    try:
        async def scenario() -> None:
            await show_and_wait(window, demo_engine.query_image_url("city"))
            await search_and_wait(window)
            saving = asyncio.ensure_future(session.save(tmp_path / "Case 2024.05.01"))
            await asyncio.sleep(0)  # the save has taken its snapshot
            session.set_star(1, True)  # ... and this change came after it
            assert await saving

        run(qloop, scenario())
        assert session.dirty, "a change made during the save must still count as unsaved"
        assert session.path == tmp_path / "Case 2024.05.01.bingrev"  # appended, not replaced
        assert load_case(session.path).searches[0].stars == set()
    finally:
        run(qloop, close_window(window))


def test_stale_crop_is_not_applied_to_a_new_image(qloop: asyncio.AbstractEventLoop,
                                                  demo_engine: DemoEngine,
                                                  tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    window = new_window()
    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        window.search_panel.set_crop(SearchRequest.create(
            "https://a.org/x.png", crop=(0.1, 0.2, 0.3, 0.4)).crop)
        await search_and_wait(window)
        record = window.session.current
        assert record is not None
        record.preview_sha256 = None  # its picture was never saved
        window.case_view.show_record(record)
        await window.controller.wait_idle()
        await show_and_wait(window, demo_engine.query_image_url("mountain"))
        await search_and_wait(window)

    run(qloop, scenario())
    assert "cal" not in demo_engine.search_requests[-1]




@pytest.mark.parametrize(("url", "local"), [
    ("http://127.0.0.1/a.png", True), ("http://localhost:8080/a.png", True),
    ("http://192.168.1.20/a.png", True), ("http://[::1]/a.png", True),
    ("http://10.1.2.3/a.png", True), ("http://printer.local/a.png", True),
    ("https://th.bing.com/th/id/OIP.x", False), ("https://8.8.8.8/a.png", False),
])
def test_local_addresses(url: str, local: bool) -> None:
    from bingrev_desktop.core.fetcher import is_local_address

    assert is_local_address(url) is local


def test_results_cannot_make_the_app_fetch_local_addresses(demo_engine: DemoEngine) -> None:
    from bingrev_desktop.core.errors import ImageError

    async def fetch() -> None:
        async with SearchService("https://run.xcrawl.com", DEMO_API_KEY) as svc:
            await svc.fetcher.fetch(demo_engine.query_image_url("city"), allow_local=False)

    with pytest.raises(ImageError, match="local network address"):
        asyncio.run(fetch())
    assert demo_engine.request_log == []
