"""Logging to a rotating file in the user's log folder, with the key redacted.

Records are redacted, then queued; a background thread writes them, so logging
never puts disk writes on the GUI thread. The window sets the file up after its first
paint; records from before wait in memory (``keep_early_records``). This module is
light to import for that: ``logging.handlers`` (sockets, pickle) loads with the file.
"""

from __future__ import annotations

import atexit
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .redact import RedactingFilter
from .settings import log_dir

if TYPE_CHECKING:
    import logging.handlers

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
LOGGER = "bingrev_desktop"
_listener: logging.handlers.QueueListener | None = None


class EarlyRecords(logging.Handler):
    """Records from before the log file is set up, kept in memory (not the standard
    MemoryHandler: it lives in ``logging.handlers``, which the first paint does not
    load)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_early: EarlyRecords | None = None


def keep_early_records() -> None:
    """From now until ``setup_logging``, the app's records wait in memory; they are
    written at exit if the app ends before (a crash while the window painted)."""
    global _early
    if _early is not None:
        return
    logger = logging.getLogger(LOGGER)
    _early = EarlyRecords()
    logger.addHandler(_early)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    atexit.register(_write_early_at_exit)


def _take_early_records() -> list[logging.LogRecord]:
    global _early
    if _early is None:
        return []
    logging.getLogger(LOGGER).removeHandler(_early)
    records, _early = _early.records, None
    return records


def _write_early_at_exit() -> None:
    if _early is not None and _early.records:
        setup_logging()
        stop_logging()


def _private_file_handler(path: Path) -> logging.Handler:
    """A rotating file handler whose every file, the first and each one after a
    rotation, is 0600."""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self):  # type: ignore[no-untyped-def]
            old = os.umask(0o077)
            try:
                stream = super()._open()
            finally:
                os.umask(old)
            if os.name == "posix":
                os.chmod(self.baseFilename, 0o600)
            return stream

    return PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                      encoding="utf-8")


def setup_logging(*, to_file: bool = True, verbose: bool = False) -> Path | None:
    """Configure the ``bingrev_desktop`` logger; returns the log file path, if any."""
    global _listener
    import logging.handlers
    import queue

    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    early = _take_early_records()  # what was said before the file was set up
    if not to_file or any(getattr(h, "_bingrev", False) for h in logger.handlers):
        _to_stderr(early)
        return None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bingrev-desktop.log"
        file_handler = _private_file_handler(path)
    except OSError:
        _to_stderr(early)
        return None  # a read-only home must not stop the app
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    queue_handler = logging.handlers.QueueHandler(records)
    queue_handler.addFilter(RedactingFilter())  # redact before the record leaves this thread
    queue_handler._bingrev = True  # type: ignore[attr-defined]
    logger.addHandler(queue_handler)
    for record in early:
        if record.levelno >= logger.level:
            queue_handler.handle(record)
    _listener = logging.handlers.QueueListener(records, file_handler)
    _listener.start()
    atexit.register(stop_logging)
    return path


def _to_stderr(records: list[logging.LogRecord]) -> None:
    """No log file: warnings and errors go where they went before (Python's last resort)."""
    last_resort, redacting = logging.lastResort, RedactingFilter()
    for record in records:
        if last_resort is not None and record.levelno >= last_resort.level \
                and redacting.filter(record):
            last_resort.handle(record)


def stop_logging() -> None:
    """Flush what is queued and close the file (called at exit)."""
    global _listener
    listener, _listener = _listener, None
    if listener is not None:
        listener.stop()
        for handler in listener.handlers:
            handler.close()
