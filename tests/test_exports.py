"""Exports: HTML report in a real browser with the network off, CSV, JSON, CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.core.export import csv_report, html_report, json_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.bingrev"
REQUIRED = os.environ.get("BINGREV_REQUIRE_SECRET_SERVICE") == "1"  # tests/run.sh (CI)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if REQUIRED:
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("chromium not installed")
    return path


def offline_browser(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Headless Chromium inside a network namespace with no network at all."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={cwd / 'chromium-profile'}", *args]
    return subprocess.run(["unshare", "-n", *command], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_html_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    case = load_case(SAMPLE)
    report = tmp_path / "report.html"
    report.write_text(html_report(case), encoding="utf-8")
    dom = offline_browser("--virtual-time-budget=5000", "--dump-dom", report.as_uri(),
                          cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None
    images = int(re.search(r'data-images="(\d+)"', body.group(0)).group(1))  # type: ignore[union-attr]
    broken = int(re.search(r'data-broken-images="(\d+)"', body.group(0)).group(1))  # type: ignore[union-attr]
    stored = sum(len(s.thumbnails) for s in case.searches) + len(case.searches)
    assert images >= stored > 10
    assert broken == 0
    shot = tmp_path / "report.png"
    done = offline_browser("--window-size=1280,1800", f"--screenshot={shot}",
                           "--virtual-time-budget=5000", report.as_uri(), cwd=tmp_path)
    assert done.returncode == 0 and shot.stat().st_size > 20_000
    if os.environ.get("BINGREV_SCREENSHOT_DIR"):
        shutil.copy(shot, Path(os.environ["BINGREV_SCREENSHOT_DIR"]) / "html-report.png")


def test_html_escapes_remote_text() -> None:
    case = load_case(SAMPLE)
    record = case.searches[0]
    item = record.response_raw["related_content"][0]
    item["title"] = 'Tom & Jerry <3 "quotes" <script>alert("x")</script><img src=x onerror=a>'
    item["source"] = "javascript:alert(1)"
    item["domain"] = "<b>evil</b>"
    record._response = None
    record.notes[item["position"]] = "<i>note</i> & more"
    case.note = "<h1>case</h1>"
    page = html_report(case)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "Tom &amp; Jerry &lt;3 &quot;quotes&quot; alert(&quot;x&quot;)" in page
    assert 'href="javascript:' not in page
    assert "&lt;b&gt;evil&lt;/b&gt;" in page and "&lt;i&gt;note&lt;/i&gt; &amp; more" in page
    assert "default-src 'none'" in page  # the report may load nothing from the network


def test_csv_and_json() -> None:
    case = load_case(SAMPLE)
    case.searches[0].response_raw["related_content"][0]["title"] = "=HYPERLINK(\"x\")"
    case.searches[0]._response = None
    rows = list(csv.DictReader(io.StringIO(csv_report(case))))
    assert len(rows) == sum(len(s.response.results) for s in case.searches)
    assert rows[0]["title"].startswith("'=")  # formulas are neutralised
    starred = [r for r in rows if r["starred"] == "yes"]
    assert len(starred) == sum(len(s.stars) for s in case.searches)
    assert any(r["note"] for r in rows)
    data = json.loads(json_report(case))
    assert len(data["searches"]) == 8
    assert [s["sweep"] for s in data["searches"]] == [None] * 4 + [1] * 4
    assert data["searches"][2]["pivot_from"] == {"search": 1, "position":
                                                 case.searches[2].parent_position}
    assert data["searches"][0]["query_image_sha256"] == case.searches[0].preview_sha256


def test_export_cli(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = [tmp_path / "r.html", tmp_path / "r.csv", tmp_path / "r.json"]
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "export", str(SAMPLE),
                           "--html", str(outputs[0]), "--csv", str(outputs[1]),
                           "--json", str(outputs[2])],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert all(p.stat().st_size > 100 for p in outputs)
    bad = tmp_path / "bad.bingrev"
    bad.write_text("not a case")
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "export", str(bad),
                           "--html", str(tmp_path / "x.html")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and "not a case file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.html").exists()
