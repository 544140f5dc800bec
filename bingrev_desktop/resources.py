"""Find files in ``resources/`` whether running from a checkout or an install.

In a checkout the folder sits beside the package; an install ships it as the
``bingrev_desktop._resources`` package (see pyproject.toml); a PyInstaller
bundle puts it under ``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resource_dir() -> Path:
    here = Path(__file__).resolve().parent
    candidates = [here / "_resources", here.parent / "resources"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.insert(0, Path(frozen) / "bingrev_desktop" / "_resources")
    for candidate in candidates:
        if (candidate / "MANIFEST.txt").is_file():
            return candidate
    raise FileNotFoundError("bingrev-desktop resources are missing: reinstall the app")


def resource_path(*parts: str) -> Path:
    path = resource_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing resource: {'/'.join(parts)}")
    return path
