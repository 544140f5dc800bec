"""Logging to a rotating file in the user's log folder, with the key redacted."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from .redact import RedactingFilter
from .settings import log_dir

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(*, to_file: bool = True, verbose: bool = False) -> Path | None:
    """Configure the ``bingrev_desktop`` logger; returns the log file path, if any."""
    logger = logging.getLogger("bingrev_desktop")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    path: Path | None = None
    if to_file and not any(getattr(h, "_bingrev", False) for h in logger.handlers):
        try:
            folder = log_dir()
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "bingrev-desktop.log"
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter(LOG_FORMAT))
            handler.addFilter(RedactingFilter())
            handler._bingrev = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
            if os.name == "posix":
                os.chmod(path, 0o600)
        except OSError:
            path = None  # a read-only home must not stop the app
    return path
