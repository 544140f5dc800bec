"""The searched image as the window shows it (made by the controller, drawn by the
search panel)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QImage


@dataclass(frozen=True, slots=True)
class Preview:
    url: str
    image: QImage
    width: int  # of the original image, not the scaled preview
    height: int
    format: str
    data: bytes
