"""Copies of the same picture in the window: a search of the demo engine is grouped
exactly as the engine made its families, the likely original is the one the rule
names, "Group copies" folds each family into one tile that a click opens, and a case
saved before copy groups existed gets them offline from its stored pictures."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPersistentModelIndex, QPoint, Qt
from PySide6.QtTest import QTest

from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.core.duplicates import CopyInfo, parse_date
from bingrev_desktop.core.response import ResultItem
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.demo.families import family_of
from bingrev_desktop.ui.results.keys import CopyRole, FoldRole, ItemRole, SortKey
from bingrev_desktop.ui.results.result_delegate import ResultDelegate
from bingrev_desktop.ui.results.results_panel import ResultsPanel
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .offline_child import offline_window_script
from .test_case_evidence import ROOT, fill_done, need_unshare
from .test_window import run, search_and_wait, show_and_wait

FIXTURE = ROOT / "tests" / "fixtures" / "case-version-1.bingrev"


def engine_families(raw_items: list[Any], kept: set[str]) -> dict[int, str]:
    """Position -> the engine's own family, for results whose picture is kept."""
    return {int(i["position"]): family_of(i) for i in raw_items
            if isinstance(i, dict) and i.get("thumbnail") in kept}


def same_partition(groups: dict[int, int], families: dict[int, str]) -> bool:
    if set(groups) != set(families):
        return False
    per_family: dict[str, set[int]] = defaultdict(set)
    per_group: dict[int, set[str]] = defaultdict(set)
    for position, family in families.items():
        per_family[family].add(groups[position])
        per_group[groups[position]].add(family)
    return all(len(v) == 1 for v in per_family.values()) and all(
        len(v) == 1 for v in per_group.values())


def expected_originals(items: list[ResultItem], families: dict[int, str]) -> set[int]:
    """The rule, on the engine's families: the largest; the earliest date breaks ties."""
    members: dict[str, list[ResultItem]] = defaultdict(list)
    for item in items:
        if item.position in families:
            members[families[item.position]].append(item)
    return {min(group, key=lambda i: (-i.pixel_count, parse_date(i.date) or parse_date(
        "9999-12-31"), i.position)).position
        for group in members.values() if len(group) > 1}


def first_badged(panel: ResultsPanel) -> QPersistentModelIndex:
    """The first tile with a "×N" (or "copy") badge, kept valid across changes."""
    return QPersistentModelIndex(next(
        panel.proxy.index(r, 0) for r in range(panel.proxy.rowCount())
        if panel.proxy.index(r, 0).data(FoldRole)))


async def click_badge(panel: ResultsPanel, tile: QPersistentModelIndex) -> None:
    """Click a tile's "×N" badge with the mouse, once the grid has laid it out."""
    view = panel.view
    view.scrollTo(panel.proxy.index(tile.row(), 0))
    await wait_until(lambda: view.viewport().rect().contains(
        view.visualRect(panel.proxy.index(tile.row(), 0))), message="tile laid out")
    badge = ResultDelegate.fold_badge_rect(view.visualRect(panel.proxy.index(tile.row(), 0)),
                                           tile.data(FoldRole), view.font())
    before = panel.proxy.rowCount()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, badge.center())
    await wait_until(lambda: panel.proxy.rowCount() != before, message="group toggled")


async def copies_known(window: MainWindow) -> dict[int, CopyInfo]:
    model = window.results_panel.model
    record = window.session.current
    assert record is not None

    def all_known() -> bool:
        kept = set(record.thumbnails)
        wanted = {i.position for i in record.response.results if i.thumbnail_url in kept}
        have = {model.item(r).position for r in range(model.rowCount())
                if model.index(r).data(CopyRole) is not None}
        return bool(wanted) and wanted <= have and not window.copies.busy

    await wait_until(all_known, timeout=60, message="copy groups")
    return {model.item(r).position: model.index(r).data(CopyRole)
            for r in range(model.rowCount()) if model.index(r).data(CopyRole) is not None}


