"""Result thumbnails over Qt's network stack, behind the same address policy and caps.

A grid's fill is 150 small downloads. With httpx they cost about 2.4 ms of Python
each on the GUI thread (and HTTP/2 in pure Python more), which is what kept the
fill slower than a browser and stalled the window. ``QNetworkAccessManager`` does
HTTP/1.1, HTTP/2 and TLS in C++ on a thread of its own (Picard fetches cover art
the same way); the GUI thread only starts each request and takes its bytes.

Rules kept from :mod:`core.fetcher`: every connection goes through the pinning
relay (:mod:`core.pin_relay`, in a process of its own: :mod:`core.relay_process`),
which opens it only to an address the policy allows; redirects are followed one
hop at a time, each checked again; no cookies,
credentials, cache or Referer; a byte cap (Content-Length is not trusted), a
deadline, cancellation, and magic-byte sniffing. Behind a user's proxy the app
keeps to httpx, which carries the proxy (see ``SearchController.fetch_thumbnail``).
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import logging
import time
import weakref
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from urllib.parse import urljoin

import shiboken6
from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtNetwork import (
    QHttp1Configuration,
    QNetworkAccessManager,
    QNetworkCookie,
    QNetworkCookieJar,
    QNetworkProxy,
    QNetworkReply,
    QNetworkRequest,
    QSslConfiguration,
)

from ..core.errors import ErrorDetail, ImageError
from ..core.fetcher import (
    MAX_REDIRECTS,
    THUMBNAIL_MAX_BYTES,
    image_format_or_raise,
    is_local_address,
    is_public_address,
)
from ..core.http import USER_AGENT
from ..core.pin_relay import Resolver, system_resolve
from ..core.pinning import AddressPolicy
from ..core.relay_process import RelayProcess
from ..core.request import ValidationError, validate_image_url
from ..core.sizes import IMAGE_CONCURRENCY, human_size, on_screen_load
from .tls_setup import finish_tls_setup, in_plain_thread, tls_configuration

log = logging.getLogger("bingrev_desktop.qtnet")

# HTTP/1.1 hosts get this many connections (a browser opens 6, which made 25 rounds
# of latency for 150 thumbnails); an HTTP/2 host multiplexes them on one.
CONNECTIONS_PER_HOST = IMAGE_CONCURRENCY
# Requests handed to Qt at once: Qt queues what its connections cannot take yet, in
# priority order, so tiles on screen overtake the background fill.
MAX_IN_FLIGHT = 128
ALIVE_CHECK_EVERY = 1.0  # seconds between checks that the relay's process still runs

Error = QNetworkReply.NetworkError
Attribute = QNetworkRequest.Attribute
_CONNECT_ERRORS = {
    Error.ConnectionRefusedError, Error.HostNotFoundError, Error.NetworkSessionFailedError,
    Error.TemporaryNetworkFailureError, Error.UnknownNetworkError,
}
_PROXY_ERRORS = {
    Error.ProxyConnectionRefusedError, Error.ProxyConnectionClosedError,
    Error.ProxyNotFoundError, Error.ProxyTimeoutError, Error.ProxyAuthenticationRequiredError,
    Error.UnknownProxyError,
}
_TLS_ERRORS = {Error.SslHandshakeFailedError}


class _NoCookieJar(QNetworkCookieJar):
    """Image hosts must not track or link visits: nothing is kept or sent."""

    def setCookiesFromUrl(self, cookieList: Sequence[QNetworkCookie], url: QUrl | str) -> bool:
        return False

    def cookiesForUrl(self, url: QUrl | str) -> list[QNetworkCookie]:
        return []


_open_fetchers: weakref.WeakSet[QtImageFetcher] = weakref.WeakSet()


class _OnePerTurn(QObject):
    """Hands finished downloads back one per pass of the event loop.

    Qt reports a burst of finished replies together, and each wakes a task that
    keeps, decodes and shows its picture (about a millisecond of Python). Woken all
    at once, sixteen of them ran back to back before any timer or input could, and
    the window stalled for 20 ms. One per pass lets everything else in between."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # restarted while firing: it fires again next pass
        self._timer.timeout.connect(self._next)

    def wake(self, future: asyncio.Future[None]) -> None:
        self._waiting.append(future)
        if not self._timer.isActive():
            self._timer.start()

    def _next(self) -> None:
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():  # not cancelled meanwhile
                future.set_result(None)
                break
        if self._waiting:
            self._timer.start()


