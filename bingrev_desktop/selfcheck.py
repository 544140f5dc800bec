"""``bingrev-desktop --self-check``: prove that an install (or a frozen bundle) works.

Each check prints one line, ``OK``, ``WARN`` or ``FAIL`` with a detail; warnings do
not fail the run. The checks need no network and no API key: the search round trip
goes to the in-process demo engine on loopback. Qt runs on the ``offscreen``
platform unless ``QT_QPA_PLATFORM`` says otherwise, so it also works over SSH.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import os
import platform
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from . import APP_ID, APP_NAME, __version__

Status = Literal["OK", "WARN", "FAIL"]
SECRET_SERVICE_NAME = "org.freedesktop.secrets"
REQUIRED_IMAGE_FORMATS = ("png", "jpeg", "gif", "webp")
ICON_SVG = ("icons", "bingrev-desktop.svg")
DEMO_RESULTS = 5
DEMO_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: Status
    detail: str


class CheckFailed(Exception):
    """Raised inside a check to report FAIL with a readable detail."""


# -- checks: each returns (status, detail) or raises ----------------------------------

def check_version() -> tuple[Status, str]:
    frozen = " (frozen bundle)" if getattr(sys, "frozen", False) else ""
    return "OK", f"{APP_NAME} {__version__}{frozen}"


def check_python() -> tuple[Status, str]:
    return "OK", (f"{platform.python_implementation()} {platform.python_version()} on "
                  f"{platform.platform(terse=True)}, {ssl.OPENSSL_VERSION}")


def _gui_app() -> Any:
    """The running QGuiApplication, creating one (offscreen unless told) if needed."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    app = QCoreApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([sys.argv[0] if sys.argv else APP_NAME])
    return app


def check_qt() -> tuple[Status, str]:
    import PySide6
    from PySide6.QtCore import QLibraryInfo, qVersion
    from PySide6.QtGui import QGuiApplication

    app = _gui_app()
    if not isinstance(app, QGuiApplication):
        raise CheckFailed(f"a {type(app).__name__} is running, the app needs a QGuiApplication")
    detail = f"PySide6 {PySide6.__version__}, Qt {qVersion()}, platform {QGuiApplication.platformName()}"
    platforms = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    if sys.platform.startswith("linux"):
        found = sorted(p.name for p in platforms.glob("libq*.so"))
        missing = [n for n in ("libqxcb.so", "libqwayland.so") if n not in found]
        if len(missing) == 2:
            return "WARN", f"{detail}; no xcb or wayland platform plugin in {platforms}"
    return "OK", detail


def _encode(fmt: str) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor(30, 120, 200))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, fmt):  # type: ignore[call-overload]  # stubs say bytes, runtime wants str
        raise CheckFailed(f"cannot encode {fmt.upper()}")
    buffer.close()
    return bytes(data.data())


def _decode(data: bytes) -> Any:
    from PySide6.QtGui import QImage

    image = QImage()
    image.loadFromData(data)
    return image


def check_image_formats() -> tuple[Status, str]:
    from PySide6.QtGui import QImageReader

    _gui_app()
    supported = {bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats()}
    missing = [f for f in REQUIRED_IMAGE_FORMATS if f not in supported]
    if missing:
        raise CheckFailed(f"missing Qt image plugins for {', '.join(missing)}; "
                          f"found {', '.join(sorted(supported)) or 'none'}")
    for fmt in ("PNG", "JPEG"):
        image = _decode(_encode(fmt))
        if image.isNull() or image.width() != 8 or image.pixelColor(4, 4).blue() < 150:
            raise CheckFailed(f"a {fmt} made in memory does not decode")
    return "OK", f"{', '.join(REQUIRED_IMAGE_FORMATS)} supported; PNG and JPEG decode"


def _secret_service_running() -> bool | None:
    """True/False if the session bus answers; None when that cannot be told."""
    if not sys.platform.startswith("linux") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
        from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        with open_dbus_connection(bus="SESSION") as conn:
            reply = conn.send_and_get_reply(message_bus.NameHasOwner(SECRET_SERVICE_NAME), timeout=3)
    except Exception:
        return None
    return bool(reply.body and reply.body[0])


