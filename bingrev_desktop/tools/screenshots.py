"""Render the main window's states to PNGs, for looking at them.

    python -m bingrev_desktop.tools.screenshots OUTDIR [--size 1280x800 ...]

Runs offscreen against the in-process demo engine; no key or network needed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from ..core.request import Crop
from ..core.service import SearchService
from ..core.settings import SiteContact
from ..demo import DEMO_API_KEY, DemoEngine, Fault
from ..resources import resource_dir
from ..ui.common import next_turn
from ..ui.results.keys import CopyRole, FoldRole, ItemRole

if TYPE_CHECKING:
    from ..ui.shell.main_window import MainWindow


async def _until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate() and loop.time() < end:
        await asyncio.sleep(0.05)


async def _save(widget: QWidget, path: Path) -> None:
    # Let the loop paint (QApplication.processEvents() here would step other tasks
    # inside this one, which qasync refuses), the work put off to later turns included.
    await _until(lambda: not next_turn.pending())
    await asyncio.sleep(0.05)
    widget.grab().save(str(path))
    print(path)


async def _evidence_states(window: MainWindow, engine: DemoEngine, out: Path,
                           tag: str) -> None:
    """Starring asks before contacting sites; a link check finds gone and changed."""
    window.settings.site_contact = SiteContact.ASK
    panel = window.results_panel
    panel.view.setCurrentIndex(panel.proxy.index(1, 0))
    window.details.star.setChecked(True)
    dialog = window.evidence.consent_dialog
    if dialog is not None:
        await _save(dialog, out / f"14-consent-{tag}.png")
        next(b for b in dialog.buttons() if b.text() == "Contact the sites").click()
    panel.view.setCurrentIndex(panel.proxy.index(2, 0))
    window.details.star.setChecked(True)
    dialog = window.evidence.consent_dialog
    if dialog is not None:
        dialog.checkBox().setChecked(True)
        next(b for b in dialog.buttons() if b.text() == "Contact the sites").click()
    await _until(lambda: not window.evidence.busy)
    seeds = {}
    for row in (1, 2):
        url = panel.model.item(row).image_url or ""
        seeds[row] = url.split("/img/")[-1].split(".png")[0]
    engine.remove_image(seeds[1])
    engine.change_image(seeds[2])
    await window.evidence.start_check()
    panel.view.setCurrentIndex(panel.proxy.index(1, 0))
    await asyncio.sleep(0.3)
    await _save(window, out / f"15-link-check-{tag}.png")
    window.settings.site_contact = SiteContact.ASK


async def _painted(window: MainWindow) -> None:
    """Tiles ask for their pictures when painted: paint, then wait for the loads."""
    window.repaint()
    await asyncio.sleep(0.2)
    await _until(lambda: not window.images.busy)
    await asyncio.sleep(0.1)


async def _sweep_states(window: MainWindow, out: Path) -> None:
    """The sample case holds a sweep (4 countries) and a search run again."""
    case = window.session.case
    numbers = sorted({s.sweep for s in case.searches if s.sweep is not None})
    if numbers:
        window.case_view.show_sweep(numbers[0])
        await _painted(window)
        window.results_panel.view.setCurrentIndex(window.results_panel.proxy.index(1, 0))
        await _save(window, out / "16-sweep-merged-grid.png")
        table = window.sweeps.summary_view
        if table is not None:
            window.side_tabs.setCurrentWidget(table)
            await _save(window, out / "16b-sweep-countries-table.png")
        window.results_panel.market_filter.setCurrentIndex(
            window.results_panel.market_filter.findText("Only in ja-JP"))
        await _painted(window)
        await _save(window, out / "16c-sweep-only-in-one-country.png")
        window.results_panel.market_filter.setCurrentIndex(0)
        dialog = window.sweeps.choose(window.case_view.showing_sweep.market_codes
                                      if window.case_view.showing_sweep else None)
        if dialog is not None:
            await _save(dialog, out / "17-sweep-dialog.png")
            dialog.close()
    task = window.sweeps.start(["en-GB", "de-DE", "fr-FR"])  # a live sweep: its progress
    if task is not None:
        await task
        await _save(window.sweeps.progress, out / "19-sweep-progress.png")
        window.sweeps.progress.close()
    again = [s for s in case.searches if s.sweep is None and s.parent_id is None]
    if len(again) >= 3:
        window.case_view.show_record(again[-1])
        await _painted(window)
        window.side_tabs.setCurrentWidget(window.history)
        await _save(window, out / "18-search-again-whats-new.png")


async def _copies_states(window: MainWindow, out: Path, tag: str) -> None:
    """Group copies: one tile per picture with its "×N", then one group opened."""
    panel = window.results_panel
    await _until(lambda: not window.copies.busy and any(
        panel.model.index(r).data(CopyRole) for r in range(panel.model.rowCount())))
    panel.group_copies.setChecked(True)
    heads = [panel.proxy.index(r, 0) for r in range(panel.proxy.rowCount())
             if panel.proxy.index(r, 0).data(FoldRole)]
    group = heads[0].data(ItemRole).position if heads else None
    if heads:
        panel.view.setCurrentIndex(heads[0])
    await _save(window, out / f"20-copies-grouped-{tag}.png")  # indexes are stale after this
    if group is not None:
        panel.toggle_group(group)
        await asyncio.sleep(0.1)
        await _until(lambda: not window.images.busy)  # the copies' pictures, decoded
    await _save(window, out / f"20b-copies-opened-{tag}.png")
    panel.group_copies.setChecked(False)


async def capture(out: Path, sizes: list[tuple[int, int]]) -> None:
    from ..core.credentials import CredentialStore
    from ..ui.common.settings_store import SettingsStore
    from ..ui.search.controller import SearchController
    from ..ui.shell.main_window import MainWindow

    settings_file = Path(tempfile.mkdtemp()) / "settings.ini"
    settings = SettingsStore(QSettings(str(settings_file), QSettings.Format.IniFormat))
    with DemoEngine() as engine:
        for width, height in sizes:
            engine.restore_images()  # the last size's link check changed some
            scale = float(os.environ.get("QT_SCALE_FACTOR", "1") or 1)
            tag = f"{round(width * scale)}x{round(height * scale)}" + (
                f"@{scale:g}x" if scale != 1 else "")
            service = SearchService(engine.base_url, DEMO_API_KEY)
            window = MainWindow(SearchController(service), CredentialStore(), settings,
                                demo=False)
            window.resize(width, height)
            window.show()
            await _save(window, out / f"01-empty-{tag}.png")

            await window.controller.load_preview(engine.query_image_url("lighthouse"))
            window.search_panel.set_crop(Crop(0.3, 0.15, 0.75, 0.85))
            await _save(window, out / f"02-preview-crop-{tag}.png")

            task = window.search()
            assert task is not None
            await asyncio.sleep(0.3)
            await task
            view = window.results_panel.view
            await _until(lambda w=window: not w.images.busy)  # type: ignore[misc]
            await asyncio.sleep(0.2)
            view.setCurrentIndex(window.results_panel.proxy.index(2, 0))
            await _save(window, out / f"03-results-{tag}.png")
            await _copies_states(window, out, tag)
            await _evidence_states(window, engine, out, tag)
            await window.controller.load_preview(engine.query_image_url("city"))
            await _save(window, out / f"03c-previous-image-results-{tag}.png")

            engine.set_fault(Fault("status", status=401))
            task = window.search()
            assert task is not None
            await task
            window.banner.details_button.setChecked(True)
            await _save(window, out / f"04-error-{tag}.png")
            engine.clear_faults()

            window.show_address("file:///home/me/Pictures/photo.jpg")
            await _save(window, out / f"05-local-file-{tag}.png")
            window.session.discard_changes()
            window.close()
            await window.loader.cancel_and_wait()
            await service.aclose()

        service = SearchService(engine.base_url, DEMO_API_KEY)
        window = MainWindow(SearchController(service), CredentialStore(), settings, demo=True)
        window.resize(1280, 800)
        window.show()
        await window.case_files.open_path(resource_dir() / "samples" / "sample.bingrev")
        await window.controller.wait_idle()
        window.side_tabs.setCurrentWidget(window.history)
        window.banner.hide()
        await _save(window, out / "10-sample-case-history.png")
        window.results_panel.filter_edit.setText("no such site")
        await _save(window, out / "11-filter-no-match.png")
        window.results_panel.clear_filters()
        await _sweep_states(window, out)
        window.side_tabs.setCurrentWidget(window.details)
        dialog = await window.keys.ask(then_search=False)
        await _save(dialog, out / "06-key-dialog.png")
        dialog.close()
        settings_dialog = window.keys.open_settings()
        await asyncio.sleep(0.2)
        await _save(settings_dialog, out / "07-settings-dialog.png")
        settings_dialog.close()
        about = window.show_about()
        await _save(about, out / "08-about.png")
        about.close()
        help_dialog = window.show_help()
        await _save(help_dialog, out / "13-getting-started.png")
        help_dialog.close()
        await _save(window, out / "09-demo-banner.png")
        window.session.discard_changes()
        window.close()
        await window.loader.cancel_and_wait()
        await service.aclose()

        # Offline: nothing answers at the API address.
        service = SearchService("http://127.0.0.1:9", DEMO_API_KEY)
        service.client.retry.backoff_base = 0.01
        window = MainWindow(SearchController(service), CredentialStore(), settings)
        window.resize(1280, 800)
        window.show()
        window.search_panel.url_edit.setText("https://photos.example.org/harbour.jpg")
        task = window.search()
        if task is not None:
            await task
        await _save(window, out / "12-offline.png")
        window.close()
        await service.aclose()


def main(argv: list[str] | None = None) -> int:
    import qasync

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--size", action="append", default=None,
                        help="WIDTHxHEIGHT in logical pixels, repeatable (default: 1024x640, "
                             "1280x800, 1920x1080, then 3840x2160 at 200%% in a second process)")
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x"))
             for s in (args.size or ["1024x640", "1280x800", "1920x1080"])]
    args.outdir.mkdir(parents=True, exist_ok=True)
    if args.size is None:  # 4K at 200%: the scale factor is fixed when Qt starts
        import subprocess

        subprocess.run([sys.executable, "-m", "bingrev_desktop.tools.screenshots",
                        str(args.outdir), "--size", "1920x1080"],
                       env={**os.environ, "QT_SCALE_FACTOR": "2"}, check=True)
    from ..ui.shell.app import create_application, dispose_widgets

    app = create_application(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(capture(args.outdir, sizes))  # type: ignore[arg-type]
    dispose_widgets(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
