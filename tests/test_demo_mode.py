"""The demo from the running window: staff start the app from the menu, never with
``--demo``, so *Try the demo* (key dialog and Help) must get them there."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .test_window import run

REAL_KEY = "real-key-of-the-user"


def test_try_the_demo_from_the_key_dialog_and_leave_it(
        qloop: asyncio.AbstractEventLoop, new_window: Callable[..., MainWindow]) -> None:
    window = new_window(key=REAL_KEY)
    real_base = window.controller.service.api_base

    async def scenario() -> None:
        dialog = await window.keys.ask(then_search=False)
        dialog.demo_button.click()
        await wait_until(lambda: window.demo_mode.active
                         and len(window.session.case.searches) == 8, message="the sample case")
        assert not dialog.isVisible()
        engine = window.demo_mode.engine
        assert window.controller.service.api_base == engine.base_url
        assert window.demo_notice.isVisible()
        assert "(demo)" in window.windowTitle()
        assert window.menu_actions.demo_action.text() == "Leave the demo"
        # A search runs against the in-process demo engine, with the demo's key: the
        # engine answers 401 to any other key, so the user's own key is not sent there.
        assert window.show_address(engine.query_image_url("city"))
        await window.controller.wait_idle()
        task = window.search()
        assert task is not None
        await task
        assert window.session.current is not None
        assert len(window.session.current.response.results) > 0
        assert len(window.session.case.searches) == 9

        window.session.discard_changes()
        window.menu_actions.demo_action.trigger()
        await wait_until(lambda: not window.demo_mode.active, message="the demo to end")
        assert window.controller.service.api_base == real_base
        assert window.controller.service.client.has_key  # the user's key is back
        assert window.session.case.searches == []
        assert not window.demo_notice.isVisible()
        assert "(demo)" not in window.windowTitle()
        assert window.menu_actions.demo_action.text() == "Try the demo"

    run(qloop, scenario())


def test_try_the_demo_from_the_help_menu(qloop: asyncio.AbstractEventLoop,
                                         new_window: Callable[..., MainWindow]) -> None:
    window = new_window(key=None)
    window.menu_actions.demo_action.trigger()

    async def scenario() -> None:
        await wait_until(lambda: window.demo_mode.active and window.session.case.searches,
                         message="the sample case")
        window.grab().save("/tmp/shot-demo-from-help.png")
        # The sample's other searches are still being read: let that end inside the
        # loop (qasync runs Qt's events once more after it stops, with no loop running).
        await wait_until(lambda: len(window.tasks) == 0, message="the sample read")

    run(qloop, scenario())
