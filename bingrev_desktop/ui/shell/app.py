"""Start the window on a qasync loop and shut everything down in order on quit.

Order on quit (stack-notes): cancel pending tasks, then close the HTTP client,
then stop the loop. The window's close ends ``run_window``; the last window
closing does not stop Qt by itself, so the loop never stops under a pending task.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from ... import APP_DISPLAY_NAME, APP_ID, APP_NAME, ORG_NAME, __version__
from ...core.logs import keep_early_records
from ...core.request import ValidationError
from ...core.settings import DEFAULT_API_BASE, data_dir, resolve_api_base
from ...resources import resource_dir
from ..common.settings_store import SettingsStore
from ..results.image_limits import configure_image_limits
from . import crash_hooks
from .main_window import MainWindow
from .style import STYLE_SHEET

if TYPE_CHECKING:  # loaded after the first paint (asyncio too: imported where used)

    from ...core.service import SearchService

log = logging.getLogger("bingrev_desktop.app")
DEFAULT_SIZE = (1280, 800)
EXPOSE_WAIT = 0.5  # seconds the first paint waits for the window system to map the window


def create_application(argv: list[str] | None = None, *, styled: bool = True) -> QApplication:
    """The application object; ``styled=False`` leaves the style sheet to ``paint_first``."""
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName(APP_ID)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or [APP_NAME])
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    icon = resource_dir() / "icons" / "bingrev-desktop.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    if styled:
        apply_style()
    configure_image_limits()
    return app


def apply_style() -> None:
    """The app's style sheet. Applied to a window already built it costs one polish;
    under it every widget added to a styled parent is polished again (its subtree
    too), about 60 ms more for the main window."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.styleSheet() != STYLE_SHEET:
        app.setStyleSheet(STYLE_SHEET)


def paint_first(settings: SettingsStore, *, demo: bool) -> MainWindow:
    """The window's widgets, shown and painted before the network stack, the keyring
    and the demo engine are loaded (``attach_services`` adds them)."""
    window = MainWindow(None, None, settings, demo=demo)
    apply_style()
    restore_geometry(window, settings)
    window.show()
    handle = window.windowHandle()
    give_up = time.monotonic() + EXPOSE_WAIT
    while handle is not None and not handle.isExposed() and time.monotonic() < give_up:
        QApplication.processEvents()  # the window system maps the window
    window.repaint()
    QApplication.processEvents()
    return window


async def attach_services(window: MainWindow, args: argparse.Namespace,
                          settings: SettingsStore) -> tuple[SearchService, object | None]:
    """The second step: the search service (the demo engine's, with --demo), the
    controller and the flows."""
    import asyncio

    from ...core.credentials import CredentialStore
    from ...core.service import SearchService
    from ..common.network import proxy_for_app
    from ..search.controller import SearchController
    from .demo_mode import start_demo_engine

    engine = None
    if args.demo:
        from ...demo import DEMO_API_KEY

        engine = await asyncio.to_thread(start_demo_engine)
        service = SearchService(engine.base_url, DEMO_API_KEY)
    else:
        service = SearchService(api_base_or_default(args.api_base, settings),
                                proxy=proxy_for_app(settings.qsettings))
    window.attach(SearchController(service), CredentialStore())
    window.demo_mode.engine = engine  # stopped on quit like one started from Help
    if settings.api_base and service.api_base == DEFAULT_API_BASE and not args.demo:
        window.banner.show_message(
            "Search service address reset",
            f"The address saved in Settings (\u201c{settings.api_base}\u201d) is not valid, so "
            f"the standard one ({DEFAULT_API_BASE}) is used. Check File \u203a Settings.",
            level="warning")
    return service, engine


async def build_window(args: argparse.Namespace, settings: SettingsStore
                       ) -> tuple[MainWindow, SearchService, object | None]:
    """Both steps at once (tests, benchmarks)."""
    window = MainWindow(None, None, settings, demo=args.demo)
    service, engine = await attach_services(window, args, settings)
    restore_geometry(window, settings)
    return window, service, engine


def restore_geometry(window: MainWindow, settings: SettingsStore) -> None:
    """Where the user left the window, or the default size."""
    geometry = settings.geometry()
    if not geometry or not window.restoreGeometry(QByteArray(geometry)):
        window.resize(*DEFAULT_SIZE)


