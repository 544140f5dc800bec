"""Opening a case parses the shown search first, in the worker that reads the file;
the other answers are parsed afterwards in workers, never on the GUI thread, and the
history then shows every count and "new / gone" text."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from bingrev_desktop.core import case as case_module
from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.core.response import MAX_RESULTS, parse_response, result_count
from bingrev_desktop.core.series import series_texts, shown_first
from bingrev_desktop.resources import resource_dir
from bingrev_desktop.ui.shell.main_window import MainWindow

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
    assert "Case opened" in window.banner.title_label.text()
