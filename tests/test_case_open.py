"""Opening a case parses the shown search first, in the worker that reads the file;
the other answers are parsed afterwards in workers, never on the GUI thread, and the
history then shows every count and "new / gone" text."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bingrev_desktop.core import case as case_module
from bingrev_desktop.core.casefile import load_case, save_case
from bingrev_desktop.core.response import MAX_RESULTS, parse_response, result_count
from bingrev_desktop.core.series import series_texts, shown_first
from bingrev_desktop.resources import resource_dir
from bingrev_desktop.ui.common import next_turn
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .test_window import run

SAMPLE = resource_dir() / "samples" / "sample.bingrev"


def test_load_parses_only_what_the_window_shows_first() -> None:
    case = load_case(SAMPLE)
    first = shown_first(case)
    assert first and first[-1] is case.searches[-1]
    assert [s.parsed for s in case.searches] == [s in first for s in case.searches]
    assert len(case.unparsed()) == len(case.searches) - len(first) > 0
    counts = [s.result_count for s in case.searches]  # no parse needed for these
    assert len(case.unparsed()) == len(case.searches) - len(first)
    assert counts == [len(s.response.results) for s in case.searches]
    assert not case.unparsed()


@pytest.mark.parametrize("payload", [
    {},
    {"related_content": "not a list"},
    {"related_content": [1, "x", None, {"title": "kept"}, [], {}]},
    {"related_content": [{"position": n} for n in range(MAX_RESULTS + 7)]},
    [],
])
def test_result_count_agrees_with_the_parser(payload: Any) -> None:
    expected = len(parse_response(payload).results) if isinstance(payload, dict) else 0
    assert result_count(payload) == expected


def test_opening_a_case_never_parses_on_the_gui_thread(
        qloop: asyncio.AbstractEventLoop, window: MainWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    on_gui: list[int] = []
    parsed: list[int] = []
    original = case_module.parse_response

    def watched(payload: Any) -> Any:
        parsed.append(id(payload))
        if threading.current_thread() is threading.main_thread():
            on_gui.append(id(payload))
        return original(payload)

    monkeypatch.setattr(case_module, "parse_response", watched)

    async def scenario() -> None:
        assert await window.case_files.open_path(SAMPLE)
        await wait_until(lambda: not next_turn.pending(), message="history drawn")

    run(qloop, scenario())
    case = window.session.case
    assert len(parsed) == len(case.searches)  # each answer once
    assert on_gui == []
    assert not case.unparsed()
    texts = [window.history.list.item(i).text() for i in range(window.history.list.count())]
    series = series_texts(case)
    assert series  # the sample has a search run twice
    for number, record in enumerate(case.searches, 1):
        line = next(t for t in texts if t.lstrip(" \u21b3").startswith(f"{number}. "))
        assert f"{len(record.response.results)} results" in line
        if record.id in series:
            assert series[record.id] in line  # drawn again once every answer was read
    opened = window.banner.title_label.text() if window.banner.isVisible() else \
        window.statusBar().currentMessage()
    assert "Case opened" in opened


def test_counts_for_the_history_are_taken_by_the_reader(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The history lists every search's count as the case appears: counted in the
    worker that reads the file, not by walking each answer on the GUI thread (twice
    per redraw)."""
    case = load_case(SAMPLE)
    counted: list[int] = []
    monkeypatch.setattr(case_module, "result_count",
                        lambda payload: counted.append(1) or 0)  # type: ignore[func-returns-value]
    assert [s.result_count for s in case.unparsed()]
    assert counted == []


HOSTILE_VALUES = {"401-digit int": int("9" * 401), "-401-digit int": -int("9" * 401),
                  "1e308": 1e308, "nan": float("nan"), "inf": float("inf"),
                  "4000 digits": "9" * 4000, "list": [], "object": {}, "null": None,
                  "true": True, "-1": -1, "2**63": 2**63}


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_parsing_never_raises_on_any_value_of_any_field(value: Any) -> None:
    """Opening a case leaves most answers for later: parsing must never fail then (the
    file was accepted already), whatever a field of a stranger's file holds."""
    item_fields = ["position", "title", "link", "source", "original", "cdn_original",
                   "thumbnail", "domain", "format", "width", "height", "thumbnail_width",
                   "thumbnail_height", "date", "file_size"]
    payload = {"related_content": [dict.fromkeys(item_fields, value), value],
               "image_info": dict.fromkeys(["domain", "format", "link", "original", "source",
                                            "width", "height", "file_size"], value),
               "search_metadata": dict.fromkeys(["id", "status", "cached", "created_at",
                                                 "total_time_taken"], value),
               "total_credits_used": value, "search_parameters": value}
    response = parse_response(payload)
    expected = 1 + isinstance(value, dict)  # the item, and the value itself when an object
    assert len(response.results) == result_count(payload) == expected


def test_a_case_with_a_huge_number_in_a_later_search_opens_and_saves(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, tmp_path: Path) -> None:
    case = load_case(SAMPLE)
    case.searches[0].response_raw["total_credits_used"] = int("9" * 401)
    case.searches[0].response_raw["related_content"][0]["width"] = int("9" * 401)
    path = tmp_path / "huge.bingrev"
    save_case(case, path)

    async def scenario() -> None:
        assert await window.case_files.open_path(path)
        assert "Case opened" in (window.banner.title_label.text() if window.banner.isVisible()
                                 else window.statusBar().currentMessage())
        assert await window.case_files.save() is True  # type: ignore[misc]
        first = window.session.case.searches[0]
        window.case_view.show_record(first)  # chosen in the history: no error
        await wait_until(lambda: window.controller.preview is not None
                         and window.controller.preview.url == first.image_url
                         and not window.loader.busy, message="first search shown")

    run(qloop, scenario())
    opened = window.session.case
    assert not opened.unparsed()
    assert opened.searches[0].response.credits_used is None
    assert load_case(path).searches[0].result_count == len(case.searches[0].response.results)


def test_copy_groups_do_not_wait_for_a_grid_that_is_not_on_screen(
        qloop: asyncio.AbstractEventLoop, window: MainWindow) -> None:
    """Work the user does not see waits for the tiles on screen, but a hidden window
    (or a grid filtered to nothing) has none: fingerprints go on at once."""
    window.hide()

    async def scenario() -> float:
        assert await window.case_files.open_path(SAMPLE)
        started = time.monotonic()
        await wait_until(lambda: not window.copies.busy, timeout=20, message="copy groups")
        return time.monotonic() - started

    took = run(qloop, scenario())
    assert took < 5, f"fingerprinting 12 pictures of a hidden window took {took:.1f} s"


def test_a_complete_case_is_confirmed_without_moving_the_window(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, tmp_path: Path) -> None:
    """A banner sliding in moved the whole window down just as the tiles appeared: a
    complete case is confirmed in the status bar; pictures missing from the file still
    get the banner."""
    case = load_case(SAMPLE)
    record = case.searches[0]
    record.thumbnails.pop(next(iter(record.thumbnails)))  # one picture never loaded
    gaps = tmp_path / "gaps.bingrev"
    save_case(case, gaps)

    async def scenario() -> None:
        assert await window.case_files.open_path(SAMPLE)
        assert not window.banner.isVisible()
        assert window.statusBar().currentMessage().startswith("Case opened.")
        assert "nothing is downloaded" in window.statusBar().currentMessage()
        assert await window.case_files.open_path(gaps)
        assert window.banner.isVisible()
        assert "never loaded" in window.banner.message_label.text()

    run(qloop, scenario())
