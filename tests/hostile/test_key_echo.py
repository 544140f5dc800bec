"""A service that echoes the API key into result addresses: the key reaches no file
and no screen, through any path (window, autosave, evidence, exports, CLI), and every
file the app writes is private (0600)."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bingrev_desktop.core.logs import setup_logging, stop_logging
from bingrev_desktop.core.settings import SiteContact
from bingrev_desktop.demo import DemoEngine

from ..conftest import wait_until
from ..test_window import run, search_and_wait, show_and_wait
from ..ui_helpers import close_window, make_window

SECRET = "xk-live-echoed-0123456789abcdef-SECRET"
ROOT = Path(__file__).resolve().parents[2]


def test_echoed_key_reaches_no_file(qloop: asyncio.AbstractEventLoop, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    log_file = setup_logging(verbose=True)
    assert log_file is not None
    with DemoEngine(api_key=SECRET) as engine:
        engine.set_echo_key(True)
        window = make_window(engine, tmp_path, key=SECRET)
        window.settings.site_contact = SiteContact.ALWAYS
        try:
            async def scenario() -> None:
                await show_and_wait(window, engine.query_image_url("lighthouse"))
                window.search_panel.count_spin.setValue(12)
                await search_and_wait(window)
                record = window.session.current
                assert record is not None and SECRET in record.response.results[0].thumbnail_url
                await wait_until(lambda: not record.missing_thumbnails(), message="fill")
                panel = window.results_panel
                panel.view.setCurrentIndex(panel.proxy.index(0, 0))
                window.details.star.setChecked(True)
                await wait_until(lambda: bool(record.originals) and not window.evidence.busy,
                                 message="copy")
                await window.evidence.start_check()
                window.pivot(panel.model.item(1))  # its address goes to the recent list
                await wait_until(lambda: len(window.session.case.searches) == 2, message="pivot")
                await window.controller.wait_idle()
                await window.session.autosave()
                (tmp_path / "autosave-copy.bingrev").write_bytes(
                    window.session.autosave_file.read_bytes())
                assert await window.case_files._save(tmp_path / "case.bingrev")
                for kind in ("html", "csv", "json"):
                    assert await window.case_files.export(kind, tmp_path / f"export.{kind}")
                window.settings.sync()
                shown = [window.details.copy_info.text(), window.details.links_info.text(),
                         window.statusBar().currentMessage(),
                         window.banner.details.toPlainText()]
                assert not any(SECRET in text for text in shown)

            run(qloop, scenario())
        finally:
            run(qloop, close_window(window))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BINGREV_API_KEY": SECRET,
               "BINGREV_API_BASE": engine.base_url}
        cli_case = tmp_path / "cli.bingrev"
        done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "search",
                               engine.query_image_url("city"), "--count", "5", "--json",
                               "--case", str(cli_case), "--originals"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert SECRET not in done.stdout + done.stderr
        done = subprocess.run([sys.executable, "-m", "bingrev_desktop", "export", str(cli_case),
                               "--json", str(tmp_path / "cli.json"), "--html",
                               str(tmp_path / "cli.html")],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    stop_logging()
    for handler in logging.getLogger("bingrev_desktop").handlers[:]:
        if getattr(handler, "_bingrev", False):
            logging.getLogger("bingrev_desktop").removeHandler(handler)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"case.bingrev", "autosave-copy.bingrev", "settings.ini", "bingrev-desktop.log",
            "export.html", "export.csv", "export.json", "cli.bingrev", "cli.json",
            "cli.html"} <= names
    for path in written:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        assert SECRET.encode("utf-16-le") not in data, path
        if path.name != "autosave-copy.bingrev":  # that copy is the test's own file
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