def clean_leftovers() -> None:
    """Temp files of writes a crash or kill interrupted (older than a day)."""
    from ...core.blobstore import clean_stale_spools
    from ...core.files import clean_stale_temp_files

    for folder in {data_dir() / "autosave", data_dir()}:
        removed = clean_stale_temp_files(folder)
        if removed:
            log.info("removed %d stale temp files in %s", removed, folder)
    clean_stale_spools()


def api_base_or_default(explicit: str | None, settings: SettingsStore) -> str:
    """A broken address in the settings file must not stop the app at every start."""
    try:
        return resolve_api_base(explicit, settings.api_base)
    except ValidationError:
        if explicit:
            raise  # the command line already checked it; a bad one there is the user's
        log.warning("invalid api_base in settings; using the default")
        return resolve_api_base(explicit)


async def run_window(args: argparse.Namespace, window: MainWindow,
                     settings: SettingsStore) -> int:
    import asyncio

    # Listen first: the window is on screen already and may be closed while the rest
    # loads (then nothing more starts, and everything shuts down in order).
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    if window.was_closed:
        closed.set()
    service, engine = await attach_services(window, args, settings)
    from .gc_timer import freeze_startup

    freeze_startup()
    crash_hooks.install(window.banner.show_error)
    await asyncio.to_thread(clean_leftovers)
    # A task, so closing the window ends the app even while the first steps wait
    # (an unlock prompt of the password store, say).
    first = None if closed.is_set() else window.tasks.spawn(open_first(window, args, engine))
    try:
        await closed.wait()
    finally:
        if first is not None:
            first.cancel()
        await shutdown(window, service, engine)
    return 0


async def open_first(window: MainWindow, args: argparse.Namespace, engine: object | None) -> None:
    """What the window shows first: an offer to restore work after a crash, the case
    file given or the sample case in demo mode; then the stored key is loaded."""
    case_file = getattr(args, "case_file", None)
    restoring = await window.case_files.offer_restore() is not None
    if case_file:
        await window.case_files.open_path(Path(case_file))
    elif engine is not None and not restoring:
        from .demo_mode import open_sample

        await open_sample(window, engine)
    # Viewing a case needs no key: load a stored one, but only ask when starting empty.
    await window.keys.initialize(ask=not case_file)


async def shutdown(window: MainWindow, service: SearchService, engine: object | None
                   ) -> None:
    """Cancel everything in flight, then close the HTTP client (stack-notes order)."""
    for tasks in (window.tasks, window.keys.tasks, window.case_files.tasks, window.session.tasks,
                  window.evidence.tasks, window.evidence_view.tasks, window.sweeps.tasks):
        await tasks.cancel_all()
    await window.loader.cancel_and_wait()
    await window.controller.shutdown()
    window.session.release()
    await service.aclose()
    await window.demo_mode.stop()  # the engine of --demo or of Help › Try the demo
    log.info("shut down cleanly")


def dispose_widgets(app: QApplication) -> None:
    """Delete every window while Qt is still alive, on the GUI thread, rather than
    leaving it to the interpreter's final garbage collection."""
    for widget in app.topLevelWidgets():
        widget.deleteLater()
    app.processEvents()
    app.sendPostedEvents(None, 0)  # run the deferred deletes now
    gc.collect()


def run_app(args: argparse.Namespace) -> int:
    keep_early_records()  # until the log file is set up, after the first paint
    crash_hooks.install(crash_log=False)  # the crash log's file after the first paint
    app = create_application(sys.argv[:1], styled=False)  # styled once the window is built
    app.setQuitOnLastWindowClosed(False)
    settings = SettingsStore()
    window = paint_first(settings, demo=bool(args.demo))
    # The log file's folder, file and writer thread are disk work the first paint does
    # not need; what was logged until now waited in memory.
    from ...core.logs import setup_logging

    setup_logging(verbose=getattr(args, "verbose", False))
    crash_hooks.install()  # with its file now; the banner joins in once the window works
    # Only now: asyncio, the event loop and (in attach_services) the network stack.
    import asyncio

    import qasync

    from .gc_timer import GarbageCollector

    collector = GarbageCollector(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code = int(loop.run_until_complete(run_window(args, window, settings)))
    collector.stop()
    dispose_widgets(app)
    return code
