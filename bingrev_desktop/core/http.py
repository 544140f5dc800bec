"""Shared httpx plumbing: the one AsyncClient, capped body reads, error mapping."""

from __future__ import annotations

import http.cookiejar
import json
import os
import ssl
from collections.abc import Callable
from typing import Any

import httpx

from .. import __version__
from . import pinning
from .errors import (
    BingrevError,
    ConnectionFailedError,
    DeadlineExceededError,
    ErrorDetail,
    InvalidResponseError,
)
from .redact import redact

USER_AGENT = f"bingrev-desktop/{__version__}"
# A search can take 10-30 s before the first byte, so the read timeout is generous;
# the overall deadline (asyncio.timeout) is what bounds a slow drip.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=15.0, pool=15.0)
# The pool is larger than any semaphore we hold, so cancelled requests cannot
# exhaust it (encode/httpcore#1093).
DEFAULT_LIMITS = httpx.Limits(max_connections=48, max_keepalive_connections=24)

ProgressCallback = Callable[[int, int | None], None]


def http2_available() -> bool:
    """HTTP/2 needs the optional h2 package; without it the client speaks HTTP/1.1."""
    try:
        import h2  # noqa: F401
    except ImportError:
        return False
    return True


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Nothing this app talks to needs cookies; image hosts must not track or link visits."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def cookieless_jar() -> http.cookiejar.CookieJar:
    # A bare CookieJar: httpx keeps it as is, while an httpx.Cookies would be copied
    # into a new jar without this policy.
    return http.cookiejar.CookieJar(policy=_NoCookies())


PROXY_ENV = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY",
             "http_proxy")


def ssl_context() -> tuple[ssl.SSLContext, str]:
    """The OS trust store (so a company's TLS-inspecting proxy is trusted like in the
    browser), with certifi's bundle as the fallback; and which one is in use."""
    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT), "the system's trust store"
    except (ImportError, ssl.SSLError, OSError):
        import certifi

        return ssl.create_default_context(cafile=certifi.where()), "certifi's bundle"


def proxy_from_environment() -> str | None:
    """The proxy the environment names (HTTPS_PROXY and friends), if any."""
    for name in PROXY_ENV:
        value = os.environ.get(name, "").strip()
        if value:
            return value if "://" in value else f"http://{value}"
    return None


def make_http_client(proxy: str | None = None, **overrides: Any) -> httpx.AsyncClient:
    """The app's one long-lived client. Create it inside the running loop.

    ``proxy`` (from Settings, the system or the environment) carries every request
    except those to this computer (the demo engine)."""
    verify, _name = ssl_context()
    http2 = http2_available()
    direct = httpx.AsyncHTTPTransport(verify=verify, http2=http2, limits=DEFAULT_LIMITS)
    pinning.install(direct)  # result fetches connect only to the addresses they checked
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    if proxy:
        mounts["all://"] = httpx.AsyncHTTPTransport(
            proxy=proxy, verify=verify, http2=http2, limits=DEFAULT_LIMITS)
        for host in ("127.0.0.1", "localhost", "[::1]"):
            mounts[f"all://{host}"] = None  # the client's own, direct transport
    options: dict[str, Any] = {
        "transport": direct,
        "mounts": mounts or None,
        "cookies": cookieless_jar(),
        "http2": http2,  # many image hosts multiplex thumbnails over HTTP/2
        "timeout": DEFAULT_TIMEOUT,
        "limits": DEFAULT_LIMITS,
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,
        "trust_env": False,  # proxies come from ``proxy`` only: one place decides
    }
    options.update(overrides)
    return httpx.AsyncClient(**options)


class BodyTooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body larger than {limit} bytes")
        self.limit = limit


async def read_capped(
    response: httpx.Response, limit: int, progress: ProgressCallback | None = None
) -> bytes:
    """Read a streamed body, counting bytes as they arrive (Content-Length is not trusted)."""
    declared = response.headers.get("content-length")
    total = int(declared) if declared and declared.isdigit() else None
    if total is not None and total > limit:
        raise BodyTooLargeError(limit)
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > limit:
            raise BodyTooLargeError(limit)
        chunks.append(chunk)
        if progress is not None:
            progress(received, total)
    return b"".join(chunks)


def transport_error(exc: httpx.HTTPError, url: str, attempts: int = 1) -> BingrevError:
    """Map an httpx exception (no response) to a user-facing error."""
    detail = ErrorDetail(url=url, cause=f"{type(exc).__name__}: {exc}", attempts=attempts)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ConnectionFailedError(
            "Could not connect to the server. Check your internet connection, "
            "or try again in a moment.",
            detail,
        )
    if isinstance(exc, httpx.TimeoutException):
        return DeadlineExceededError(
            "The server stopped answering. Try again in a moment.", detail
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return InvalidResponseError(
            "The connection broke before the whole answer arrived. Try again.", detail
        )
    return ConnectionFailedError("A network error stopped the request. Try again.", detail)


def server_message(body: bytes) -> str | None:
    """The human message in an error body (``message`` or ``error``), if any."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    for key in ("message", "error", "msg", "detail"):
        value = payload.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return redact(value.strip())[:300]  # redacted before cut, or a key's start shows
    return None


def request_id(response: httpx.Response, body: bytes = b"") -> str | None:
    for header in ("x-request-id", "request-id", "x-amzn-requestid", "cf-ray"):
        value: str | None = response.headers.get(header)
        if value:
            return redact(value)[:128]
    try:
        payload = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if isinstance(payload, dict):
        meta = payload.get("search_metadata")
        for value in (payload.get("request_id"), meta.get("id") if isinstance(meta, dict) else None):
            if isinstance(value, str):
                return redact(value)[:128]
    return None

