"""Set up PySide6 before the first widget module loads.

PySide6 supports opt-in ``from __feature__ import snake_case``. To know which
modules may opt in, it hooks ``__import__`` and, for every module imported after
``PySide6.QtCore``, reads that module's whole source (``inspect.getsource``) looking
for the word "PySide6": about 120 modules before the first paint (30-40 ms) and 330
once the window is ready (70-90 ms).

This app opts into no feature, so every module is taken as a plain PySide user
(flag 0, what the scan gives the app's own modules). Modules without PySide used to
get -1 ("keep the caller's features"), which differs only once some module opts in
to a feature: none does here. The hook is private, so it is replaced only in the
PySide6 releases it was read in; in any other, nothing changes.
"""

from __future__ import annotations

import logging
import sys
from types import ModuleType

log = logging.getLogger("bingrev_desktop.pyside_setup")
KNOWN_RELEASES = ((6, 9), (6, 10), (6, 11))  # pyproject allows 6.9 up to, not incl., 6.12


def _plain_pyside_user(_module: ModuleType) -> bool:
    return True


def skip_feature_scan() -> bool:
    """Replace the per-import source scan; True when it was replaced."""
    import PySide6
    import PySide6.QtCore  # installs the import hook this replaces

    feature = sys.modules.get("shibokensupport.feature")
    if tuple(PySide6.__version_info__[:2]) not in KNOWN_RELEASES or feature is None \
            or not callable(getattr(feature, "_mod_uses_pyside", None)):
        log.debug("PySide6 %s: its import scan is left as it is", PySide6.__version__)
        return False
    feature._mod_uses_pyside = _plain_pyside_user  # type: ignore[attr-defined]
    return True
