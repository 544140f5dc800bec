"""Qt's TLS set-up for the thumbnail fetcher, off the GUI thread and without the GIL.

Qt's first HTTPS request builds its default TLS configuration: it loads OpenSSL and
reads the system's CA certificates, a quarter of a second. Made from the GUI thread,
that froze the window at the first search; ``QSslConfiguration.defaultConfiguration``
called from a worker holds the GIL throughout, which froze it just the same. A
throw-away request made in a plain thread builds it with the GIL released.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
import weakref
from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QThread, QUrl
from PySide6.QtNetwork import (
    QNetworkAccessManager,
    QNetworkRequest,
    QSslCertificate,
    QSslConfiguration,
)

T = TypeVar("T")


_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
MAX_CA_BUNDLE = 16 * 1024 * 1024
_warm_lock = threading.Lock()
_warmed: list[QNetworkAccessManager] = []


def _gui_thread() -> QThread:
    app = QCoreApplication.instance()
    assert app is not None
    return app.thread()


def tls_configuration() -> QSslConfiguration | None:
    """Run in a worker, once. Qt's first HTTPS request builds its default TLS
    configuration (loads OpenSSL, reads the system's CA certificates: a quarter of a
    second); made from the GUI thread, that froze the window at the first search. A
    throw-away request made here builds it with the GIL released (calling
    ``QSslConfiguration.defaultConfiguration`` itself would hold the GIL throughout).
    Then the bundle OpenSSL's SSL_CERT_FILE names is added, as httpx's trust store
    honours it (a company's CA, the benchmark's throw-away one)."""
    with _warm_lock:
        if not _warmed:
            manager = QNetworkAccessManager()
            reply = manager.get(QNetworkRequest(QUrl("https://127.0.0.1:1/")))
            reply.abort()
            # Deleting the manager here would wait for its network thread with the GIL
            # held (0.1 s of frozen window): it moves to the GUI thread and is deleted
            # when the app quits.
            manager.moveToThread(_gui_thread())
            _warmed.append(manager)  # Qt keeps the set-up for the process: once is enough
    extra = os.environ.get("SSL_CERT_FILE")
    if not (extra and os.path.isfile(extra)):
        return None  # Qt's default, now built
    config = QSslConfiguration.defaultConfiguration()
    config.addCaCertificates(_read_certificates(extra))
    return config


def _read_certificates(path: str) -> list[QSslCertificate]:
    """The PEM certificates in ``path``, one at a time: Qt parses them holding the GIL,
    and a system bundle of 140 in one call froze the window for 0.1 s."""
    with open(path, "rb") as file:
        text = file.read(MAX_CA_BUNDLE)
    found: list[QSslCertificate] = []
    for block in _PEM.findall(text):
        found.extend(QSslCertificate.fromData(block))
        time.sleep(0)  # the GUI thread gets the GIL between two certificates
    return found


_setup_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


async def in_plain_thread(work: Callable[[], T]) -> T:
    """``work`` in a thread of its own that Qt knows nothing of: Qt objects made in the
    loop's executor threads (QThreads) warned about their timers when destroyed. The loop
    is not looked up as the running one: qasync may resume a task from Qt's own event
    processing, where none counts as running (see ``ui.common.tasks.pause``)."""
    loop = asyncio.get_event_loop()
    done: asyncio.Future[T] = loop.create_future()

    def fail(error: BaseException) -> None:
        if not done.done():
            done.set_exception(error)

    def succeed(result: T) -> None:
        if not done.done():
            done.set_result(result)

    def run() -> None:
        try:
            result = work()
        except BaseException as exc:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(fail, exc)
        else:
            loop.call_soon_threadsafe(succeed, result)

    thread = threading.Thread(target=run, name="bingrev-tls-setup", daemon=True)
    _setup_threads.add(thread)
    thread.start()
    return await done


def finish_tls_setup() -> None:
    """At exit, before Qt is torn down: the set-up's threads and manager end."""
    for thread in list(_setup_threads):  # Qt inside it must finish before Qt goes away
        thread.join(5)
    for manager in _warmed:
        if shiboken6.isValid(manager):
            shiboken6.delete(manager)  # ends its network thread while Qt is still there
    _warmed.clear()
