"""Cases through the real window: save, reopen with no network, restore, exports."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.core.request import Crop
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.results.thumbnails import ThumbState
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .offline_child import offline_window_script
from .test_window import run, search_and_wait, show_and_wait
from .ui_helpers import close_window, make_window

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = os.environ.get("BINGREV_REQUIRE_SECRET_SERVICE") == "1"  # set by tests/run.sh


async def all_visible_thumbnails(window: MainWindow, rows: int) -> None:
    model = window.results_panel.model

    def done() -> bool:
        states = [window.loader.state(model.item(r).thumbnail_url or "") for r in range(rows)]
        return all(s is ThumbState.READY for s in states)

    await wait_until(done, message="thumbnails")


async def build_case(window: MainWindow, engine: DemoEngine, path: Path) -> None:
    """Two searches and a pivot, with stars and notes, saved to ``path``."""
    from bingrev_desktop.core.settings import SiteContact

    window.settings.site_contact = SiteContact.ALWAYS  # the pivot's preview is kept too
    await show_and_wait(window, engine.query_image_url("lighthouse"))
    window.search_panel.count_spin.setValue(8)
    await search_and_wait(window)
    await all_visible_thumbnails(window, 4)
    window.results_panel.view.setCurrentIndex(window.results_panel.proxy.index(1, 0))
    window.details.star.setChecked(True)
    window.details.note.setPlainText("Posted a day earlier than the others")
    window.history.note.setPlainText("Case note: where did the lighthouse photo start?")
    await show_and_wait(window, engine.query_image_url("city"))
    window.search_panel.market_combo.set_market("fr-FR")
    window.search_panel.set_crop(Crop(0.2, 0.1, 0.8, 0.9))
    await search_and_wait(window)
    await all_visible_thumbnails(window, 2)
    item = window.results_panel.model.item(2)
    window.pivot(item)
    await wait_until(lambda: len(window.session.case.searches) == 3, message="pivot recorded")
    await window.controller.wait_idle()
    await all_visible_thumbnails(window, 2)
    await wait_until(lambda: not window.images.busy, message="thumbnails settle")
    assert await window.case_files._save(path)


OFFLINE_CHECK = offline_window_script(r"""
history = [window.history.list.item(i).text() for i in range(window.history.list.count())]
out["history"] = history
trail = []
for record in window.session.case.searches:
    window.case_view.show_record(record)
    await window.controller.wait_idle()
    model = window.results_panel.model
    for r in range(model.rowCount()):  # as if every tile had been scrolled into view
        window.loader.request(model.item(r).thumbnail_url or "")
    for _ in range(100):
        states = [window.loader.state(model.item(r).thumbnail_url or "")
                  for r in range(model.rowCount())]
        if all(s in (ThumbState.READY, ThumbState.NOT_SAVED, ThumbState.FAILED)
               for s in states):
            break
        window.results_panel.view.viewport().repaint()
        await asyncio.sleep(0.05)
    urls = [model.item(r).thumbnail_url or "" for r in range(model.rowCount())]
    mismatched = [u for u, st in zip(urls, states)
                  if (st is ThumbState.READY) != (u in record.thumbnails)]
    trail.append({"rows": model.rowCount(), "stars": sorted(model.stars),
                  "mismatched": mismatched, "stored": len(record.thumbnails),
                  "notes": model.notes,
                  "states": sorted(s.value for s in states),
                  "preview": window.controller.preview is not None,
                  "crop": None if window.search_panel.crop() is None else
                          window.search_panel.crop().as_params(),
                  "parent": record.parent_id})
