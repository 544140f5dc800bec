"""Case files from the command line: search --case, --originals, check, offline export."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bingrev_desktop.core.case import LinkState, sha256
from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.demo import DemoEngine

from .test_case_evidence import need_unshare, seed_of
from .test_cli import ROOT, cli
from .test_exports import offline_browser


def test_search_into_a_case_keeps_every_thumbnail_and_exports_offline(
        demo_engine: DemoEngine, tmp_path: Path) -> None:
    need_unshare()
    case_path = tmp_path / "cli.bingrev"
    url = demo_engine.query_image_url("city")
    done = cli("search", url, "--count", "150", "--case", str(case_path),
               base=demo_engine.base_url, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"Saved search 1 to {case_path}: 150 pictures kept." in done.stdout
    assert oct(case_path.stat().st_mode & 0o777) == "0o600"
    record = load_case(case_path).searches[0]
    assert len(record.response.results) == 150
    assert record.picture_states() == (150, 0, 0)
    # A second search goes into the same file.
    again = cli("search", demo_engine.query_image_url("sunset"), "--count", "5",
                "--case", str(case_path), base=demo_engine.base_url)
    assert again.returncode == 0 and "Saved search 2" in again.stdout

    report = tmp_path / "report.html"
    exported = subprocess.run(  # the export itself, with no network at all
        ["unshare", "-n", sys.executable, "-m", "bingrev_desktop", "export", str(case_path),
         "--html", str(report)], env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    dom = offline_browser("--virtual-time-budget=8000", "--dump-dom", report.as_uri(),
                          cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    cards = re.findall(r'<div class="card[^"]*"[^>]*><div class="thumb"><img ', dom.stdout)
    assert len(cards) == 155
    assert 'data-broken-images="0"' in dom.stdout


def test_originals_and_check_from_the_command_line(demo_engine: DemoEngine,
                                                  tmp_path: Path) -> None:
    case_path = tmp_path / "watch.bingrev"
    url = demo_engine.query_image_url("lighthouse")
    refused = cli("search", url, "--originals", base=demo_engine.base_url)
    assert refused.returncode == 2 and "--originals goes with --case" in refused.stderr
    done = cli("search", url, "--count", "12", "--case", str(case_path), "--originals",
               base=demo_engine.base_url)
    assert done.returncode == 0, done.stderr
    record = load_case(case_path).searches[0]
    assert len(record.originals) == 12 and all(c.ok for c in record.originals.values())
    for copy in record.originals.values():
        assert copy.sha256 == sha256(demo_engine.image_bytes(copy.url))

    seeds = [seed_of(i.image_url or "") for i in record.response.results]
    unique = [i for i, s in zip(record.response.results, seeds, strict=True)
              if seeds.count(s) == 1]
    demo_engine.remove_image(seed_of(unique[0].image_url or ""))
    demo_engine.change_image(seed_of(unique[1].image_url or ""))
    checked = cli("check", str(case_path), base=demo_engine.base_url, key=None)
    assert checked.returncode == 0, checked.stderr
    assert re.search(r"Link check 1 saved to .*: \d+ still there, 1 gone, 1 changed\.",
                     checked.stdout), checked.stdout
    check = load_case(case_path).checks[0]
    bad = {(r.position, r.state) for r in check.results if r.state is not LinkState.OK}
    assert bad == {(unique[0].position, LinkState.GONE), (unique[1].position, LinkState.CHANGED)}

    missing = cli("check", str(tmp_path / "nope.bingrev"), key=None)
    assert missing.returncode == 1 and "could not be read" in missing.stderr
