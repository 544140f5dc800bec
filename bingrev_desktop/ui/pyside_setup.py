"""Set up PySide6 before the first widget module loads.

PySide6 supports opt-in ``from __feature__ import snake_case``. To know which
modules may opt in, it hooks ``__import__`` and, for every module imported after
``PySide6.QtCore``, reads that module's whole source (``inspect.getsource``) looking
for the word "PySide6": about 120 modules before the first paint (30-40 ms) and 330
once the window is ready (70-90 ms). This app uses no such feature, so every module
is taken as a plain PySide user, which is what the scan concludes for the app's own
modules anyway. Without the hook (another PySide6 version), nothing changes.
"""

from __future__ import annotations

import sys
from types import ModuleType


def _plain_pyside_user(_module: ModuleType) -> bool:
    return True  # "uses PySide, with no __feature__": Qt's default names and properties


def skip_feature_scan() -> bool:
    """Replace the per-import source scan; True when PySide6 had one to replace."""
    import PySide6.QtCore  # noqa: F401  (installs the import hook this replaces)

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _plain_pyside_user  # type: ignore[attr-defined]
    return True
