"""Guard against PySide6 builds that drop references to None while painting.

PySide6 6.12.0 on Python 3.11 loses one reference to None per QPainter call;
the app then aborts ("none_dealloc") after enough repaints. pyproject pins
PySide6 below 6.12; this test fails if a broken build is ever installed.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter


@pytest.mark.skipif(sys.version_info >= (3, 12),
                    reason="None is immortal from Python 3.12: its count never changes, so "
                    "the leak cannot abort the app there and this check could not fail")
def test_painting_keeps_none_alive(qapp: object) -> None:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(200):
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(QRect(0, 0, 10, 10), 4, 4)
        painter.drawRect(QRectF(0, 0, 10, 10))
        painter.drawImage(QRectF(0, 0, 10, 10), image)
    painter.end()
    assert sys.getrefcount(None) >= before - 10
