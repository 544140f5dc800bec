"""Find headless Chromium for the peer measurements, installing it when missing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from benchmarks.debian import program


def chromium() -> str | None:
    """The browser's path; on Debian/Ubuntu it is installed with apt-get when missing."""
    return program(("chromium", "chromium-browser"), "chromium",
                   "the peer of the thumbnail fill")


def page_load(urls: list[str], folder: Path) -> float | None:
    """Seconds from navigation start to the last of ``urls`` loaded, as the page saw it.

    The page is a local file of ``<img>`` tags; the test certificate of the HTTP/2
    host is accepted with ``--ignore-certificate-errors``."""
    browser = chromium()
    if browser is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    tags = "".join(f'<img src="{u}" width="40" height="30">' for u in urls)
    page = folder / "fill.html"
    page.write_text(
        "<!doctype html><html><body>" + tags + "<script>addEventListener('load',function(){"
        "document.body.setAttribute('data-ms',String(performance.now()));});</script>"
        "</body></html>", encoding="utf-8")
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--ignore-certificate-errors", f"--user-data-dir={folder / 'profile'}",
         "--virtual-time-budget=60000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    found = re.search(r'data-ms="([0-9.]+)"', done.stdout)
    return float(found.group(1)) / 1000 if found else None
