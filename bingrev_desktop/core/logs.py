"""Logging to a rotating file in the user's log folder, with the key redacted.

Records are redacted, then queued; a background thread writes them, so logging
never puts disk writes on the GUI thread.
"""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import os
import queue
from pathlib import Path

from .redact import RedactingFilter
from .settings import log_dir

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_listener: logging.handlers.QueueListener | None = None


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it opens, the first and each one after a rotation, is 0600."""

    def _open(self):  # type: ignore[no-untyped-def]
        old = os.umask(0o077)
        try:
            stream = super()._open()
        finally:
            os.umask(old)
        if os.name == "posix":
            os.chmod(self.baseFilename, 0o600)
        return stream


def setup_logging(*, to_file: bool = True, verbose: bool = False) -> Path | None:
    """Configure the ``bingrev_desktop`` logger; returns the log file path, if any."""
    global _listener
    logger = logging.getLogger("bingrev_desktop")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not to_file or any(getattr(h, "_bingrev", False) for h in logger.handlers):
        return None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bingrev-desktop.log"
        file_handler = PrivateRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None  # a read-only home must not stop the app
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    queue_handler = logging.handlers.QueueHandler(records)
    queue_handler.addFilter(RedactingFilter())  # redact before the record leaves this thread
    queue_handler._bingrev = True  # type: ignore[attr-defined]
    logger.addHandler(queue_handler)
    _listener = logging.handlers.QueueListener(records, file_handler)
    _listener.start()
    atexit.register(stop_logging)
    return path


def stop_logging() -> None:
    """Flush what is queued and close the file (called at exit)."""
    global _listener
    listener, _listener = _listener, None
    if listener is not None:
        listener.stop()
        for handler in listener.handlers:
            handler.close()
