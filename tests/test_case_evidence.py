"""Complete case files: every picture kept, full-size copies, link checks (issue 8).

Everything runs against the real demo engine over loopback; offline proofs run
in a child process inside ``unshare -n``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bingrev_desktop.core.case import LinkState, sha256
from bingrev_desktop.core.casefile import SCHEMA_VERSION, load_case, save_case
from bingrev_desktop.core.export import csv_report, html_report, json_report
from bingrev_desktop.core.settings import SiteContact
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.common import next_turn
from bingrev_desktop.ui.results.keys import LinkRole
from bingrev_desktop.ui.results.thumbnails import ThumbState
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .offline_child import offline_window_script
from .test_exports import offline_browser
from .test_window import run, search_and_wait, show_and_wait

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.bingrev"
VERSION_1 = ROOT / "tests" / "fixtures" / "case-version-1.bingrev"  # the sample as first shipped
REQUIRED = os.environ.get("BINGREV_REQUIRE_SECRET_SERVICE") == "1"


def need_unshare() -> None:
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-n", "true"], capture_output=True).returncode != 0:
        if REQUIRED:
            pytest.fail("unshare -n is not available")
        pytest.skip("unshare -n needs root")


def seed_of(url: str) -> str:
    match = re.search(r"/(?:img|thumb)/([a-z0-9-]+)\.png", url)
    assert match, url
    return match.group(1)


async def fill_done(window: MainWindow, timeout: float = 60.0) -> None:
    record = window.session.current
    assert record is not None
    await wait_until(lambda: not record.missing_thumbnails() and not window.loader.busy,
                     timeout=timeout, message="background fill")


async def search_and_fill(window: MainWindow, engine: DemoEngine, image: str,
                          count: int) -> None:
    """Show a demo image, search ``count`` results and wait until every picture is kept."""
    await show_and_wait(window, engine.query_image_url(image))
    window.search_panel.count_spin.setValue(count)
    await search_and_wait(window)
    await fill_done(window)


def star_row(window: MainWindow, row: int) -> None:
    panel = window.results_panel
    panel.view.setCurrentIndex(panel.proxy.index(row, 0))
    window.details.star.setChecked(True)


def answer_consent(window: MainWindow, *, allow: bool = True, remember: bool = False) -> None:
    box = window.evidence.consent_dialog
    assert box is not None, "the user must be asked before any site is contacted"
    assert "may see" in box.informativeText()
    box.checkBox().setChecked(remember)
    wanted = "Contact the sites" if allow else "Not now"
    next(b for b in box.buttons() if b.text() == wanted).click()


# -- every thumbnail kept ------------------------------------------------------------------

OFFLINE_TILES = offline_window_script(r"""
out["opened"] = window.statusBar().currentMessage()  # a complete case: no banner
model = window.results_panel.model
urls = [model.item(r).thumbnail_url for r in range(model.rowCount())]
for url in urls:  # as if every tile had been scrolled into view
    window.loader.request(url)
for _ in range(200):
    states = [window.loader.state(u) for u in urls]
    if all(s in (ThumbState.READY, ThumbState.NOT_SAVED, ThumbState.FAILED) for s in states):
        break
    await asyncio.sleep(0.05)
