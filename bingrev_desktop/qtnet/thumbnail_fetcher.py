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
    QHttp2Configuration,
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
    is_local_address,
    is_public_address,
)
from ..core.fill_types import Hold, PictureArrived, Take, Window
from ..core.http import USER_AGENT
from ..core.pin_relay import Resolver, system_resolve
from ..core.pinning import AddressPolicy
from ..core.relay_process import RelayProcess
from ..core.request import ValidationError, validate_image_url
from ..core.sizes import IMAGE_CONCURRENCY, on_screen_load
from .background_fill import BackgroundFill
from .replies import (
    PROXY_ERRORS,
    Attribute,
    Sent,
    closing_error,
    deadline_error,
    refused_error,
    reply_outcome,
    too_big_error,
    too_many_redirects,
)
from .tls_setup import finish_tls_setup, in_plain_thread, tls_configuration

log = logging.getLogger("bingrev_desktop.qtnet")

# HTTP/1.1 hosts get this many connections (a browser opens 6, which made 25 rounds
# of latency for 150 thumbnails); an HTTP/2 host multiplexes them on one.
CONNECTIONS_PER_HOST = IMAGE_CONCURRENCY
# Requests handed to Qt at once: Qt queues what its connections cannot take yet, in
# priority order, so tiles on screen overtake the background fill.
MAX_IN_FLIGHT = 128
# HTTP/2 flow-control windows, as a browser sets them: a whole grid's pictures may be
# on their way at once, and one picture up to the cap.
SESSION_WINDOW = 16 * 1024 * 1024
STREAM_WINDOW = 2 * 1024 * 1024
ALIVE_CHECK_EVERY = 1.0  # seconds between checks that the relay's process still runs


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
        # Qt's own windows are 64 KB for the whole connection: the server stopped
        # every 64 KB and waited a round trip for more (a browser allows megabytes).
        self._http2 = QHttp2Configuration()
        self._http2.setSessionReceiveWindowSize(SESSION_WINDOW)
        self._http2.setStreamReceiveWindowSize(STREAM_WINDOW)
        self._closed = False
        self._fills: weakref.WeakSet[BackgroundFill] = weakref.WeakSet()
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
        for fill in list(self._fills):
            fill.stop()
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
            await self.ready(tls=True)

    @property
    def closed(self) -> bool:
        return self._closed

    async def fill(self, take: Take, arrived: PictureArrived, *, allow_local: bool,
                   window: Window, hold: Hold) -> None:
        """A grid's background fill, in Qt's callbacks (see :mod:`.background_fill`)."""
        if self._closed:
            return
        fill = BackgroundFill(self, take, arrived, allow_local=allow_local, window=window,
                              hold=hold)
        self._fills.add(fill)
        try:
            await fill.run()
        finally:
            self._fills.discard(fill)

    async def ready(self, tls: bool) -> None:
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
            template.setHttp2Configuration(self._http2)
            self._template = template
        request = QNetworkRequest(self._template)
        request.setUrl(QUrl(url, QUrl.ParsingMode.StrictMode))
        request.setPriority(QNetworkRequest.Priority.HighPriority if on_screen_load.get()
                            else QNetworkRequest.Priority.NormalPriority)
        request.setTransferTimeout(int((self.deadline + 5) * 1000))  # a backstop: ours ends first
        if self._ssl is not None:
            request.setSslConfiguration(self._ssl)
        return request

    def check(self, url: str, allow_local: bool) -> str:
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
            raise refused_error(url)
        return url

    async def fetch(self, url: str, *, allow_local: bool,
                    max_bytes: int = THUMBNAIL_MAX_BYTES) -> bytes:
        if self._closed:
            raise closing_error(url)
        url = self.check(url, allow_local)
        async with self._slots:
            try:
                async with asyncio.timeout(self.deadline):
                    for _hop in range(MAX_REDIRECTS + 1):
                        data, location = await self._get(url, allow_local, max_bytes)
                        if location is None:
                            return data
                        url = self.redirect_target(url, location, allow_local)
            except TimeoutError:
                raise deadline_error(url, self.deadline) from None
        raise too_many_redirects(url)

    def redirect_target(self, url: str, location: str, allow_local: bool) -> str:
        try:
            try:
                target = urljoin(url, location)
            except ValueError:  # a hostile Location ("http://[x/")
                raise ImageError("This web address is not valid.",
                                 ErrorDetail(url=url, cause="invalid redirect")) from None
            return self.check(target, allow_local)
        except ImageError as exc:
            raise ImageError(f"The image redirected to an address that cannot be used: {exc}",
                             exc.detail) from None

    def send(self, url: str, allow_local: bool, max_bytes: int) -> Sent:
        """Start one hop (the relay and TLS are ready): its reply aborts past the cap."""
        self._relay.drain()
        return Sent(self._manager(allow_local).get(self._request(url)), max_bytes)

    async def _get(self, url: str, allow_local: bool, max_bytes: int
                   ) -> tuple[bytes, str | None]:
        """One hop: the body, or the Location of a redirect."""
        await self.ready(tls=url[:6].lower() == "https:")
        if self._closed:  # closed while this one waited for a slot or the set-up
            raise closing_error(url)
        sent = self.send(url, allow_local, max_bytes)
        finished: asyncio.Future[None] = asyncio.get_event_loop().create_future()

        def done() -> None:
            self._turns.wake(finished)

        sent.reply.finished.connect(done)
        try:
            await finished
            if self._closed:
                raise closing_error(url)
            return self.outcome(url, sent)
        finally:
            if shiboken6.isValid(sent.reply):
                sent.reply.finished.disconnect(done)
            sent.close()

    def outcome(self, url: str, sent: Sent) -> tuple[bytes, str | None]:
        """What a finished hop brought: the body, or a redirect's Location."""
        if sent.too_big:
            raise too_big_error(url, sent.max_bytes)
        reply = sent.reply
        if not self._multiplexed and reply.attribute(Attribute.Http2WasUsedAttribute) is True:
            self._multiplexed = True
            self.multiplexed.emit()
        if not isinstance(reply.attribute(Attribute.HttpStatusCodeAttribute), int):
            # No answer at all (an HTTP error status is the site's, not the relay's).
            if self._relay.refused(QUrl(url).host()):  # Qt calls this "host not found"
                raise refused_error(url)
            if reply.error() in PROXY_ERRORS:
                self._alive_checked = 0.0  # the relay may have died: look at next fetch
        data, location = reply_outcome(url, reply)
        if len(data) > sent.max_bytes:  # more came in one read than the cap
            raise too_big_error(url, sent.max_bytes)
        return data, location