def check_keyring() -> tuple[Status, str]:
    from .core.credentials import CredentialStore

    store = CredentialStore()
    name = store.backend_name()
    if store.keyring_available():
        return "OK", f"backend {name}"
    if sys.platform in ("win32", "darwin"):
        # Credential Manager / Keychain always exist: no backend means a broken bundle.
        return "FAIL", f"backend {name}: the system password store was not found (broken install?)"
    running = _secret_service_running()
    if running:
        return "FAIL", (f"backend {name}, but {SECRET_SERVICE_NAME} is running on the session bus: "
                        "the keyring backends are missing from this install")
    why = "cannot ask the session bus" if running is None else "no Secret Service is running"
    return "WARN", f"backend {name} ({why}); the API key can only be kept for one session"


def check_resources() -> tuple[Status, str]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from .resources import resource_dir, resource_path

    _gui_app()
    folder = resource_dir()
    svg = resource_path(*ICON_SVG)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise CheckFailed(f"{svg} is not a valid SVG")
    image = QImage(48, 48, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if image.pixelColor(24, 24).alpha() == 0:
        raise CheckFailed(f"{svg} renders empty")
    icon_png = folder / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    if not icon_png.is_file():
        return "WARN", f"{folder}; icon SVG renders but {icon_png.name} 48 px is missing"
    return "OK", f"{folder}; icon renders"


def check_certificates() -> tuple[Status, str]:
    import certifi

    cafile = Path(certifi.where())
    if not cafile.is_file():
        raise CheckFailed(f"certifi bundle missing: {cafile}")
    context = ssl.create_default_context(cafile=str(cafile))
    count = context.cert_store_stats().get("x509_ca", 0)
    if count == 0:
        raise CheckFailed(f"{cafile} holds no CA certificates")
    from .core.http import http2_available

    http2 = "HTTP/2 available" if http2_available() else "HTTP/1.1 only (h2 missing)"
    return "OK", f"{count} CA certificates from {cafile}; {http2}"


def check_network() -> tuple[Status, str]:
    """Which trust store and proxy HTTPS requests use (company networks need both)."""
    from .core.http import proxy_from_environment, ssl_context
    from .core.redact import redact

    _context, store = ssl_context()
    proxy = _configured_proxy() or proxy_from_environment()
    where = f"proxy {redact(_hide_password(proxy))}" if proxy else "no proxy (direct)"
    return "OK", f"TLS trusts {store}; {where}"


def _configured_proxy() -> str | None:
    try:
        from .ui.common.network import proxy_for_app

        return proxy_for_app()
    except ImportError:
        return None


def _hide_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":\u2022\u2022\u2022\u2022@")
    return url


async def _demo_round_trip(base_url: str, image_url: str) -> tuple[int, str, bytes]:
    from .core.request import SearchRequest
    from .core.service import SearchService
    from .demo import DEMO_API_KEY

    async with SearchService(base_url, DEMO_API_KEY) as service:
        async with asyncio.timeout(DEMO_TIMEOUT):
            outcome = await service.client.search(SearchRequest.create(image_url, count=DEMO_RESULTS))
            results = outcome.response.results
            thumb = next((r.thumbnail_url for r in results if r.thumbnail_url), None)
            if thumb is None:
                return len(results), "", b""
            fetched = await service.fetcher.fetch(thumb)
    return len(results), fetched.format, fetched.data


