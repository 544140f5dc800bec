"""Remote text with bidi controls cannot reorder the text around it."""

from __future__ import annotations

from bingrev_desktop.core.case import Case
from bingrev_desktop.core.export import html_report
from bingrev_desktop.core.request import SearchRequest
from bingrev_desktop.core.response import parse_response
from bingrev_desktop.ui.results.results_model import describe

RLO = "\u202e"


def payload() -> dict[str, object]:
    return {"search_metadata": {"status": "completed"}, "related_content": [{
        "position": 1, "title": f"photo {RLO}gpj.exe", "domain": f"evil{RLO}moc.example",
        "format": f"jp{RLO}eg", "width": 10, "height": 10,
        "thumbnail": "https://t.example.org/1.png"}]}


def test_report_isolates_remote_text() -> None:
    case = Case()
    case.add_search(SearchRequest.create("https://example.org/a.png"),
                    parse_response(payload()), elapsed=1)
    report = html_report(case)
    assert f"<bdi>evil{RLO}moc.example</bdi>" in report
    assert f"<bdi>photo {RLO}gpj.exe</bdi>" in report


def test_grid_text_is_isolated() -> None:
    item = parse_response(payload()).results[0]
    text = describe(item)
    for remote in (f"evil{RLO}moc.example", f"photo {RLO}gpj.exe", f"JP{RLO}EG"):
        assert f"\u2068{remote}\u2069" in text
