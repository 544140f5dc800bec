"""Download images (previews, thumbnails, full-size copies) and probe pages, with
bounded concurrency, a byte cap and a deadline.

Only bytes are fetched here; decoding with an allocation limit happens in the
Qt layer, off the GUI thread. No credentials, cookies or Referer are ever sent
with these requests, and redirects are followed one hop at a time so each hop
passes the same address policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from .errors import ErrorDetail, ImageError, NotAnImageError, excerpt
from .http import BodyTooLargeError, ProgressCallback, read_capped, transport_error
from .pin_relay import system_resolve
from .pinning import AddressPolicy, IPAddress, RefusedAddressError, connect_policy
from .request import ValidationError, validate_image_url
from .sizes import IMAGE_CONCURRENCY, human_size

log = logging.getLogger("bingrev_desktop.fetcher")

THUMBNAIL_MAX_BYTES = 4 * 1024 * 1024
PREVIEW_MAX_BYTES = 30 * 1024 * 1024
ORIGINAL_MAX_BYTES = PREVIEW_MAX_BYTES
MAX_REDIRECTS = 5
# Requests to the sites that host results must not name this app: they may be run
# by the people being investigated. A common browser's string blends in.
NEUTRAL_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"BM", 0, "bmp"),
    (b"II*\x00", 0, "tiff"),
    (b"MM\x00*", 0, "tiff"),
    (b"\x00\x00\x01\x00", 0, "ico"),
)


def sniff_image_format(head: bytes) -> str | None:
    """Image format from the first bytes; None when it is not a known image."""
    for magic, offset, name in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis", b"heic", b"heix", b"mif1"):
        return "avif" if head[8:11] == b"avi" else "heic"
    # SVG is deliberately not accepted: drawing it can take minutes (nested <use>).
    return None


def image_format_or_raise(url: str, data: bytes, content_type: str | None) -> str:
    """The image format of downloaded bytes, or :class:`NotAnImageError` saying what
    came instead (a web page, or something else)."""
    fmt = sniff_image_format(data[:64])
    if fmt is not None:
        return fmt
    is_page = b"<html" in data[:2048].lower() or (content_type or "").startswith("text/")
    message = (
        "This address points to a web page, not to an image. Open the page, right-click "
        "the picture and choose \u201cCopy image address\u201d."
        if is_page
        else "The address did not return an image."
    )
    raise NotAnImageError(
        message,
        ErrorDetail(url=url, cause=f"content-type {content_type}",
                    body_excerpt=excerpt(data[:300])),
    )


NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Not public, but Python 3.11's ipaddress does not say so for all of them.
NOT_PUBLIC_V6 = tuple(ipaddress.ip_network(n) for n in (
    "fec0::/10",  # old site-local
    "64:ff9b:1::/48",  # local-use NAT64
    "::ffff:0:0:0/96",  # IPv4-translated
    "::/96",  # IPv4-compatible (deprecated)
    "2001::/32",  # Teredo: judged by the address it wraps, below
))
RESOLVE_DEADLINE = 10.0


def is_public_address(address: IPAddress) -> bool:
    """May a fetch for a result connect here? Only globally routable unicast addresses;
    IPv6 forms that embed an IPv4 address are judged by the address they embed."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return is_public_address(embedded)
        if any(address in net for net in NOT_PUBLIC_V6):
            return False
    return address.is_global and not address.is_multicast and not address.is_unspecified


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name resolves to (literal IPs in any spelling included)."""
    try:
        async with asyncio.timeout(RESOLVE_DEADLINE):
            return await system_resolve(host, port)
    except (OSError, UnicodeError, TimeoutError) as exc:
        raise ImageError("The image's site name could not be found.",
                         ErrorDetail(url=host, cause=repr(exc))) from None


def is_local_address(url: str) -> bool:
    """Loopback, private-network and link-local targets (by literal IP or name)."""
    return _is_local_host((urlsplit(url).hostname or "").strip("[]").casefold())


@functools.lru_cache(maxsize=1024)  # a grid's 150 thumbnails come from a few hosts
def _is_local_host(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith((".local", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not is_public_address(address)


def _valid(url: str) -> str:
    try:
        return validate_image_url(url)
    except ValidationError as exc:
        raise ImageError(f"This address cannot be loaded: {exc}",
                         ErrorDetail(url=url[:500], cause="invalid address")) from None


def _refused(url: str) -> ImageError:
    return ImageError("This image is on a local network address, so it was not loaded.",
                      ErrorDetail(url=url, cause="local address refused"))


@dataclass(frozen=True, slots=True)
class FetchedImage:
    url: str
    data: bytes
    format: str
    content_type: str | None
    status: int = 200
    final_url: str = ""  # after redirects


@dataclass(frozen=True, slots=True)
class Probe:
    """What a page address answers now (link checks): status and where it ended."""

    url: str
    status: int
    final_url: str


class ImageFetcher:
    """Fetches image bytes; at most ``concurrency`` downloads run at once."""

    def __init__(
        self, http: httpx.AsyncClient, *, concurrency: int = IMAGE_CONCURRENCY,
        deadline: float = 45.0,
        address_allowed: AddressPolicy = is_public_address, proxied: bool = False,
    ) -> None:
        self._http = http
        self._proxied = proxied  # behind a proxy, names may only resolve at the proxy
        self._slots = asyncio.Semaphore(concurrency)
        self.deadline = deadline
        self._address_allowed = address_allowed

    def _refuse_local(self, url: str, allow_local: bool) -> None:
        """A cheap first look at the address as written (the real check resolves it)."""
        if not allow_local and self._address_allowed is is_public_address \
                and is_local_address(url):
            raise _refused(url)

    async def _check_host(self, url: str, allow_local: bool) -> bool:
        """Refuse a result's address unless every address its name resolves to is
        allowed. Returns whether the connection must be pinned at connect time too
        (:mod:`pinning`), so a second DNS answer cannot swap the address."""
        if allow_local:
            return False
        host = httpx.URL(url).raw_host.decode("ascii")  # punycode, as httpx will send it
        port = httpx.URL(url).port or (443 if url.startswith("https") else 80)
        try:
            addresses = await resolve(host, port)
        except ImageError:
            if self._proxied:  # names may resolve only at the proxy, which fetches it
                return False
            raise
        if not addresses or not all(self._address_allowed(a) for a in addresses):
            raise _refused(url)
        return not self._proxied  # through a proxy, the proxy makes the connection

    async def fetch(
        self,
        url: str,
        *,
        max_bytes: int = THUMBNAIL_MAX_BYTES,
        progress: ProgressCallback | None = None,
        allow_local: bool = True,
        site_contact: bool = False,
    ) -> FetchedImage:
        """``allow_local=False`` for addresses that came from search results: a result
        must not make this computer fetch from its own network. ``site_contact`` marks a
        request to a site that hosts a result (full-size copies, link checks): it is sent
        with a neutral User-Agent."""
        url = _valid(url)
        self._refuse_local(url, allow_local)
        async with self._slots:
            try:
                async with asyncio.timeout(self.deadline):
                    return await self._download(url, max_bytes, progress, allow_local,
                                                site_contact)
            except TimeoutError:
                raise ImageError(
                    f"The image did not finish downloading within {self.deadline:.0f} seconds.",
                    ErrorDetail(url=url, cause="deadline"),
                ) from None

    async def probe(self, url: str, *, allow_local: bool = True) -> Probe:
        """Is a page still there? Reads the status only (the body is not downloaded)."""
        url = _valid(url)
        self._refuse_local(url, allow_local)
        async with self._slots:
            try:
                async with asyncio.timeout(self.deadline):
                    async with self._open(url, allow_local, site_contact=True) as response:
                        return Probe(url, response.status_code, str(response.url))
            except TimeoutError:
                raise ImageError(f"The site did not answer within {self.deadline:.0f} seconds.",
                                 ErrorDetail(url=url, cause="deadline")) from None
            except httpx.HTTPError as exc:
                error = transport_error(exc, url)
                raise ImageError(str(error), error.detail) from exc
            except (httpx.InvalidURL, UnicodeError, ValidationError) as exc:
                raise ImageError("This web address is not valid.",
                                 ErrorDetail(url=url, cause=repr(exc))) from exc

    @contextlib.asynccontextmanager
    async def _open(self, url: str, allow_local: bool,
                    site_contact: bool) -> AsyncIterator[httpx.Response]:
        """A streamed GET that follows at most MAX_REDIRECTS hops, checking each one."""
        headers = {"Accept": "image/*,*/*;q=0.5"}
        if site_contact:
            headers["User-Agent"] = NEUTRAL_USER_AGENT
        for _hop in range(MAX_REDIRECTS + 1):
            pin = await self._check_host(url, allow_local)
            token = connect_policy.set(self._address_allowed if pin else None)
            try:
                async with self._http.stream("GET", url, follow_redirects=False,
                                             headers=headers) as response:
                    location = response.headers.get("location")
                    if not (response.is_redirect and location):
                        yield response
                        return
            except httpx.ConnectError as exc:
                if isinstance(exc.__cause__, RefusedAddressError):  # httpx wraps httpcore's
                    raise _refused(url) from None
                raise
            finally:
                connect_policy.reset(token)
            url = validate_image_url(urljoin(url, location))
            self._refuse_local(url, allow_local)
        raise ImageError("The address redirected too many times.",
                         ErrorDetail(url=url, cause=f"more than {MAX_REDIRECTS} redirects"))

    async def _download(
        self, url: str, max_bytes: int, progress: ProgressCallback | None, allow_local: bool,
        site_contact: bool,
    ) -> FetchedImage:
        try:
            async with self._open(url, allow_local, site_contact) as response:
                status, final_url = response.status_code, str(response.url)
                if response.status_code >= 400:
                    raise ImageError(
                        f"The image could not be downloaded (the site answered with error "
                        f"{response.status_code}).",
                        ErrorDetail(url=url, status=response.status_code),
                    )
                try:
                    data = await read_capped(response, max_bytes, progress)
                except BodyTooLargeError:
                    raise ImageError(
                        f"The image is larger than {human_size(max_bytes)}, which is more "
                        "than this app will download.",
                        ErrorDetail(url=url, status=response.status_code),
                    ) from None
                content_type = response.headers.get("content-type")
        except httpx.HTTPError as exc:
            error = transport_error(exc, url)
            raise ImageError(str(error), error.detail) from exc
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise ImageError("This web address cannot be downloaded: its site name is not "
                             "valid.", ErrorDetail(url=url, cause=repr(exc))) from exc
        except ValidationError as exc:
            raise ImageError(f"The image redirected to an address that cannot be used: {exc}",
                             ErrorDetail(url=url, cause="bad redirect")) from exc
        fmt = image_format_or_raise(url, data, content_type)
        return FetchedImage(url, data, fmt, content_type, status, final_url)