def _run_async(factory: Callable[[], Any]) -> Any:
    """asyncio.run, or in a worker thread when this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def check_demo_search() -> tuple[Status, str]:
    from .demo import DemoEngine

    _gui_app()
    started = time.monotonic()
    with DemoEngine() as engine:
        base, image_url = engine.base_url, engine.query_image_url("lighthouse")
        count, fmt, data = _run_async(lambda: _demo_round_trip(base, image_url))
    if count != DEMO_RESULTS:
        raise CheckFailed(f"demo search returned {count} results, expected {DEMO_RESULTS}")
    if not data:
        raise CheckFailed("no result had a thumbnail")
    image = _decode(data)
    if image.isNull():
        raise CheckFailed(f"the {fmt} thumbnail ({len(data)} bytes) does not decode")
    elapsed = time.monotonic() - started
    return "OK", (f"{count} results from the demo engine; {fmt} thumbnail "
                  f"{image.width()}x{image.height()} decoded ({elapsed:.2f} s)")


def check_thumbnail_network() -> tuple[Status, str]:
    """Thumbnails go through Qt's network stack and the pinning relay: both must work
    in this installation (Qt's TLS backend needs the system's OpenSSL 3)."""
    import qasync
    from PySide6.QtNetwork import QSslSocket

    from .demo import DemoEngine
    from .qtnet.thumbnail_fetcher import QtImageFetcher

    app = _gui_app()
    if not QSslSocket.supportsSsl():
        raise CheckFailed("Qt has no TLS backend (is OpenSSL 3, libssl3, installed?): "
                          "thumbnails from https sites cannot load")
    try:
        asyncio.get_running_loop()
        return "WARN", "not checked inside a running app"
    except RuntimeError:
        pass
    with DemoEngine() as engine:
        url = engine.query_image_url("lighthouse")
        loop = qasync.QEventLoop(app)
        fetcher = QtImageFetcher()
        try:
            data = loop.run_until_complete(
                asyncio.wait_for(fetcher.fetch(url, allow_local=True), DEMO_TIMEOUT))
        finally:
            fetcher.close()
            loop.close()
            asyncio.set_event_loop(None)
            del loop, fetcher
            # The loop's Qt timers sit in reference cycles: collected here, on the thread
            # that owns them, not by a later collection in some worker thread.
            gc.collect()
    if _decode(data).isNull():
        raise CheckFailed(f"the picture fetched through Qt ({len(data)} bytes) does not decode")
    return "OK", (f"a picture fetched through Qt's network stack and the address relay; TLS "
                  f"by {QSslSocket.sslLibraryVersionString()}")


CHECKS: tuple[tuple[str, Callable[[], tuple[Status, str]]], ...] = (
    ("Version", check_version),
    ("Python", check_python),
    ("Qt", check_qt),
    ("Image formats", check_image_formats),
    ("Keyring", check_keyring),
    ("Resources", check_resources),
    ("HTTPS certificates", check_certificates),
    ("Network", check_network),
    ("Demo search", check_demo_search),
    ("Thumbnail network", check_thumbnail_network),
)


def run_checks() -> list[CheckResult]:
    results: list[CheckResult] = []
    for name, check in CHECKS:
        try:
            status, detail = check()
        except CheckFailed as exc:
            status, detail = "FAIL", str(exc)
        except Exception as exc:  # a crashing check is a failed check, not a crashed report
            status, detail = "FAIL", f"{type(exc).__name__}: {exc}"
        results.append(CheckResult(name, status, " ".join(detail.split())))
    return results


def format_report(results: list[CheckResult]) -> list[str]:
    width = max(len(r.name) for r in results)
    lines = [f"{APP_NAME} {__version__} self-check"]
    lines += [f"{r.status:<4}  {r.name:<{width}}  {r.detail}" for r in results]
    failed = sum(r.status == "FAIL" for r in results)
    warned = sum(r.status == "WARN" for r in results)
    tail = f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""
    if failed:
        lines.append(f"FAILED: {failed} of {len(results)} checks failed{tail}.")
    else:
        lines.append(f"All {len(results)} checks passed{tail}.")
    return lines


def run_self_check(out: TextIO | None = None) -> int:
    """Print the report to ``out`` (stdout by default); 0 if no check failed, else 1."""
    stream = out if out is not None else sys.stdout
    results = run_checks()
    if stream is not None:  # a windowed build without a console has no stdout
        for line in format_report(results):
            print(line, file=stream)
        stream.flush()
    return 1 if any(r.status == "FAIL" for r in results) else 0


if __name__ == "__main__":
    sys.exit(run_self_check())
