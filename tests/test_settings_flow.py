"""Settings: save, test, remove the key on the real Secret Service; the API address."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .test_window import run, search_and_wait, show_and_wait
from .ui_helpers import close_window, make_window

SECRET_SERVICE = os.environ.get("BINGREV_REQUIRE_SECRET_SERVICE") == "1"


@pytest.mark.skipif(not SECRET_SERVICE, reason="needs the Secret Service from tests/run.sh")
def test_key_save_test_remove(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
                              tmp_path: Path) -> None:
    window = make_window(demo_engine, tmp_path, key=None)
    keys = window.keys
    try:
        async def scenario() -> None:
            dialog = await keys.ask(then_search=False)
            assert dialog.save_button.isVisible()  # a real password store is there
            dialog.key_edit.setText("  demo-key  ")
            dialog.save_button.click()
            await wait_until(lambda: not dialog.isVisible(), message="key saved")
            assert await keys.credentials.aload() == "demo-key"  # really in the keyring
            assert window.controller.service.client.has_key
            settings = keys.open_settings()
            await wait_until(lambda: "password store" in settings.key_status.text(),
                             message="status")
            settings.test_button.click()
            await wait_until(lambda: "accepted" in settings.test_result.text(), message="test")
            await show_and_wait(window, demo_engine.query_image_url("city"))
            await search_and_wait(window)
            assert window.results_panel.model.rowCount() == 35
            settings.remove_button.click()
            await wait_until(lambda: not window.controller.service.client.has_key,
                             message="removed")
            assert await keys.credentials.aload() is None
            assert "No API key" in settings.key_status.text()
            settings.close()

        run(qloop, scenario())
    finally:
        run(qloop, close_window(window))


def test_wrong_key_test_and_api_address(qloop: asyncio.AbstractEventLoop,
                                        demo_engine: DemoEngine, tmp_path: Path,
        new_window: Callable[..., MainWindow]) -> None:
    window = new_window(key="wrong-key-42")
    async def scenario() -> None:
        settings = window.keys.open_settings()
        await wait_until(lambda: "Checking" not in settings.key_status.text(),
                         message="key status")
        settings.test_button.click()
        await wait_until(lambda: "not accepted" in settings.test_result.text(),
                         message="test fails")
        settings.base_edit.setText("ftp://nope")
        settings.accept()
        assert settings.isVisible() and settings.base_error.isVisible()  # refused
        with DemoEngine() as other:
            settings.base_edit.setText(other.base_url + "/")
            settings.accept()
            assert not settings.isVisible()
            assert window.controller.service.api_base == other.base_url
            assert window.settings.api_base == other.base_url
            window.controller.service.client.set_api_key("demo-key")
            await show_and_wait(window, demo_engine.query_image_url("city"))
            await search_and_wait(window)
            assert len(other.search_requests) == 1
            # The old address only saw the key test: no image, so no credit spent.
            assert demo_engine.search_requests == [{"engine": "bing_reverse_image"}]

    run(qloop, scenario())


def test_offline_empty_state(qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    with DemoEngine() as engine:
        window = make_window(engine, tmp_path)
        image = engine.query_image_url("city")
        engine_base = engine.base_url
    try:
        async def scenario() -> None:
            window.search_panel.url_edit.setText(image)
            window.controller.service.client.retry.backoff_base = 0.01
            await search_and_wait(window)

        run(qloop, scenario())
        assert window.banner.title_label.text() == "Cannot reach the service"
        assert "cannot be reached" in window.results_panel.empty_label.text()
        assert engine_base in window.banner.details.toPlainText()
    finally:
        run(qloop, close_window(window))