def test_groups_and_likely_original_match_the_engines_families(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        tmp_path: Path) -> None:
    panel = window.results_panel
    path = tmp_path / "copies.bingrev"
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        await show_and_wait(window, demo_engine.query_image_url("lighthouse"))
        window.search_panel.count_spin.setValue(60)
        await search_and_wait(window)
        await fill_done(window)
        copies = await copies_known(window)
        record = window.session.current
        assert record is not None
        families = engine_families(record.response_raw["related_content"],
                                   set(record.thumbnails))
        assert same_partition({p: c.group for p, c in copies.items()}, families)
        sizes = sorted({c.group: c.size for c in copies.values()}.values(), reverse=True)
        assert sizes[0] >= 10 and sizes[1] >= 2  # the searched picture, and another
        originals = {p for p, c in copies.items() if c.likely_original}
        assert originals == expected_originals(record.response.results, families)
        query_family = {p for p, c in copies.items() if c.closeness == "same picture"}
        assert query_family and {families[p] for p in query_family} == {"q-lighthouse"}
        single = next(c for c in copies.values() if c.size == 1)
        window.details.show_copies(single, folded=False, looking=True)
        assert "still comparing" in window.details.copies.text()
        window.details.show_copies(single, folded=False)
        assert window.details.copies.text().startswith("No other copy of this picture")
        seen["groups"] = len({c.group for c in copies.values()})
        seen["results"] = panel.model.rowCount()

        # Group copies: one tile per picture; the "×N" badge opens the group.
        panel.group_copies.setChecked(True)
        assert panel.proxy.rowCount() == seen["groups"]
        assert panel.shown_label.text() == (f"{seen['groups']} pictures in "
                                            f"{seen['results']} results")
        head = first_badged(panel)
        info: CopyInfo = head.data(CopyRole)
        assert info.likely_original and head.data(FoldRole) == f"\u00d7{info.size}"
        await click_badge(panel, head)
        assert panel.proxy.rowCount() == seen["groups"] + info.size - 1
        rows = [panel.proxy.index(r, 0) for r in range(panel.proxy.rowCount())]
        start = next(i for i, index in enumerate(rows) if index.data(FoldRole))
        opened = [index.data(CopyRole).group for index in rows[start:start + info.size]]
        assert opened == [info.group] * info.size  # the copies follow their tile
        assert rows[start].data(FoldRole).endswith("\u25be")
        assert {i.data(FoldRole) for i in rows[start + 1:start + info.size]} == {"copy"}
        # The details say why this one is the likely original, and can fold it again;
        # the keyboard stays on the group's tile.
        panel.view.setCurrentIndex(rows[start + 1])  # a copy
        details = window.details
        assert "likely original" not in details.copies.text()
        assert details.fold_button.text() == "Fold the copies into one tile"
        details.fold_button.click()
        assert panel.proxy.rowCount() == seen["groups"]
        assert panel.view.currentIndex().data(CopyRole).likely_original
        assert "likely original" in details.copies.text()
        assert f"Largest: {panel.current_item().size_label}" in details.copies.text()
        # A click elsewhere on a tile opens nothing.
        tile = panel.view.visualRect(panel.proxy.index(head.row(), 0))
        QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, tile.topLeft() + QPoint(20, 20))
        assert panel.proxy.rowCount() == seen["groups"]
        # A filter keeps a folded group when any copy passes: its tile is that copy.
        record_stars = window.session.current.stars
        copy_position = next(p for p, c in copies.items()
                             if c.group == info.group and not c.likely_original)
        record_stars.add(copy_position)
        panel.model.marks_changed(copy_position)
        panel.starred_only.setChecked(True)
        shown = [panel.proxy.index(r, 0) for r in range(panel.proxy.rowCount())]
        assert [i.data(ItemRole).position for i in shown] == [copy_position]
        assert shown[0].data(FoldRole) == f"\u00d7{info.size}"
        assert panel.shown_label.text().startswith("1 shown \u00b7 ")
        panel.starred_only.setChecked(False)
        record_stars.discard(copy_position)
        panel.model.marks_changed(copy_position)
        # New results: no group stays open.
        await click_badge(panel, first_badged(panel))
        assert panel.proxy.rowCount() > seen["groups"]
        panel.show_results(panel.model.items())
        await wait_until(lambda: panel.model.index(0).data(CopyRole) is not None)
        assert panel.proxy.rowCount() == seen["groups"]
        panel.group_copies.setChecked(False)
        # Ungrouped, a likely original says "×N" too: a click there groups the copies
        # with that group open.
        tip = first_badged(panel)
        tip_info: CopyInfo = tip.data(CopyRole)
        assert tip_info.likely_original and tip.data(FoldRole) == f"\u00d7{tip_info.size}"
        await click_badge(panel, tip)
        assert panel.group_copies.isChecked() and panel.proxy.is_unfolded(tip_info.group)
        assert panel.proxy.rowCount() == seen["groups"] + tip_info.size - 1
        panel.group_copies.setChecked(False)

        # Closest to my image: the same picture first, the merely similar last.
        panel.sort_combo.setCurrentIndex(list(SortKey).index(SortKey.CLOSEST))
        await asyncio.sleep(0.05)
        order = [panel.proxy.index(r, 0).data(CopyRole) for r in range(panel.proxy.rowCount())]
        distances = [c.distance for c in order if c is not None]
        assert distances == sorted(distances) and order[0].closeness == "same picture"
        assert await window.case_files._save(path)

    run(qloop, scenario())
    case = load_case(path)
    record = case.searches[0]
    assert record.query_print is not None
    assert all(d in case.prints for d in record.thumbnails.values())