@atexit.register
def _close_open_fetchers() -> None:
    """A fetcher nobody closed (a test, a crash path) still ends its threads before
    Qt is torn down."""
    for fetcher in list(_open_fetchers):
        if shiboken6.isValid(fetcher):
            fetcher.close()
    finish_tls_setup()


def _refused(url: str) -> ImageError:
    return ImageError("This image is on a local network address, so it was not loaded.",
                      ErrorDetail(url=url, cause="local address refused"))


class QtImageFetcher(QObject):
    """``await fetcher.fetch(url, allow_local=...)`` → the image's bytes, or ImageError.

    ``allow_local`` (a search service on this computer: the demo engine, tests) lets
    results point here; otherwise ``address_allowed`` decides (public addresses).
    ``multiplexed`` is emitted once a thumbnail host answered over HTTP/2: the grid
    may then hand over many more loads at once (they share one connection, and no
    queue forms in front of tiles scrolled onto the screen)."""

    multiplexed = Signal()

    def __init__(self, address_allowed: AddressPolicy = is_public_address, *,
                 deadline: float = 45.0, resolve: Resolver = system_resolve,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.deadline = deadline
        self._address_allowed = address_allowed
        self._resolve = resolve
        # In a process of its own: its Python would take the GIL from the GUI thread.
        self._relay = self._new_relay()
        self._managers: dict[bool, QNetworkAccessManager] = {}
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._turns = _OnePerTurn(self)
        self._ssl: QSslConfiguration | None = None
        self._relay_started = False
        self._alive_checked = 0.0
        self._multiplexed = False
        self._tls_setup: asyncio.Future[QSslConfiguration | None] | None = None
        self._starting = asyncio.Lock()
        self._http1 = QHttp1Configuration()
        self._template: QNetworkRequest | None = None
        self._http1.setNumberOfConnectionsPerHost(CONNECTIONS_PER_HOST)
        self._closed = False
        _open_fetchers.add(self)

    def _new_relay(self) -> RelayProcess:
        return RelayProcess({"results": self._address_allowed, "local": None},
                            resolve=self._resolve)

    @property
    def relay_process(self) -> BaseProcess | None:
        return self._relay.process

    def close(self) -> None:
        """On quit: abort what is in flight, end Qt's network thread now (a QThread
        still running when the process exits aborts it), let the relay's process end."""
        if self._closed:
            return
        self._closed = True
        _open_fetchers.discard(self)
        for manager in self._managers.values():
            for reply in manager.findChildren(QNetworkReply):
                reply.abort()
            shiboken6.delete(manager)  # waits for its thread; the replies go with it
        self._managers.clear()
        self._relay.close()

    async def prepare(self) -> None:
        """Start the relay and Qt's TLS set-up now (both in workers), not at the first
        fetch."""
        if not self._closed:
            await self._ready(tls=True)

    async def _ready(self, tls: bool) -> None:
        """Once: the relay listens (in a worker), and Qt's TLS set-up starts in a thread
        of its own; an HTTPS request waits for the set-up, an HTTP one does not."""
        async with self._starting:
            if self._relay_died():
                # Killed, or crashed: a new one, with a new token, on a new port (the
                # old port is free for any program to take).
                log.warning("the address relay ended; starting it again")
                self._relay.close()
                self._relay, self._relay_started = self._new_relay(), False
            if not self._relay_started:
                try:
                    await asyncio.to_thread(self._relay.start)
                except OSError as exc:  # no loopback at all (a sandbox without network)
                    raise ImageError(
                        "Pictures cannot be downloaded: this computer has no network.",
                        ErrorDetail(cause=f"the address relay could not start: {exc!r}")
                    ) from None
                self._relay_started = True
                for allow_local, manager in self._managers.items():
                    manager.setProxy(self._proxy(allow_local))
            if self._tls_setup is None:
                self._tls_setup = asyncio.ensure_future(in_plain_thread(tls_configuration))
        if tls:
            self._ssl = await asyncio.shield(self._tls_setup)

    def _relay_died(self) -> bool:
        """Looked at once a second, and at the fetch after a proxy error (a system call:
        not at every thumbnail)."""
        now = time.monotonic()
        if not self._relay_started or self._closed or \
                now < self._alive_checked + ALIVE_CHECK_EVERY:
            return False
        self._alive_checked = now
        return not self._relay.alive

    def _manager(self, allow_local: bool) -> QNetworkAccessManager:
        manager = self._managers.get(allow_local)
        if manager is None:
            manager = QNetworkAccessManager(self)
            manager.setProxy(self._proxy(allow_local))
            manager.setCookieJar(_NoCookieJar(manager))
            manager.setRedirectPolicy(QNetworkRequest.RedirectPolicy.ManualRedirectPolicy)
            manager.setAutoDeleteReplies(False)
            self._managers[allow_local] = manager
        return manager

    def _proxy(self, allow_local: bool) -> QNetworkProxy:
        return QNetworkProxy(QNetworkProxy.ProxyType.Socks5Proxy, "127.0.0.1", self._relay.port,
                             "local" if allow_local else "results", self._relay.token)

    def _request(self, url: str) -> QNetworkRequest:
        if self._template is None:  # the same for every picture: set up once, then copied
            template = QNetworkRequest()
            template.setRawHeader(b"User-Agent", USER_AGENT.encode())
            template.setRawHeader(b"Accept", b"image/*,*/*;q=0.5")
            template.setRawHeader(b"Accept-Encoding", b"identity")  # the cap counts real bytes
            manual = QNetworkRequest.LoadControl.Manual
            template.setAttribute(Attribute.CookieLoadControlAttribute, manual)
            template.setAttribute(Attribute.CookieSaveControlAttribute, manual)
            template.setAttribute(Attribute.AuthenticationReuseAttribute, manual)
            template.setAttribute(Attribute.RedirectPolicyAttribute,
                                  QNetworkRequest.RedirectPolicy.ManualRedirectPolicy)
            template.setHttp1Configuration(self._http1)
            self._template = template
        request = QNetworkRequest(self._template)
        request.setUrl(QUrl(url, QUrl.ParsingMode.StrictMode))
        request.setPriority(QNetworkRequest.Priority.HighPriority if on_screen_load.get()
                            else QNetworkRequest.Priority.NormalPriority)
        request.setTransferTimeout(int((self.deadline + 5) * 1000))  # a backstop: ours ends first
        if self._ssl is not None:
            request.setSslConfiguration(self._ssl)
        return request

    def _check(self, url: str, allow_local: bool) -> str:
        try:
            url = validate_image_url(url, httpx_check=False)
            parsed = QUrl(url, QUrl.ParsingMode.StrictMode)
            host = parsed.host()
            if not parsed.isValid() or not (QUrl.toAce(host) or ":" in host):  # or IPv6
                raise ValidationError("This web address has a site name that is not valid.")
        except ValidationError as exc:
            raise ImageError(f"This address cannot be loaded: {exc}",
                             ErrorDetail(url=url[:500], cause="invalid address")) from None
        # A first look at the address as written; the relay checks what it resolves to.
        if not allow_local and self._address_allowed is is_public_address \
                and is_local_address(url):
            raise _refused(url)
        return url

    async def fetch(self, url: str, *, allow_local: bool,
                    max_bytes: int = THUMBNAIL_MAX_BYTES) -> bytes:
        if self._closed:
            raise ImageError("The app is closing.", ErrorDetail(url=url, cause="closed"))
        url = self._check(url, allow_local)
        async with self._slots:
            try:
                async with asyncio.timeout(self.deadline):
                    for _hop in range(MAX_REDIRECTS + 1):
                        data, location = await self._get(url, allow_local, max_bytes)
                        if location is None:
                            return data
                        try:
                            url = self._check(urljoin(url, location), allow_local)
                        except ImageError as exc:
                            raise ImageError(
                                f"The image redirected to an address that cannot be used: "
                                f"{exc}", exc.detail) from None
            except TimeoutError:
                raise ImageError(
                    f"The image did not finish downloading within {self.deadline:.0f} seconds.",
                    ErrorDetail(url=url, cause="deadline")) from None
        raise ImageError("The address redirected too many times.",
                         ErrorDetail(url=url, cause=f"more than {MAX_REDIRECTS} redirects"))

    async def _get(self, url: str, allow_local: bool, max_bytes: int
                   ) -> tuple[bytes, str | None]:
        """One hop: the body, or the Location of a redirect."""
        await self._ready(tls=url[:6].lower() == "https:")
        if self._closed:  # closed while this one waited for a slot or the set-up
            raise ImageError("The app is closing.", ErrorDetail(url=url, cause="closed"))
        self._relay.drain()
        reply = self._manager(allow_local).get(self._request(url))
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        too_big = False

        def progress(received: int, total: int) -> None:
            nonlocal too_big
            if received > max_bytes or total > max_bytes:
                too_big = True
                reply.abort()

        def done() -> None:
            self._turns.wake(finished)

        reply.downloadProgress.connect(progress)
        reply.finished.connect(done)
        try:
            await finished
            if self._closed:
                raise ImageError("The app is closing.", ErrorDetail(url=url, cause="closed"))
            return self._outcome(url, reply, too_big, max_bytes)
        finally:
            if shiboken6.isValid(reply):  # close() deletes the replies with their manager
                if not reply.isFinished():
                    reply.abort()  # cancelled or out of time: Qt stops the transfer
                reply.downloadProgress.disconnect(progress)
                reply.finished.disconnect(done)
                reply.deleteLater()

    def _outcome(self, url: str, reply: QNetworkReply, too_big: bool, max_bytes: int
                 ) -> tuple[bytes, str | None]:
        if too_big:
            raise ImageError(
                f"The image is larger than {human_size(max_bytes)}, which is more than this "
                "app will download.", ErrorDetail(url=url, cause="too large"))
        if not self._multiplexed and reply.attribute(Attribute.Http2WasUsedAttribute) is True:
            self._multiplexed = True
            self.multiplexed.emit()
        status = reply.attribute(Attribute.HttpStatusCodeAttribute)
        if not isinstance(status, int):
            raise self._transport_error(url, reply)
        if 300 <= status < 400:
            location = bytes(reply.rawHeader("Location").data()).decode("latin-1").strip()
            if location:
                return b"", location
        if status >= 400:
            raise ImageError(
                f"The image could not be downloaded (the site answered with error {status}).",
                ErrorDetail(url=url, status=status))
        data = bytes(reply.readAll().data())
        content_type = bytes(reply.rawHeader("Content-Type").data()).decode("latin-1") or None
        image_format_or_raise(url, data, content_type)
        return data, None

    def _transport_error(self, url: str, reply: QNetworkReply) -> ImageError:
        error = reply.error()
        detail = ErrorDetail(url=url, cause=f"{error.name}: {reply.errorString()}")
        if self._relay.refused(QUrl(url).host()):  # Qt calls this "host not found"
            return _refused(url)
        if error in _PROXY_ERRORS:
            self._alive_checked = 0.0  # the relay may have died: look at the next fetch
        if error in _CONNECT_ERRORS or error in _PROXY_ERRORS:
            message = ("Could not connect to the server. Check your internet connection, "
                       "or try again in a moment.")
        elif error is Error.TimeoutError or error is Error.OperationCanceledError:
            message = "The server stopped answering. Try again in a moment."
        elif error in _TLS_ERRORS:
            message = ("The site's secure connection could not be verified, so the image "
                       "was not loaded.")
        elif error is Error.RemoteHostClosedError:
            message = "The connection broke before the whole answer arrived. Try again."
        else:
            message = "A network error stopped the request. Try again."
        return ImageError(message, detail)
