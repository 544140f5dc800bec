"""A real X server (Xvfb) for tests that need one; skipped or failed when missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REQUIRED = os.environ.get("BINGREV_REQUIRE_SECRET_SERVICE") == "1"  # tests/run.sh (CI)


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        if REQUIRED:
            pytest.fail(f"{program} is missing: .ci/run installs it")
        pytest.skip(f"{program} not installed")
    return found


@contextmanager
def xvfb(size: str = "1280x800") -> Iterator[str]:
    """Starts Xvfb on a free display; yields the DISPLAY value."""
    server_bin = need("Xvfb")
    display = f":{100 + os.getpid() % 400}"
    server = subprocess.Popen([server_bin, display, "-screen", "0", f"{size}x24",
                               "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.05)
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)
