"""What a finished ``QNetworkReply`` means: the picture's bytes, a redirect to follow,
or an :class:`ImageError` in plain words. Shared by the single fetch and the grid's
background fill."""

from __future__ import annotations

import shiboken6
from PySide6.QtNetwork import QNetworkReply, QNetworkRequest

from ..core.errors import ErrorDetail, ImageError
from ..core.fetcher import MAX_REDIRECTS, image_format_or_raise
from ..core.sizes import human_size

Error = QNetworkReply.NetworkError
Attribute = QNetworkRequest.Attribute
_CONNECT_ERRORS = {
    Error.ConnectionRefusedError, Error.HostNotFoundError, Error.NetworkSessionFailedError,
    Error.TemporaryNetworkFailureError, Error.UnknownNetworkError,
}
PROXY_ERRORS = {
    Error.ProxyConnectionRefusedError, Error.ProxyConnectionClosedError,
    Error.ProxyNotFoundError, Error.ProxyTimeoutError, Error.ProxyAuthenticationRequiredError,
    Error.UnknownProxyError,
}
_TLS_ERRORS = {Error.SslHandshakeFailedError}


def refused_error(url: str) -> ImageError:
    return ImageError("This image is on a local network address, so it was not loaded.",
                      ErrorDetail(url=url, cause="local address refused"))


def closing_error(url: str) -> ImageError:
    return ImageError("The app is closing.", ErrorDetail(url=url, cause="closed"))


def deadline_error(url: str, deadline: float) -> ImageError:
    return ImageError(f"The image did not finish downloading within {deadline:.0f} seconds.",
                      ErrorDetail(url=url, cause="deadline"))


def too_big_error(url: str, max_bytes: int) -> ImageError:
    return ImageError(
        f"The image is larger than {human_size(max_bytes)}, which is more than this "
        "app will download.", ErrorDetail(url=url, cause="too large"))


def too_many_redirects(url: str) -> ImageError:
    return ImageError("The address redirected too many times.",
                      ErrorDetail(url=url, cause=f"more than {MAX_REDIRECTS} redirects"))


def reply_outcome(url: str, reply: QNetworkReply) -> tuple[bytes, str | None]:
    """The body, or the Location of a redirect; raises ImageError for an error status
    or a transport failure (``transport_error`` says which)."""
    status = reply.attribute(Attribute.HttpStatusCodeAttribute)
    if not isinstance(status, int):
        raise transport_error(url, reply)
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


def transport_error(url: str, reply: QNetworkReply) -> ImageError:
    error = reply.error()
    detail = ErrorDetail(url=url, cause=f"{error.name}: {reply.errorString()}")
    if error in _CONNECT_ERRORS or error in PROXY_ERRORS:
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


class Sent:
    """One hop in flight: its reply, aborted once more than ``max_bytes`` come
    (Content-Length is not trusted)."""

    __slots__ = ("__weakref__", "max_bytes", "reply", "too_big")

    def __init__(self, reply: QNetworkReply, max_bytes: int) -> None:
        self.reply, self.max_bytes, self.too_big = reply, max_bytes, False
        reply.downloadProgress.connect(self._progress)

    def _progress(self, received: int, total: int) -> None:
        if received > self.max_bytes or total > self.max_bytes:
            self.too_big = True
            self.reply.abort()

    def close(self) -> None:
        """Stop the transfer if it still runs (cancelled, out of time) and let Qt
        delete the reply; close() of the fetcher already deleted it with its manager."""
        if shiboken6.isValid(self.reply):
            if not self.reply.isFinished():
                self.reply.abort()
            self.reply.downloadProgress.disconnect(self._progress)
            self.reply.deleteLater()
