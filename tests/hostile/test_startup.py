"""Faults at start-up and outside any slot never end in silence or a crash loop."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QtMsgType

from bingrev_desktop.core.errors import BingrevError
from bingrev_desktop.core.settings import DEFAULT_API_BASE
from bingrev_desktop.ui.common.settings_store import SettingsStore
from bingrev_desktop.ui.shell import crash_hooks
from bingrev_desktop.ui.shell.app import build_window

from ..test_window import run
from ..ui_helpers import close_window


def test_invalid_api_base_in_settings_falls_back_and_says_so(
        qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    qsettings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    qsettings.setValue("advanced/api_base", "ftp://[not a host")
    settings = SettingsStore(qsettings)
    args = argparse.Namespace(demo=False, api_base=None)
    window, service, _engine = run(qloop, build_window(args, settings))
    try:
        assert service.api_base == DEFAULT_API_BASE
        assert window.banner.isVisibleTo(window)
        assert "not valid" in window.banner.message_label.text()
    finally:
        run(qloop, close_window(window))


@pytest.mark.allow_app_errors
def test_uncaught_exception_is_logged_and_shown(caplog: pytest.LogCaptureFixture) -> None:
    shown: list[BingrevError] = []
    hook = crash_hooks.make_excepthook(shown.append)
    try:
        raise ValueError("boom in a slot")
    except ValueError as exc:
        with caplog.at_level(logging.CRITICAL, logger="bingrev_desktop.crash"):
            hook(type(exc), exc, exc.__traceback__)
    assert any("uncaught exception" in r.getMessage() and r.exc_info for r in caplog.records)
    assert len(shown) == 1 and "Your work is kept" in str(shown[0])
    assert "boom in a slot" in shown[0].technical_text()


def test_qt_messages_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="bingrev_desktop.qt"):
        crash_hooks.qt_message(QtMsgType.QtInfoMsg, None, "hello from Qt")  # type: ignore[arg-type]
    assert [r.getMessage() for r in caplog.records] == ["hello from Qt"]
