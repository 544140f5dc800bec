"""Nothing is lost when the app is started without a terminal (a menu entry, a
``gui-scripts`` launcher): uncaught exceptions, Qt's own warnings and hard crashes
all go to the redacted log, and an uncaught exception shows the error banner.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import os
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import IO

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from ...core.errors import BingrevError, ErrorDetail
from ...core.redact import redact
from ...core.settings import log_dir

log = logging.getLogger("bingrev_desktop.crash")
qt_log = logging.getLogger("bingrev_desktop.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

ShowError = Callable[[BingrevError], None]
_crash_file: IO[str] | None = None


def qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def make_excepthook(show_error: ShowError | None) -> Callable[..., None]:
    def hook(kind: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("uncaught exception", exc_info=(kind, value, tb))
        if show_error is not None:
            text = redact("".join(traceback.format_exception(kind, value, tb)))[-4000:]
            with contextlib.suppress(Exception):  # the hook itself must never raise
                show_error(BingrevError(
                    "Something went wrong inside the app. Your work is kept; save the case "
                    "to be safe. If it happens again, send the details to your IT contact.",
                    ErrorDetail(cause=text)))
    return hook


def install(show_error: ShowError | None = None, *, crash_log: bool = True) -> None:
    """Route uncaught exceptions, Qt messages and hard crashes to the log. Without
    ``crash_log`` a hard crash's stack goes to stderr until a later call opens the
    crash log: the first paint does not wait on its folder."""
    global _crash_file
    sys.excepthook = make_excepthook(show_error)
    qInstallMessageHandler(qt_message)
    if not crash_log:
        _fault_stacks_to_stderr()
        return
    if _crash_file is not None:
        return  # open already, and the fault handler writes to it
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _crash_file = os.fdopen(fd, "a", encoding="utf-8")
        faulthandler.enable(file=_crash_file)  # a segfault's stack, for the IT contact
    except OSError:
        _fault_stacks_to_stderr()


def _fault_stacks_to_stderr() -> None:
    """A windowed start (pythonw, the Windows bundle) has no stderr at all: then there
    is nowhere to write a hard crash's stack until the crash log is open."""
    if sys.stderr is not None:
        with contextlib.suppress(RuntimeError, ValueError, OSError):  # closed, no fileno
            faulthandler.enable()
