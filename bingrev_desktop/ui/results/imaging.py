"""Decode untrusted image bytes with hard limits. Safe to call from worker threads.

``QImageReader`` checks the header first, so a small file that claims to be
40000 x 40000 pixels is refused before any pixel memory is allocated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from ...core.duplicates import HASH_HEIGHT, HASH_WIDTH, make_fingerprint
from ...core.errors import ErrorDetail, ImageError
from ..common.tasks import in_worker
from .image_limits import MAX_PIXELS, MAX_SIDE

T = TypeVar("T")
def _reader(data: bytes) -> tuple[QImageReader, QBuffer]:
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return QImageReader(buffer), buffer  # the buffer must outlive the reader


def image_header_size(data: bytes) -> tuple[int, int]:
    """Pixel size from the header alone, without decoding: (0, 0) when unknown."""
    reader, _buffer = _reader(data)
    size = reader.size()
    return (size.width(), size.height()) if size.isValid() else (0, 0)


def decode_image(data: bytes, fit: QSize | None = None, url: str | None = None,
                 max_pixels: int = MAX_PIXELS) -> QImage:
    """Decode ``data``; ``fit`` scales down while decoding (thumbnails). Raises ImageError."""
    reader, _buffer = _reader(data)
    reader.setAutoTransform(True)
    reader.setDecideFormatFromContent(True)
    size = reader.size()
    if not reader.canRead():
        raise ImageError(
            "The file is not an image this app can show (or it is damaged).",
            ErrorDetail(url=url, cause=f"QImageReader: {reader.errorString()}"),
        )
    if size.isValid() and (
        size.width() > MAX_SIDE or size.height() > MAX_SIDE
        or size.width() * size.height() > max_pixels
    ):
        raise ImageError(
            f"The image is too large to show ({size.width()} \u00d7 {size.height()} pixels).",
            ErrorDetail(url=url, cause="pixel size over the app's limit"),
        )
    if fit is not None and size.isValid() and (
        size.width() > fit.width() or size.height() > fit.height()
    ):
        reader.setScaledSize(size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ImageError(
            "The image could not be decoded: it may be damaged or too large.",
            ErrorDetail(url=url, cause=f"QImageReader: {reader.errorString()}"),
        )
    return image


if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

_DECODE_POOL: ThreadPoolExecutor | None = None
DECODE_THREADS = 2


def _decode_pool() -> ThreadPoolExecutor:
    """Decoding gets its own small pool, so a slow image can never hold up saves or
    keyring calls (which use the default executor), and at most two decodes use memory
    at once. Made on first use (from the GUI thread): the first paint needs no pool."""
    global _DECODE_POOL
    if _DECODE_POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _DECODE_POOL = ThreadPoolExecutor(max_workers=DECODE_THREADS,
                                          thread_name_prefix="decode")
    return _DECODE_POOL


def start_decode_pool() -> None:
    """Start the pool's threads now, while the app is idle. Started on demand, in the
    turn that asks for a case's first tiles, each start waited for the new thread to be
    scheduled: a 10-30 ms gap on a busy 2-core machine."""
    import contextlib
    import threading

    both = threading.Barrier(DECODE_THREADS, timeout=2.0)  # all busy at once: all start

    def meet() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):  # slow to come: started
            both.wait()

    pool = _decode_pool()
    for _ in range(DECODE_THREADS):
        pool.submit(meet)


THUMBNAIL_MAX_PIXELS = 16_000_000
THUMB_FIT = QSize(220, 165)  # the grid's tile picture (results.thumbnails.THUMB_SIZE)
CROP_FIT = QSize(1280, 1280)  # a searched image, decoded large enough to crop from


def decode_tile(data: bytes, url: str | None = None) -> QImage:
    """A grid tile's picture, ready to blit: fitted to the tile (up or down, once, in the
    worker) and in a format the raster painter copies without converting. Painting a
    188 × 135 RGB32 picture into a 220 × 158 box scaled it on every repaint."""
    image = decode_image(data, THUMB_FIT, url, THUMBNAIL_MAX_PIXELS)
    fitted = image.size().scaled(THUMB_FIT, Qt.AspectRatioMode.KeepAspectRatio)
    if fitted != image.size() and not fitted.isEmpty():
        image = image.scaled(fitted, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    paintable = (QImage.Format.Format_ARGB32_Premultiplied if image.hasAlphaChannel()
                 else QImage.Format.Format_RGB32)
    return image if image.format() == paintable else image.convertToFormat(paintable)


async def decode_image_async(data: bytes, fit: QSize | None = None, url: str | None = None,
                             max_pixels: int = MAX_PIXELS) -> QImage:
    """Decode in a worker thread: the GUI thread never decodes."""
    return await in_decode_pool(lambda: decode_image(data, fit, url, max_pixels))


def fingerprint(image: QImage) -> int:
    """The picture's colour difference hash (``core.duplicates``), from a decoded image:
    Qt shrinks it to 9 × 8 and 8 × 9 RGB pixels, Python compares neighbours."""
    # One smooth shrink of the whole picture, then two cheap ones from 72 × 72.
    base = image.convertToFormat(QImage.Format.Format_RGB888).scaled(
        72, 72, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)

    def pixels(width: int, height: int) -> bytes:
        small = base.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                            Qt.TransformationMode.SmoothTransformation)
        stride, raw, row = small.bytesPerLine(), bytes(small.constBits()), 3 * width
        return b"".join(raw[y * stride:y * stride + row] for y in range(height))

    return make_fingerprint(pixels(HASH_WIDTH, HASH_HEIGHT), pixels(HASH_HEIGHT, HASH_WIDTH),
                            image.width(), image.height())


def crop_of(image: QImage, crop: tuple[float, float, float, float] | None) -> QImage:
    """The part of ``image`` a search's crop (left, top, right, bottom fractions) chose."""
    if crop is None:
        return image
    left, top, right, bottom = (min(1.0, max(0.0, f)) for f in crop)
    w, h = image.width(), image.height()
    rect = QRect(round(left * w), round(top * h), max(1, round((right - left) * w)),
                 max(1, round((bottom - top) * h)))
    return image.copy(rect.intersected(image.rect())) if rect.isValid() else image


def fingerprint_bytes(data: bytes | None,
                      crop: tuple[float, float, float, float] | None = None) -> int | None:
    """Decode ``data`` as a thumbnail would be (capped, scaled to the tile) and take its
    fingerprint; None when it is not a picture we can read. For worker threads."""
    if not data:
        return None
    try:
        image = decode_image(data, CROP_FIT if crop else THUMB_FIT,
                             max_pixels=THUMBNAIL_MAX_PIXELS)
    except ImageError:
        return None
    if crop is not None:
        image = crop_of(image, crop)
    return fingerprint(image)


async def in_decode_pool(work: Callable[[], T]) -> T:
    """Run blocking picture work (reading a case's spool, decoding, fingerprinting) in
    the decode pool: never on the GUI thread."""
    return await in_worker(work, _decode_pool())