out["rows"] = model.rowCount()
out["states"] = [s.value for s in states]
out["fill"] = window.results_panel.fill_label.text()
""")


def test_background_fill_keeps_every_picture_for_offline_use(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        tmp_path: Path) -> None:
    need_unshare()
    path = tmp_path / "complete.bingrev"

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("lighthouse"))
        window.search_panel.count_spin.setValue(150)
        await search_and_wait(window)  # no scrolling: only the first screen is painted
        await fill_done(window)
        assert window.results_panel.fill_label.text().startswith("All ")
        assert "kept in the case" in window.statusBar().currentMessage()
        assert await window.case_files._save(path)

    run(qloop, scenario())
    case = load_case(path)
    record = case.searches[0]
    assert len(record.response.results) == 150
    assert not record.missing_thumbnails() and not record.thumbnail_failures
    report = tmp_path / "report.html"
    report.write_text(html_report(case), encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", OFFLINE_TILES, str(path),
                           str(tmp_path / "offline.ini")],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2500:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == 150
    assert result["states"] == ["ready"] * 150  # every tile shows a picture
    assert "150 result pictures kept" in result["opened"]
    assert result["fill"].startswith("All ")

    dom = offline_browser("--virtual-time-budget=8000", "--dump-dom", report.as_uri(),
                          cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    cards = re.findall(r'<div class="card[^"]*"[^>]*><div class="thumb"><img ', dom.stdout)
    assert len(cards) == 150
    assert 'data-broken-images="0"' in dom.stdout


def test_failed_pictures_are_recorded_with_reason_and_time(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        tmp_path: Path) -> None:
    async def scenario() -> None:
        await search_and_fill(window, demo_engine, "city", 12)

    from bingrev_desktop.demo.faults import Fault
    demo_engine.set_fault(Fault("broken_thumbnails", times=3))
    run(qloop, scenario())
    record = window.session.current
    assert record is not None
    assert len(record.thumbnail_failures) == 3
    for failure in record.thumbnail_failures.values():
        assert "404" in failure.reason and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]+Z", failure.at)
    failed_urls = set(record.thumbnail_failures)
    states = {window.loader.state(u) for u in failed_urls}
    assert states <= {ThumbState.FAILED, ThumbState.UNKNOWN}
    path = tmp_path / "failures.bingrev"
    save_case(window.session.case, path)
    loaded = load_case(path).searches[0]
    assert loaded.thumbnail_failures == record.thumbnail_failures
    assert "could not be loaded" in html_report(load_case(path))


def test_visible_tiles_jump_the_background_queue(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine) -> None:
    demo_engine.set_image_latency(0.05)

    async def scenario() -> tuple[list[str], set[str], list[str]]:
        await show_and_wait(window, demo_engine.query_image_url("mountain"))
        window.search_panel.count_spin.setValue(150)
        await search_and_wait(window)
        await wait_until(lambda: len(window.loader.arrivals) >= 12, message="first tiles")
        view = window.results_panel.view
        queued = set(window.loader._background)  # still waiting in the background fill
        view.scrollToBottom()
        view.viewport().repaint()  # paints the tiles now on screen: they request themselves
        visible = [u for r in range(150)
                   if view.visualRect(window.results_panel.proxy.index(r, 0)).intersects(
                       view.viewport().rect())
                   and (u := window.results_panel.model.item(r).thumbnail_url)]
        await wait_until(lambda: all(window.loader.image(u) is not None for u in visible),
                         timeout=30, message="visible tiles")
        return list(window.loader.arrivals), queued, visible

    arrivals, queued, visible = run(qloop, scenario())
    assert queued, "the background fill was still queued when the user scrolled"
    jumped = [u for u in visible if u in queued]  # on screen now, but queued behind others
    assert jumped
    last_visible = max(arrivals.index(u) for u in jumped)
    background_before = [u for u in arrivals[:last_visible] if u in queued
                         and u not in visible]
    assert background_before == [], "a background tile arrived before a visible one"


def test_a_new_searchs_tiles_on_screen_arrive_before_its_background_fill(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine) -> None:
    """The tiles on screen take the first download slots of a new search; every other
    picture of the fill comes after them (issue: speed, visible tiles)."""
    demo_engine.set_image_latency(0.05)

    async def scenario() -> tuple[list[str], list[str]]:
        await show_and_wait(window, demo_engine.query_image_url("sunset"))
        window.search_panel.count_spin.setValue(150)
        await search_and_wait(window)
        view = window.results_panel.view
        await wait_until(lambda: bool(window.loader.arrivals), message="first tile")
        visible = [u for r in range(window.results_panel.proxy.rowCount())
                   if view.visualRect(window.results_panel.proxy.index(r, 0)).intersects(
                       view.viewport().rect())
                   and (u := window.results_panel.model.item(r).thumbnail_url)]
        await wait_until(lambda: all(window.loader.image(u) is not None for u in visible),
                         timeout=30, message="visible tiles")
        return list(window.loader.arrivals), visible

    arrivals, visible = run(qloop, scenario())
    assert len(visible) >= 6
    last_visible = max(arrivals.index(u) for u in visible)
    assert [u for u in arrivals[:last_visible] if u not in visible] == [], \
        "a picture off screen arrived before the tiles on screen"


# -- full-size copies --------------------------------------------------------------------

OFFLINE_COPIES = r"""
import hashlib, json, sys
from bingrev_desktop.core.casefile import load_case
case = load_case(sys.argv[1])
record = case.searches[0]
out = {str(p): {"url": c.url, "sha256": c.sha256,
                "bytes_sha256": hashlib.sha256(case.original(record, p) or b"").hexdigest(),
                "status": c.status, "size": c.size, "at": c.fetched_at,
                "type": c.content_type, "final": c.final_url}
       for p, c in record.originals.items()}