OFFLINE_GROUPS = offline_window_script(r"""
model = window.results_panel.model
for _ in range(600):
    known = [model.index(r).data(CopyRole) for r in range(model.rowCount())]
    if known and any(known) and not window.copies.busy:
        break
    await asyncio.sleep(0.05)
out["groups"] = {str(model.item(r).position): c.group
                 for r, c in enumerate(known) if c is not None}
out["originals"] = [model.item(r).position for r, c in enumerate(known)
                    if c is not None and c.likely_original]
out["search"] = window.session.current.id
out["settled"] = not window.copies.busy
""").replace("from bingrev_desktop.ui.results.thumbnails import ThumbState",
             "from bingrev_desktop.ui.results.thumbnails import ThumbState\n"
             "from bingrev_desktop.ui.results.keys import CopyRole")


def test_a_case_saved_before_copy_groups_gets_them_offline(tmp_path: Path) -> None:
    need_unshare()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", OFFLINE_GROUPS,
                           str(FIXTURE), str(tmp_path / "offline.ini")],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2500:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["settled"], "the copy groups were still being made after 30 s"
    case = load_case(FIXTURE)
    record = case.search(result["search"])
    assert record is not None and record.query_print is None  # the file has none
    groups = {int(p): g for p, g in result["groups"].items()}
    families = engine_families(record.response_raw["related_content"], set(record.thumbnails))
    assert groups and same_partition(groups, families)
    assert set(result["originals"]) == expected_originals(record.response.results, families)


def test_the_windows_export_groups_searches_never_shown(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, tmp_path: Path) -> None:
    """A case from before copy groups: the export groups every search, not only the one
    on screen, and the case keeps those fingerprints."""
    out = tmp_path / "all.json"

    async def scenario() -> None:
        assert await window.case_files.open_path(FIXTURE)
        assert await window.case_files.export("json", out)

    run(qloop, scenario())
    exported = json.loads(out.read_text())["searches"]
    case = load_case(FIXTURE)
    assert len(exported) == len(case.searches) >= 3
    for data, record in zip(exported, case.searches, strict=True):
        families = engine_families(record.response_raw["related_content"],
                                   set(record.thumbnails))
        groups = {int(p): c["group"] for p, c in data["copies"].items()}
        assert groups and same_partition(groups, families)
    live = window.session.case
    assert all(d in live.prints for r in live.searches for d in r.thumbnails.values())


def test_group_copies_is_remembered_for_the_next_start(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, demo_engine: DemoEngine,
        tmp_path: Path) -> None:
    from .ui_helpers import close_window, make_window

    assert not window.results_panel.group_copies.isChecked()  # the first start: off
    window.results_panel.group_copies.setChecked(True)
    window.settings.sync()
    again = make_window(demo_engine, tmp_path)  # the same settings file
    try:
        assert again.results_panel.group_copies.isChecked()
        assert again.results_panel.proxy.grouped
    finally:
        run(qloop, close_window(again))
