"""Market sweeps and re-runs from the command line, against the demo engine's known
answers (``DemoEngine.answer_urls``)."""

from __future__ import annotations

import json
from pathlib import Path

from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.core.series import changes
from bingrev_desktop.demo import DemoEngine, Fault

from .test_cli import cli

MARKETS = ["de-DE", "fr-FR", "ja-JP", "en-US"]


def test_a_sweep_lists_every_result_with_its_markets(demo_engine: DemoEngine,
                                                      tmp_path: Path) -> None:
    url = demo_engine.query_image_url("lighthouse")
    case_path = tmp_path / "sweep.bingrev"
    args = [a for m in MARKETS for a in ("--mkt", m)]
    done = cli("search", url, *args, "--count", "20", "--json", "--case", str(case_path),
               base=demo_engine.base_url)
    assert done.returncode == 0, done.stderr
    assert "Sweep of 4 markets: 4 searches, about 4 credits." in done.stderr
    data = json.loads(done.stdout)
    known = {m: demo_engine.answer_urls(url, mkt=m, count=20) for m in MARKETS}
    expected: dict[str, list[str]] = {}
    for market in MARKETS:
        for address in known[market]:
            expected.setdefault(address, []).append(market)
    assert {r["image"]: sorted(r["markets"]) for r in data["results"]} == {
        k: sorted(v) for k, v in expected.items()}
    for market in MARKETS:
        others = set().union(*(set(known[m]) for m in MARKETS if m != market))
        assert data["markets"][market]["results"] == 20
        assert data["markets"][market]["unique"] == len(set(known[market]) - others)
    case = load_case(case_path)
    assert len(case.searches) == 4 and {s.sweep for s in case.searches} == {1}
    assert sorted(s.market for s in case.searches) == sorted(MARKETS)


def test_regions_and_a_failing_market(demo_engine: DemoEngine) -> None:
    url = demo_engine.query_image_url("city")
    demo_engine.set_fault(Fault("status", status=400, times=1))  # one market fails
    done = cli("search", url, "--mkt", "Middle East and Africa", "--mkt", "en-GB",
               "--count", "5", base=demo_engine.base_url)
    assert done.returncode == 1
    assert "2 searches" in done.stderr and "failed" in done.stderr
    bad = cli("search", url, "--mkt", "atlantis", base=demo_engine.base_url)
    assert bad.returncode == 2 and "not a Bing market or region" in bad.stderr


def test_rerun_reports_new_and_gone(demo_engine: DemoEngine, tmp_path: Path) -> None:
    url = demo_engine.query_image_url("mountain")
    case_path = tmp_path / "watch.bingrev"
    first = cli("search", url, "--mkt", "en-GB", "--count", "35", "--case", str(case_path),
                base=demo_engine.base_url)
    assert first.returncode == 0, first.stderr
    runs = [demo_engine.answer_urls(url, mkt="en-GB", count=35, run=r) for r in range(3)]
    for run in (1, 2):
        again = cli("rerun", str(case_path), base=demo_engine.base_url)
        assert again.returncode == 0, again.stderr
        seen = set().union(*map(set, runs[:run]))
        new, gone = set(runs[run]) - seen, seen - set(runs[run])
        assert f"en-GB: +{len(new)} new, \u2212{len(gone)} gone" in again.stdout
        case = load_case(case_path)
        found = changes(case, case.searches[-1])
        assert found.new == new
        assert {s.item.image_url for s in found.gone} == gone
    assert len(load_case(case_path).searches) == 3