print(json.dumps({"copies": out, "stars": sorted(record.stars)}))
"""


def test_starring_keeps_a_full_size_copy_that_matches_what_was_served(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        tmp_path: Path) -> None:
    need_unshare()
    path = tmp_path / "copies.bingrev"
    assert window.settings.site_contact is SiteContact.ASK

    async def scenario() -> None:
        await search_and_fill(window, demo_engine, "portrait", 10)
        demo_engine.clear_logs()
        panel = window.results_panel
        star_row(window, 0)
        # Nothing is fetched from the hosting site before the user agrees.
        assert not [p for _m, p in demo_engine.request_log if p.startswith("/img/")]
        answer_consent(window, allow=True, remember=True)
        assert window.settings.site_contact is SiteContact.ALWAYS
        for row in (3, 5):  # remembered: no second question
            panel.view.setCurrentIndex(panel.proxy.index(row, 0))
            window.details.star.setChecked(True)
            assert window.evidence.consent_dialog is None
        record = window.session.current
        assert record is not None
        await wait_until(lambda: len(record.originals) == 3 and not window.evidence.busy,
                         timeout=30, message="copies")
        assert window.details.copy_hash.text() == record.originals[
            panel.model.item(5).position].sha256
        assert await window.case_files._save(path)

    run(qloop, scenario())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", OFFLINE_COPIES, str(path)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert len(result["copies"]) == 3 and len(result["stars"]) == 3
    for copy in result["copies"].values():
        served = demo_engine.image_bytes(copy["url"])
        assert copy["sha256"] == copy["bytes_sha256"] == sha256(served)
        assert copy["status"] == 200 and copy["size"] == len(served)
        assert copy["type"] == "image/png" and copy["final"] == copy["url"]
        assert copy["at"].endswith("Z")
    # The report embeds the starred copies, and the exports carry the hashes.
    case = load_case(path)
    report = html_report(case)
    assert report.count('class="original"') == 3 and "Download the original" in report
    for copy in result["copies"].values():
        assert copy["sha256"] in report and copy["sha256"] in csv_report(case)
        assert copy["sha256"] in json_report(case)


def test_never_contacting_sites_keeps_no_copy_and_sends_nothing(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine) -> None:
    window.settings.site_contact = SiteContact.NEVER

    async def scenario() -> None:
        await search_and_fill(window, demo_engine, "sunset", 6)
        demo_engine.clear_logs()
        star_row(window, 0)
        window.evidence.check_links()
        await asyncio.sleep(0.3)

    run(qloop, scenario())
    record = window.session.current
    assert record is not None and record.stars and not record.originals
    assert window.evidence.consent_dialog is None and not window.session.case.checks
    assert "not contacted" in window.banner.title_label.text()
    assert [p for _m, p in demo_engine.request_log if not p.startswith("/thumb/")] == []


def test_keep_all_asks_with_count_and_size(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine) -> None:
    window.settings.site_contact = SiteContact.ALWAYS

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        window.search_panel.count_spin.setValue(8)
        await search_and_wait(window)
        window.evidence.keep_all(window.session.current)
        box = window.evidence.confirm_dialog
        assert box is not None
        assert "8 results" in box.text()
        assert re.search(r"about \d+ (KB|MB)", box.informativeText())
        next(b for b in box.buttons() if b.text() == "Keep copies").click()
        record = window.session.current
        assert record is not None
        await wait_until(lambda: len(record.originals) == 8 and not window.evidence.busy,
                         timeout=30, message="all copies")
        assert all(c.ok for c in record.originals.values())

    run(qloop, scenario())


# -- link checks ---------------------------------------------------------------------------

def test_link_check_finds_gone_and_changed(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        tmp_path: Path) -> None:
    window.settings.site_contact = SiteContact.ALWAYS
    path = tmp_path / "aged.bingrev"

    async def scenario() -> None:
        await search_and_fill(window, demo_engine, "lighthouse", 10)
        panel = window.results_panel
        items = panel.model.items()
        seeds = [seed_of(i.image_url or "") for i in items]
        rows = [r for r, s in enumerate(seeds) if seeds.count(s) == 1][:2]  # not shared
        for row in rows:
            panel.view.setCurrentIndex(panel.proxy.index(row, 0))
            window.details.star.setChecked(True)
        record = window.session.current
        assert record is not None
        await wait_until(lambda: len(record.originals) == 2 and not window.evidence.busy,
                         timeout=30, message="copies")
        await window.evidence.start_check()
        first = window.session.case.checks[-1]
        assert first.count(LinkState.GONE) == first.count(LinkState.CHANGED) == 0
        demo_engine.clear_logs()
        gone, changed = panel.model.item(rows[0]), panel.model.item(rows[1])
        demo_engine.remove_image(seed_of(gone.image_url or ""))
        demo_engine.change_image(seed_of(changed.image_url or ""))
        await window.evidence.start_check()
        assert not [m for m in demo_engine.request_log if m[1].startswith("/v1/")]
        second = window.session.case.checks[-1]
        states = {(r.position, r.kind): r for r in second.results if r.state is not LinkState.OK}
        assert set(states) == {(gone.position, "image"), (changed.position, "image")}
        assert states[(gone.position, "image")].state is LinkState.GONE
        assert states[(gone.position, "image")].status == 404
        assert states[(changed.position, "image")].state is LinkState.CHANGED
        # In the window: badges, the filter, the history and the details.
        assert panel.model.index(rows[0]).data(LinkRole) is LinkState.GONE
        assert panel.model.index(rows[1]).data(LinkRole) is LinkState.CHANGED
        panel.changed_only.setChecked(True)
        assert panel.proxy.rowCount() == 2
        await wait_until(lambda: not next_turn.pending(), message="history drawn")
        history = [window.history.list.item(i).text()
                   for i in range(window.history.list.count())]
        assert any("Link check 2" in t and "1 gone, 1 changed" in t for t in history)
        panel.view.setCurrentIndex(panel.proxy.mapFromSource(panel.model.index(rows[0])))
        assert "Image: gone" in window.details.links_info.text()
        window.grab().save(str(tmp_path / "link-check.png"))
        assert await window.case_files._save(path)

    run(qloop, scenario())
    case = load_case(path)
    assert [c.id for c in case.checks] == [1, 2]
    last = case.checks[-1]
    found = {r.state for r in last.results}
    assert found == {LinkState.OK, LinkState.GONE, LinkState.CHANGED}
    assert all(r.checked_at.endswith("Z") for r in last.results)
    report = html_report(case)
    assert 'class="link gone"' in report and 'class="link changed"' in report
    assert "Image: gone" in report and "checked 20" in report
    assert "changed" in csv_report(case) and '"state": "gone"' in json_report(case)
    if os.environ.get("BINGREV_SCREENSHOT_DIR"):
        shutil.copy(tmp_path / "link-check.png",
                    Path(os.environ["BINGREV_SCREENSHOT_DIR"]) / "link-check.png")


# -- file format ---------------------------------------------------------------------------

def test_version_1_case_opens_and_is_upgraded_on_save(tmp_path: Path) -> None:
    with sqlite3.connect(VERSION_1) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1  # a file of the first release
    case = load_case(VERSION_1)
    kept_before = sum(len(s.thumbnails) for s in case.searches)
    target = tmp_path / "upgraded.bingrev"
    save_case(case, target)
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    again = load_case(target)
    assert sum(len(s.thumbnails) for s in again.searches) == kept_before
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_keep_selected_results_and_save_the_kept_copy(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        tmp_path: Path) -> None:
    """Several selected results get copies (Evidence menu, Ctrl+K); "Save image…" then
    writes the kept bytes, not a new download."""
    from PySide6.QtCore import QItemSelectionModel

    window.settings.site_contact = SiteContact.ALWAYS
    target = tmp_path / "saved.png"

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        window.search_panel.count_spin.setValue(8)
        await search_and_wait(window)
        panel = window.results_panel
        selection = panel.view.selectionModel()
        for row in (0, 2, 4):
            selection.select(panel.proxy.index(row, 0),
                             QItemSelectionModel.SelectionFlag.Select)
        menu = next(m for m in window.menuBar().actions() if m.text() == "E&vidence").menu()
        next(a for a in menu.actions() if a.text().startswith("Keep full-size copies of the "
                                                             "selected")).trigger()
        record = window.session.current
        assert record is not None
        await wait_until(lambda: len(record.originals) == 3 and not window.evidence.busy,
                         timeout=30, message="copies")
        item = panel.model.item(2)
        demo_engine.clear_logs()
        copy = record.originals[item.position]
        await window.evidence_view.save_to(copy.url, str(target), copy.sha256)
        # Written from the case, not downloaded again (thumbnails may still be filling).
        assert not [p for _m, p in demo_engine.request_log if p.startswith("/img/")]
        assert sha256(target.read_bytes()) == copy.sha256

    run(qloop, scenario())
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_stopping_the_fill_records_no_false_failures(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine) -> None:
    """Leaving a search while its pictures load (another search, another case) stops the
    fill; the pictures it did not get are "never loaded", not "could not be loaded"."""
    demo_engine.set_image_latency(0.2)

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("city"))
        window.search_panel.count_spin.setValue(60)
        await search_and_wait(window)
        await wait_until(lambda: len(window.loader.arrivals) >= 5, message="some pictures")
        await window.loader.cancel_and_wait()

    run(qloop, scenario())
    record = window.session.current
    assert record is not None and record.missing_thumbnails()
    assert record.thumbnail_failures == {}
