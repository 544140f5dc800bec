"""The API key is in no file the app writes: case, autosave, settings, log, exports."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bingrev_desktop.core.logs import setup_logging, stop_logging
from bingrev_desktop.demo import DemoEngine

from .test_window import run, search_and_wait, show_and_wait
from .ui_helpers import close_window, make_window

SECRET = "xk-live-9f8e7d6c5b4a3210-SECRET"


def test_key_never_written(qloop: asyncio.AbstractEventLoop, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    log_file = setup_logging(verbose=True)
    assert log_file is not None and str(tmp_path) in str(log_file)
    with DemoEngine(api_key=SECRET) as engine:
        window = make_window(engine, tmp_path, key=SECRET)
        try:
            async def scenario() -> None:
                await show_and_wait(window, engine.query_image_url("lighthouse"))
                await search_and_wait(window)
                assert window.results_panel.model.rowCount() == 35
                window.results_panel.view.setCurrentIndex(window.results_panel.proxy.index(0, 0))
                window.details.note.setPlainText("checked")
                # A failing search too: error texts and logs must not carry the key.
                window.controller.service.client.set_api_key(SECRET + "-wrong")
                await search_and_wait(window)
                window.controller.service.client.set_api_key(SECRET)
                await window.session.autosave()
                # Saving removes the autosave, so keep a copy of it to check too.
                (tmp_path / "autosave-copy.bingrev").write_bytes(
                    window.session.autosave_file.read_bytes())
                assert await window.case_files._save(tmp_path / "case.bingrev")
                for kind in ("html", "csv", "json"):
                    assert await window.case_files.export(kind, tmp_path / f"export.{kind}")
                window.settings._s.sync()

            run(qloop, scenario())
            assert SECRET not in window.banner.details.toPlainText()
        finally:
            run(qloop, close_window(window))
    stop_logging()  # flushes the queue to the file
    for handler in logging.getLogger("bingrev_desktop").handlers[:]:
        if getattr(handler, "_bingrev", False):
            logging.getLogger("bingrev_desktop").removeHandler(handler)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"case.bingrev", "autosave-copy.bingrev", "settings.ini", "bingrev-desktop.log",
            "export.html", "export.csv", "export.json"} <= names
    assert log_file.read_text().strip(), "the log should have content to check"
    for path in written:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        assert SECRET.encode("utf-16-le") not in data, path
