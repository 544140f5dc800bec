"""Connect only to addresses the policy allows, checked at connect time.

The fetcher checks a result's host before each request; this network backend
checks again when a connection is actually opened, and connects to the very
address it checked, so a second DNS answer (rebinding) cannot swap it. The URL
keeps its host name, so TLS verifies the certificate for that name and pooled
connections stay per site. The policy is set per request through a context
variable: requests the user made themselves (their own image, the API) are not
restricted.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]

# The policy for connections opened by the current task; None means unrestricted.
connect_policy: contextvars.ContextVar[AddressPolicy | None] = contextvars.ContextVar(
    "bingrev_connect_policy", default=None)


class RefusedAddressError(httpcore.ConnectError):
    """A connection to an address the policy does not allow was refused."""


class _CachedInfoStream(httpcore.AsyncNetworkStream):
    """A stream whose ``get_extra_info`` answers are cached. httpcore asks for the socket
    every time it looks for an idle connection; AnyIO builds a fresh dict of lookups
    for each question, which cost about a third of a thumbnail fill's CPU."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._info: dict[str, Any] = {}

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _CachedInfoStream(await self._inner.start_tls(ssl_context, server_hostname,
                                                             timeout))

    def get_extra_info(self, info: str) -> Any:
        if info not in self._info:
            self._info[info] = self._inner.get_extra_info(info)
        return self._info[info]


class PinningBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        policy = connect_policy.get()
        if policy is None:
            return _CachedInfoStream(await self._inner.connect_tcp(
                host, port, timeout, local_address, socket_options))
        import asyncio

        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout or 10.0)
        except (OSError, UnicodeError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = [ipaddress.ip_address(str(i[4][0]).split("%")[0]) for i in infos]
        if not addresses or not all(policy(a) for a in addresses):
            raise RefusedAddressError(f"{host} resolves to an address that is not allowed")
        return _CachedInfoStream(await self._inner.connect_tcp(
            str(addresses[0]), port, timeout, local_address, socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(transport: Any) -> None:
    """Give an httpx transport's connection pool the pinning backend. httpx exposes no
    parameter for it, so the pool's attribute is set (tests/hostile guards this)."""
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx transport layout changed: cannot pin connections")
    pool._network_backend = PinningBackend(pool._network_backend)
