"""The accessibility tree as a screen reader reads it: AT-SPI over D-Bus, read with
Debian's pyatspi from a separate process, while the app runs in a real X window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .xserver import REQUIRED, need, xvfb

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = "/usr/bin/python3"

CHILD = r"""
import asyncio, json, subprocess, sys, tempfile
from pathlib import Path
import qasync
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.resources import resource_dir
from bingrev_desktop.ui.shell.app import create_application, dispose_widgets
from tests.ui_helpers import close_window, make_window

app = create_application(["bingrev-desktop"])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
found = {}

async def read(state):
    await asyncio.sleep(0.5)  # let the bridge see the last changes
    done = await asyncio.to_thread(subprocess.run, [sys.argv[1], sys.argv[2], app.applicationName()],
                                   capture_output=True, text=True, timeout=90)
    found[state] = json.loads(done.stdout) if done.returncode == 0 else done.stderr[-2000:]

async def main():
    with DemoEngine() as engine:
        window = make_window(engine, Path(tempfile.mkdtemp()))
        await read("default")
        window.show_address(engine.query_image_url("lighthouse"))
        await window.controller.wait_idle()
        await window.search()
        await read("results")
        await window.case_files.open_path(resource_dir() / "samples" / "sample.bingrev")
        window.side_tabs.setCurrentWidget(window.history)
        await read("case history")
        await close_window(window)

with loop:
    loop.run_until_complete(main())
print(json.dumps(found))
dispose_widgets(app)
"""


def test_every_control_has_a_name_and_tiles_say_what_they_are(tmp_path: Path) -> None:
    need("dbus-run-session")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True)
    if probe.returncode != 0:
        if REQUIRED:
            pytest.fail("python3-pyatspi is missing: .ci/run installs it")
        pytest.skip("python3-pyatspi not installed")
    with xvfb() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "PYTHONPATH": str(ROOT)}
        done = subprocess.run(["dbus-run-session", "--", sys.executable, "-c", CHILD,
                               SYSTEM_PYTHON, str(ROOT / "tests" / "a11y_reader.py")],
                              env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    states = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(states) == {"default", "results", "case history"}
    for state, nodes in states.items():
        assert isinstance(nodes, list), f"{state}: the reader failed: {nodes}"
        showing = [n for n in nodes if n.get("interactive") and n.get("showing")]
        assert len(showing) > 15, f"{state}: too few controls read ({len(showing)})"
        unnamed = [n for n in showing if not n["name"].strip()]
        assert unnamed == [], f"{state}: unnamed controls {unnamed}"
    tiles = [n["name"] for n in states["results"]
             if n.get("list_item") and n["parent"] == "Search results"]
    assert len(tiles) >= 20, tiles
    for text in tiles:  # "Coastal lighthouse — news.example.org, 984 × 738 JPEG"
        title, _, rest = text.partition(" \u2014 ")
        assert title and "." in rest.split(",")[0], text
        assert " \u00d7 " in rest, text
    history = [n["name"] for n in states["case history"] if n.get("list_item")
               and n["parent"] == "Searches in this case"]
    assert len(history) == 9  # 8 searches of the sample and the header of its sweep
