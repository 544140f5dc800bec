"""Copy groups on the command line and in the exports: ``search --json`` groups the
engine's families, ``search --case`` stores the fingerprints, and the JSON, CSV and
HTML exports carry the groups (the report's groups fold open, likely original first)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.core.response import parse_response
from bingrev_desktop.demo import DemoEngine

from .test_cli import cli
from .test_copies_window import engine_families, expected_originals, same_partition
from .test_exports import offline_browser


def test_search_json_groups_the_engines_families(demo_engine: DemoEngine) -> None:
    done = cli("search", demo_engine.query_image_url("portrait"), "--count", "60", "--json",
               base=demo_engine.base_url, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    raw = answer["related_content"]
    families = engine_families(raw, {i["thumbnail"] for i in raw})
    copies = {int(p): c for p, c in answer["copies"].items()}
    assert same_partition({p: c["group"] for p, c in copies.items()}, families)
    items = parse_response(answer).results
    assert {p for p, c in copies.items() if c["likely_original"]} == expected_originals(
        items, families)
    assert max(c["group_size"] for c in copies.values()) >= 10
    assert all(len(c["fingerprint"]) == 105 for c in copies.values())
    assert len(answer["query_fingerprints"]) == 1  # no crop: the image's own
    same = {p for p, c in copies.items() if c["closeness_to_query"] == "same picture"}
    assert same and {families[p] for p in same} == {"q-portrait"}
    original = next(c for c in copies.values() if c["likely_original"])
    assert "likely original" in original["reasons"]
    # --no-copies: the service's answer alone, no picture downloaded.
    demo_engine.clear_logs()
    bare = cli("search", demo_engine.query_image_url("portrait"), "--count", "5", "--json",
               "--no-copies", base=demo_engine.base_url)
    assert bare.returncode == 0 and "copies" not in json.loads(bare.stdout)
    assert not [p for _m, p in demo_engine.request_log if p.startswith("/thumb/")]


def test_case_and_exports_carry_the_groups(demo_engine: DemoEngine, tmp_path: Path) -> None:
    case_path = tmp_path / "copies.bingrev"
    done = cli("search", demo_engine.query_image_url("mountain"), "--count", "40",
               "--crop", "0.1,0.1,0.9,0.9", "--case", str(case_path),
               base=demo_engine.base_url, timeout=120)
    assert done.returncode == 0, done.stderr
    case = load_case(case_path)
    record = case.searches[0]
    assert record.query_print is not None and "," in record.query_print  # image and crop
    assert all(d in case.prints for d in record.thumbnails.values())
    out = {kind: tmp_path / f"export.{kind}" for kind in ("html", "csv", "json")}
    exported = cli("export", str(case_path), *(f"--{k}={v}" for k, v in out.items()))
    assert exported.returncode == 0, exported.stderr
    families = engine_families(record.response_raw["related_content"], set(record.thumbnails))
    originals = expected_originals(record.response.results, families)

    data = json.loads(out["json"].read_text())["searches"][0]
    groups = {int(p): c["group"] for p, c in data["copies"].items()}
    assert same_partition(groups, families) and len(data["query_fingerprints"]) == 2
    assert {int(p) for p, c in data["copies"].items() if c["likely_original"]} == originals

    rows = list(csv.DictReader(io.StringIO(out["csv"].read_text())))
    assert {int(r["position"]): int(r["copy_group"]) for r in rows} == groups
    assert {int(r["position"]) for r in rows if r["likely_original"] == "yes"} == originals

    dom = offline_browser("--virtual-time-budget=5000", "--dump-dom", out["html"].as_uri(),
                          cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    blocks = re.findall(r"<details><summary>Picture (\d+): (\d+) copies \u00b7 likely "
                        r"original #(\d+)", dom.stdout)
    sizes = {g: list(groups.values()).count(g) for g in set(groups.values())}
    assert sorted((int(g), int(n)) for g, n, _ in blocks) == sorted(
        (g, n) for g, n in sizes.items() if n > 1)
    assert {int(p) for _g, _n, p in blocks} == originals
    # Each group opens on its likely original: the first member shown.
    first_members = re.findall(r'<div class="members"><div class="member original">', dom.stdout)
    assert len(first_members) == len(blocks)
    assert dom.stdout.count('<span class="badge">likely original</span>') == len(originals)
    assert 'data-broken-images="0"' in dom.stdout
