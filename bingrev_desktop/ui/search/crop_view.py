"""Image preview with a crop rectangle drawn, moved and resized with the mouse.

The crop is kept as fractions of the image (the API's ``cal/cat/car/cab``), so it
stays on the same part of the picture however the widget is resized.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...core.request import MIN_CROP_SIZE, Crop, ValidationError

HANDLE = 9  # handle size in pixels
NUDGE = 0.01  # arrow keys move 1% of the image (Shift: 5%)
KEY_HELP = ("Drag to mark the part to search. Keyboard: C starts a frame, arrows move it, "
            "Ctrl+arrows resize it, Esc searches the whole image.")
MIN_KEY_SIZE = 0.02  # Ctrl+arrows never shrink a crop below 2% of the image

# Which edges a drag changes: (left, top, right, bottom)
_EDGES: dict[str, tuple[bool, bool, bool, bool]] = {
    "tl": (True, True, False, False), "t": (False, True, False, False),
    "tr": (False, True, True, False), "r": (False, False, True, False),
    "br": (False, False, True, True), "b": (False, False, False, True),
    "bl": (True, False, False, True), "l": (True, False, False, False),
    "move": (True, True, True, True),
}
_CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor, "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor, "bl": Qt.CursorShape.SizeBDiagCursor,
    "t": Qt.CursorShape.SizeVerCursor, "b": Qt.CursorShape.SizeVerCursor,
    "l": Qt.CursorShape.SizeHorCursor, "r": Qt.CursorShape.SizeHorCursor,
    "move": Qt.CursorShape.SizeAllCursor,
}


def _clamp(v: float) -> float:
    return min(1.0, max(0.0, v))


class CropView(QWidget):
    """Emits ``cropChanged(Crop | None)`` whenever the user changes the rectangle."""

    cropChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._frac: tuple[float, float, float, float] | None = None
        self._drag: str | None = None
        self._press = QPointF()
        self._press_frac: tuple[float, float, float, float] | None = None
        self._message = ""
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 150)  # small screens keep the form in view
        self.setAccessibleName("Image preview and crop area")
        self.setAccessibleDescription(KEY_HELP)
        self.setToolTip(KEY_HELP)

    # -- public API ---------------------------------------------------------------
    def sizeHint(self) -> QSize:
        # Small: the form in its scroll area asks for this height, and grows the preview
        # into whatever room is left (a 640-pixel-high screen keeps Market in view).
        return QSize(420, 180)

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self._frac = None
        self._message = ""
        self.update()

    def image(self) -> QImage | None:
        return self._image

    def set_message(self, text: str) -> None:
        """Text shown when there is no image (empty state, loading, error)."""
        self._message = text
        self.update()

    @property
    def message(self) -> str:
        return self._message

    def crop(self) -> Crop | None:
        if self._frac is None:
            return None
        try:
            crop = Crop(*self._frac)
        except ValidationError:
            return None
        return None if crop.is_whole_image else crop

    def set_crop(self, crop: Crop | None) -> None:
        """Set from outside (the number fields); does not emit."""
        self._frac = None if crop is None else (crop.left, crop.top, crop.right, crop.bottom)
        self.update()

    def clear_crop(self) -> None:
        if self._frac is not None:
            self._frac = None
            self.update()
            self.cropChanged.emit(None)

    # -- geometry -----------------------------------------------------------------
    def image_rect(self) -> QRectF:
        """Where the image is drawn: scaled to fit, centred, never enlarged past 2x."""
        if self._image is None or self._image.isNull():
            return QRectF()
        area = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        size = self._image.size()
        scale = min(area.width() / size.width(), area.height() / size.height(), 2.0)
        w, h = size.width() * scale, size.height() * scale
        return QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)

    def _to_frac(self, point: QPointF) -> tuple[float, float]:
        r = self.image_rect()
        return (_clamp((point.x() - r.x()) / r.width()), _clamp((point.y() - r.y()) / r.height()))

    def crop_rect(self) -> QRectF:
        """The crop in widget coordinates (empty when there is none)."""
        if self._frac is None:
            return QRectF()
        r = self.image_rect()
        left, top, right, bottom = self._frac
        return QRectF(r.x() + left * r.width(), r.y() + top * r.height(),
                      (right - left) * r.width(), (bottom - top) * r.height())

    def _hit(self, pos: QPointF) -> str | None:
        rect = self.crop_rect()
        if rect.isEmpty():
            return None
        points = {
            "tl": rect.topLeft(), "t": QPointF(rect.center().x(), rect.top()),
            "tr": rect.topRight(), "r": QPointF(rect.right(), rect.center().y()),
            "br": rect.bottomRight(), "b": QPointF(rect.center().x(), rect.bottom()),
            "bl": rect.bottomLeft(), "l": QPointF(rect.left(), rect.center().y()),
        }
        for name, p in points.items():
            if abs(p.x() - pos.x()) <= HANDLE and abs(p.y() - pos.y()) <= HANDLE:
                return name
        return "move" if rect.contains(pos) else None

    # -- mouse & keys -------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._image is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        pos = event.position()
        self._press = pos
        self._drag = self._hit(pos)
        if self._drag is None:
            if not self.image_rect().contains(pos):
                return None
            x, y = self._to_frac(pos)
            self._frac = (x, y, x, y)
            self._drag = "br"  # a new rectangle grows from the press point
        self._press_frac = self._frac
        event.accept()
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag is None or self._press_frac is None:
            hit = self._hit(pos) if self._image is not None else None
            if hit:
                self.setCursor(_CURSORS[hit])
            elif self._image is not None and self.image_rect().contains(pos):
                self.setCursor(Qt.CursorShape.CrossCursor)
            else:
                self.unsetCursor()
            return
        self._frac = self._dragged(pos)
        self.update()

    def _dragged(self, pos: QPointF) -> tuple[float, float, float, float]:
        assert self._press_frac is not None and self._drag is not None
        r = self.image_rect()
        dx = (pos.x() - self._press.x()) / r.width()
        dy = (pos.y() - self._press.y()) / r.height()
        left, top, right, bottom = self._press_frac
        if self._drag == "move":
            dx = min(max(dx, -left), 1 - right)
            dy = min(max(dy, -top), 1 - bottom)
            return (left + dx, top + dy, right + dx, bottom + dy)
        move_l, move_t, move_r, move_b = _EDGES[self._drag]
        left = _clamp(left + dx) if move_l else left
        top = _clamp(top + dy) if move_t else top
        right = _clamp(right + dx) if move_r else right
        bottom = _clamp(bottom + dy) if move_b else bottom
        # Dragging past the opposite edge flips the rectangle, as in image editors.
        return (min(left, right), min(top, bottom), max(left, right), max(top, bottom))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return super().mouseReleaseEvent(event)
        self._drag = None
        self._press_frac = None
        if self._frac is not None and (
            self._frac[2] - self._frac[0] < MIN_CROP_SIZE
            or self._frac[3] - self._frac[1] < MIN_CROP_SIZE
        ):
            self._frac = None  # a click, not a drag: clears the crop
        self.update()
        self.cropChanged.emit(self.crop())
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """C (or Enter) starts a centred crop; arrows move it, Ctrl+arrows move its
        right or bottom edge (resize), Shift makes steps of 5%; Esc: whole image."""
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape and self._frac is not None:
            self.clear_crop()
            return
        if self._image is not None and self._frac is None and key in (
                Qt.Key.Key_C, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._frac = (0.25, 0.25, 0.75, 0.75)
            self.update()
            self.cropChanged.emit(self.crop())
            return
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0),
                 Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if self._frac is None or key not in steps:
            return super().keyPressEvent(event)
        sx, sy = steps[Qt.Key(key)]
        step = NUDGE * (5 if mods & Qt.KeyboardModifier.ShiftModifier else 1)
        left, top, right, bottom = self._frac
        if mods & Qt.KeyboardModifier.ControlModifier:  # resize: the right/bottom edge
            right = min(max(right + sx * step, left + MIN_KEY_SIZE), 1.0)
            bottom = min(max(bottom + sy * step, top + MIN_KEY_SIZE), 1.0)
            self._frac = (left, top, right, bottom)
        else:
            dx = min(max(sx * step, -left), 1 - right)
            dy = min(max(sy * step, -top), 1 - bottom)
            self._frac = (left + dx, top + dy, right + dx, bottom + dy)
        self.update()
        self.cropChanged.emit(self.crop())
        return None

    # -- painting -----------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        # Not fillRect: PySide's choice among its overloads creates QGradient's enums
        # (2 ms in the window's first paint).
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.brush(QPalette.ColorRole.AlternateBase))
        painter.drawRect(self.rect())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._image is None or self._image.isNull():
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect().adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        image_rect = self.image_rect()
        painter.drawImage(image_rect, self._image)
        crop = self.crop_rect()
        if crop.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        shade = QColor(0, 0, 0, 120)
        outside = [
            QRectF(image_rect.left(), image_rect.top(), image_rect.width(),
                   crop.top() - image_rect.top()),
            QRectF(image_rect.left(), crop.bottom(), image_rect.width(),
                   image_rect.bottom() - crop.bottom()),
            QRectF(image_rect.left(), crop.top(), crop.left() - image_rect.left(),
                   crop.height()),
            QRectF(crop.right(), crop.top(), image_rect.right() - crop.right(), crop.height()),
        ]
        for part in outside:
            painter.fillRect(part, shade)
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(crop)
        painter.setPen(QPen(QColor("#1565c0"), 1, Qt.PenStyle.DashLine))
        painter.drawRect(crop)
        painter.setPen(QPen(QColor("#1565c0"), 1))
        painter.setBrush(QColor("white"))
        for point in (crop.topLeft(), crop.topRight(), crop.bottomLeft(), crop.bottomRight(),
                      QPointF(crop.center().x(), crop.top()),
                      QPointF(crop.center().x(), crop.bottom()),
                      QPointF(crop.left(), crop.center().y()),
                      QPointF(crop.right(), crop.center().y())):
            painter.drawRect(QRectF(point.x() - 4, point.y() - 4, 8, 8))
        if self.hasFocus():
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRect(self.rect()).adjusted(0, 0, -1, -1))
