"""Qt's cap on decoding untrusted images, set when the application starts. Apart from
:mod:`imaging` (decode, fingerprint), which the window's first paint does not need."""

from __future__ import annotations

from PySide6.QtGui import QImageReader

ALLOCATION_LIMIT_MB = 256
MAX_SIDE = 16_384
MAX_PIXELS = 60_000_000


def configure_image_limits() -> None:
    """Set Qt's global decode allocation cap explicitly (the default varies)."""
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