out["trail"] = trail
out["case_note"] = window.history.note.toPlainText()
window.grab().save(sys.argv[3])
""")


def test_save_and_reopen_offline(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                                 tmp_path: Path) -> None:
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-n", "true"], capture_output=True).returncode != 0:
        if REQUIRED:
            pytest.fail("unshare -n is not available")
        pytest.skip("unshare -n needs root")
    window = make_window(demo_engine, tmp_path)
    path = tmp_path / "harbour.bingrev"
    try:
        run(qloop, build_case(window, demo_engine, path))
        assert window.windowTitle().startswith("harbour")
        assert not window.session.dirty
        saved = window.session.case
        expected_thumbs = [len(s.thumbnails) for s in saved.searches]
    finally:
        run(qloop, close_window(window))
    assert expected_thumbs[0] >= 2 and expected_thumbs[1] >= 1  # rows may share a thumbnail
    shot = tmp_path / "offline.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", OFFLINE_CHECK, str(path),
         str(tmp_path / "offline.ini"), str(shot)],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[done.stderr.find("Current thread"):][:2500]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    first, second, third = result["trail"]
    assert [t["rows"] for t in result["trail"]] == [8, 8, 8]
    assert first["crop"] is None and third["crop"] is None
    assert second["crop"] == {"cal": "0.2", "cat": "0.1", "car": "0.8", "cab": "0.9"}
    assert first["stars"] and list(first["notes"].values()) == [
        "Posted a day earlier than the others"]
    assert all(t["preview"] for t in result["trail"])
    assert third["parent"] == 2 and result["history"][2].startswith("\u21b3 3.")
    assert "from result #3 of search 2" in result["history"][2]
    assert result["case_note"] == "Case note: where did the lighthouse photo start?"
    for trail, stored in zip(result["trail"], expected_thumbs, strict=True):
        # Stored thumbnails show; the never-loaded ones say "not saved", none failed
        # (a network attempt inside unshare -n would have failed).
        assert trail["stored"] == stored
        assert trail["mismatched"] == []
        assert "ready" in trail["states"] and "failed" not in trail["states"]
        assert set(trail["states"]) <= {"ready", "not saved"}
    if os.environ.get("BINGREV_SCREENSHOT_DIR"):
        shutil.copy(shot, Path(os.environ["BINGREV_SCREENSHOT_DIR"]) / "offline-case.png")


def test_restore_after_crash(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                             tmp_path: Path) -> None:
    crashed = make_window(demo_engine, tmp_path)

    async def work_then_crash() -> None:
        await show_and_wait(crashed, demo_engine.query_image_url("mountain"))
        await search_and_wait(crashed)
        await crashed.session.autosave()

    run(qloop, work_then_crash())
    assert crashed.session.autosave_file.is_file()
    # The "crash": the window is never closed normally; a new one starts.
    run(qloop, close_window_without_cleanup(crashed))
    fresh = make_window(demo_engine, tmp_path)
    try:
        async def restore() -> None:
            box = await fresh.case_files.offer_restore()
            assert box is not None and box.text().startswith("The app did not close")
            restore_button = next(b for b in box.buttons() if b.text() == "Restore")
            restore_button.click()
            await wait_until(lambda: len(fresh.session.case.searches) == 1, message="restored")

        run(qloop, restore())
        assert fresh.session.dirty and fresh.results_panel.model.rowCount() == 35
        assert fresh.windowTitle().startswith("*")
    finally:
        run(qloop, close_window(fresh))


async def close_window_without_cleanup(window: MainWindow) -> None:
    window.session.stop_autosave()  # the "crashed" process runs no more timers
    await window.loader.cancel_and_wait()
    await window.session.tasks.cancel_all()
    await window.controller.service.aclose()
    window.hide()
    window.deleteLater()


def test_open_bad_file_in_window(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                                 tmp_path: Path) -> None:
    window = make_window(demo_engine, tmp_path)
    bad = tmp_path / "broken.bingrev"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    try:
        ok = run(qloop, window.case_files.open_path(bad))
        assert ok is False
        assert window.banner.title_label.text() == "Cannot open this case file"
        assert window.session.case.searches == [] and window.session.path is None
    finally:
        run(qloop, close_window(window))


def test_close_asks_to_save(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                            tmp_path: Path) -> None:
    window = make_window(demo_engine, tmp_path)
    try:
        async def scenario() -> None:
            await show_and_wait(window, demo_engine.query_image_url("city"))
            await search_and_wait(window)

        run(qloop, scenario())
        assert window.session.dirty
        window.close()
        assert window.isVisible()  # not closed: it asks first
        box = window.case_files.last_dialog
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert "not saved" in box.text()
        next(b for b in box.buttons() if b.text() == "Don't save").click()
        assert not window.isVisible()
    finally:
        run(qloop, close_window(window))


def test_sample_case_is_valid() -> None:
    case = load_case(ROOT / "resources" / "samples" / "sample.bingrev")
    assert len(case.searches) == 8 and case.searches[2].parent_id == 1
    assert case.searches[3].request_body == case.searches[0].request_body  # run again
    assert [s.sweep for s in case.searches[4:]] == [1] * 4  # one sweep, four countries
    for search in case.searches:
        urls = {r.thumbnail_url for r in search.response.results if r.thumbnail_url}
        assert urls and urls == set(search.thumbnails)
    assert case.searches[0].stars and case.note


CLAIM = r"""
import sys, time
from pathlib import Path
from bingrev_desktop.ui.case.case_session import claim_autosave_slot
path, lock = claim_autosave_slot(Path(sys.argv[1]))
path.write_bytes(b"work of the instance that will crash")
print(path.name, flush=True)
time.sleep(60)
"""


def test_autosave_slots_per_instance_and_after_a_crash(tmp_path: Path) -> None:
    from bingrev_desktop.ui.case.case_session import claim_autosave_slot

    folder = tmp_path / "autosave"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CLAIM, str(folder)], env=env,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "unsaved-1.bingrev"
    # While it runs, this instance gets its own slot: their autosaves never mix.
    mine, lock = claim_autosave_slot(folder)
    assert mine.name == "unsaved-2.bingrev"
    lock.unlock()
    child.kill()  # the other instance "crashes"
    child.wait()
    found, lock = claim_autosave_slot(folder)
    assert found.name == "unsaved-1.bingrev"  # its slot is free again, with its work
    assert found.read_bytes() == b"work of the instance that will crash"
    lock.unlock()


def test_autosave_offered_back_when_the_crashed_pid_was_reused(tmp_path: Path) -> None:
    """The crashed instance's PID now belongs to another Python process: its slot must
    still count as abandoned, so its work is offered back."""
    from bingrev_desktop.ui.case.case_session import claim_autosave_slot

    folder = tmp_path / "autosave"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CLAIM, str(folder)], env=env,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "unsaved-1.bingrev"
    child.kill()
    child.wait()
    # Another python process now runs under the PID written in the lock file.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_file, owner = folder / "unsaved-1.lock", folder / "unsaved-1.owner"
        _pid, *rest = lock_file.read_text().splitlines()
        lock_file.write_text("\n".join([str(other.pid), *rest]) + "\n")
        _pid, started = owner.read_text().split()  # the crashed one's start time stays
        owner.write_text(f"{other.pid} {started}")
        found, lock = claim_autosave_slot(folder)
        assert found.name == "unsaved-1.bingrev"
        assert found.read_bytes() == b"work of the instance that will crash"
        lock.unlock()
    finally:
        other.kill()
        other.wait()
