"""Render the app icon SVG into the hicolor PNG sizes (re-run after editing the SVG).

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py

Writes resources/icons/hicolor/{N}x{N}/apps/<APP_ID>.png for every size in
SIZES, copies the SVG to resources/icons/hicolor/scalable/apps/<APP_ID>.svg, and
writes the bundle icons PyInstaller uses: packaging/windows/bingrev-desktop.ico
(16-256 px, PNG-compressed entries) and packaging/macos/bingrev-desktop.icns.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.bingrev.Desktop"
SVG = ROOT / "resources" / "icons" / "bingrev-desktop.svg"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO = ROOT / "packaging" / "windows" / "bingrev-desktop.ico"
ICNS = ROOT / "packaging" / "macos" / "bingrev-desktop.icns"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(svg: Path, size: int, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot parse {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(target)):  # by suffix
        raise SystemExit(f"cannot write {target}")


def write_ico(pngs: list[tuple[int, bytes]], target: Path) -> None:
    """An ICO file whose entries are PNGs (fine since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in pngs:
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(header + entries + blobs)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for size in SIZES:
        target = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        render(SVG, size, target)
        print(f"wrote {target.relative_to(ROOT)}")
    scalable = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    print(f"wrote {scalable.relative_to(ROOT)}")
    pngs = [(n, (HICOLOR / f"{n}x{n}" / "apps" / f"{APP_ID}.png").read_bytes()) for n in ICO_SIZES]
    write_ico(pngs, ICO)
    print(f"wrote {ICO.relative_to(ROOT)}")
    ICNS.parent.mkdir(parents=True, exist_ok=True)
    render(SVG, 512, ICNS)  # Qt's icns writer (qicns image plugin), chosen by the suffix
    print(f"wrote {ICNS.relative_to(ROOT)}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
