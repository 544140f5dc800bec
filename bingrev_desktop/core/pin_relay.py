"""A loopback SOCKS5 relay that opens a result's connection only to an allowed address.

Thumbnails are fetched by Qt's network stack (HTTP/2 and TLS in C++, off the GUI
thread), which offers no hook between resolving a name and connecting. It does
speak SOCKS5, so it is pointed at this relay: the relay resolves the name, checks
every address with the policy, and connects to the very address it checked, so a
second DNS answer (rebinding) cannot swap it. TLS stays end to end, and the name
stays in the request (SNI, certificate, HTTP/2 ``:authority``).

Only this process may use it: the SOCKS user name picks the policy and the
password is a random token. The relay runs an asyncio loop in a thread of its
own; it relays bytes and never reads them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import secrets
import socket
import struct
import threading
from collections.abc import Awaitable, Callable

from .pinning import AddressPolicy, IPAddress

log = logging.getLogger("bingrev_desktop.pin_relay")

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

HANDSHAKE_DEADLINE = 10.0
RESOLVE_DEADLINE = 10.0
CONNECT_DEADLINE = 10.0
IDLE_DEADLINE = 120.0  # a kept-alive connection Qt does not use for this long ends
MAX_CONNECTIONS = 128
MAX_REFUSALS = 1000  # names whose refusal is remembered (to explain a failed fetch)
CHUNK = 256 * 1024

# SOCKS5 (RFC 1928) replies
SUCCEEDED, GENERAL_FAILURE, NOT_ALLOWED, HOST_UNREACHABLE, REFUSED = 0, 1, 2, 4, 5
COMMAND_NOT_SUPPORTED, ADDRESS_NOT_SUPPORTED = 7, 8


class RelayRefused(Exception):
    def __init__(self, code: int, why: str) -> None:
        super().__init__(why)
        self.code = code


async def system_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name resolves to, once each (literal IPs in any spelling
    included; IPv6 zone ids dropped). The one resolver of the fetcher and the relay."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


def _reply(code: int) -> bytes:
    return struct.pack("!BBBB4sH", 5, code, 0, 1, b"\0\0\0\0", 0)


class PinRelay:
    """``relay.start()``; then SOCKS5 on ``127.0.0.1:relay.port`` with a user name of
    ``policies`` and ``relay.token`` as the password; ``relay.close()`` on quit.

    A policy of None allows any address (only for a search service on this computer,
    the demo engine and tests, whose results point here)."""

    def __init__(self, policies: dict[str, AddressPolicy | None], *,
                 resolve: Resolver = system_resolve, token: str | None = None,
                 on_refused: Callable[[str, str | None], None] | None = None) -> None:
        """``on_refused(host, why)`` is called in the relay's thread for each refusal
        by the policy, and with ``why=None`` when a name refused before passes (the
        relay process passes both on to the app)."""
        self._policies = dict(policies)
        self._resolve = resolve
        self._on_refused = on_refused
        self.token = token or secrets.token_urlsafe(24)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.Task[None]] = set()
        self._refused: dict[str, str] = {}  # host → why, for the fetcher's message
        self._lock = threading.Lock()
        self._closed = False

    # -- life cycle (any thread) ------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is not None or self._closed:
                return  # started, or closed before a late start (a cancelled prepare)
            self._start()

    def _start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
        except OSError:
            listener.close()
            raise
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)

            async def serve() -> None:
                self._server = await asyncio.start_server(self._accept, sock=listener)
                ready.set()

            loop.run_until_complete(serve())
            loop.run_forever()
            left = asyncio.all_tasks(loop)  # connections accepted while it stopped
            for task in left:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="bingrev-pin-relay", daemon=True)
        self._thread.start()
        ready.wait(5)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return

        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._open):
                task.cancel()
            await asyncio.gather(*self._open, return_exceptions=True)
            loop.stop()

        with contextlib.suppress(RuntimeError):  # the loop already ended
            asyncio.run_coroutine_threadsafe(stop(), loop)
        thread.join(5)

    def refused(self, host: str) -> str | None:
        """Why the relay last refused ``host`` (the address policy), if it did."""
        with self._lock:
            return self._refused.get(host.strip("[]").casefold())

    # -- the relay's own thread ------------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is None or len(self._open) >= MAX_CONNECTIONS:
            writer.close()
            return
        self._open.add(task)
        try:
            await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError,
                asyncio.CancelledError):
            pass  # the client went away, spoke nonsense, or the relay is closing
        finally:
            self._open.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with asyncio.timeout(HANDSHAKE_DEADLINE):
            policy = await self._authenticate(reader, writer)
            host, port = await self._read_request(reader)
        try:
            target = await self._connect(host, port, policy)
        except RelayRefused as exc:
            writer.write(_reply(exc.code))
            await writer.drain()
            return
        up_reader, up_writer = target
        writer.write(_reply(SUCCEEDED))
        await writer.drain()
        # Qt's HTTP sockets keep Nagle's algorithm on: a request written while the one
        # before is not yet acknowledged waits for that ACK, which the kernel delays by
        # 40 ms. Acknowledging Qt's bytes at once lets a burst of requests go out as
        # one round instead of two.
        client = writer.get_extra_info("socket")
        # HTTP never half-closes: when either side ends (or a side stays silent past
        # IDLE_DEADLINE), the tunnel ends, so a host that never answers cannot hold it.
        pipes = {asyncio.ensure_future(_pipe(reader, up_writer, quick_ack=client)),
                 asyncio.ensure_future(_pipe(up_reader, writer))}
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)
            up_writer.close()

    async def _authenticate(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> AddressPolicy | None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if version != 5 or 2 not in methods:  # user name and password only
            writer.write(b"\x05\xff")
            await writer.drain()
            raise ValueError("no acceptable method")
        writer.write(b"\x05\x02")
        await writer.drain()
        _sub, user_length = await reader.readexactly(2)
        user = (await reader.readexactly(user_length)).decode("ascii", "replace")
        password = await reader.readexactly((await reader.readexactly(1))[0])
        known = user in self._policies
        if not (known and hmac.compare_digest(password, self.token.encode())):
            writer.write(b"\x01\x01")
            await writer.drain()
            raise ValueError("bad credentials")
        writer.write(b"\x01\x00")
        await writer.drain()
        return self._policies[user]

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> tuple[str, int]:
        _version, command, _reserved, kind = await reader.readexactly(4)
        if kind == 1:
            host = socket.inet_ntop(socket.AF_INET, await reader.readexactly(4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16))
        elif kind == 3:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode(
                "ascii", "replace")
        else:
            raise ValueError("unknown address type")
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:  # CONNECT only: no BIND, no UDP
            raise ValueError("command not supported")
        return host, port

    async def _connect(self, host: str, port: int, policy: AddressPolicy | None
                       ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            async with asyncio.timeout(RESOLVE_DEADLINE):
                addresses = await self._resolve(host, port)
        except (OSError, UnicodeError, ValueError, TimeoutError) as exc:
            raise RelayRefused(HOST_UNREACHABLE, f"cannot resolve: {exc!r}") from None
        if not addresses:
            raise RelayRefused(HOST_UNREACHABLE, "no address")
        if policy is not None and not all(policy(a) for a in addresses):
            with self._lock:
                if len(self._refused) > MAX_REFUSALS:
                    self._refused.clear()
                self._refused[host.casefold()] = "resolves to an address that is not allowed"
            if self._on_refused is not None:
                self._on_refused(host.casefold(), self._refused[host.casefold()])
            log.info("refused a connection to %s: not a public address", host)
            raise RelayRefused(NOT_ALLOWED, "address not allowed")
        last: BaseException | None = None
        with self._lock:  # this name passes now: an old refusal no longer explains errors
            if self._refused.pop(host.casefold(), None) is not None \
                    and self._on_refused is not None:
                self._on_refused(host.casefold(), None)
        for address in addresses:  # every one passed the policy; the first that answers
            try:
                async with asyncio.timeout(CONNECT_DEADLINE):
                    return await asyncio.open_connection(str(address), port, limit=CHUNK)
            except (OSError, TimeoutError) as exc:
                last = exc
        raise RelayRefused(REFUSED, f"cannot connect: {last!r}")


_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only


def _ack_at_once(sock: socket.socket | None) -> None:
    if sock is not None and _QUICKACK is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                quick_ack: socket.socket | None = None) -> None:
    _ack_at_once(quick_ack)
    try:
        while data := await asyncio.wait_for(source.read(CHUNK), IDLE_DEADLINE):
            _ack_at_once(quick_ack)  # the kernel leaves quick-ACK mode on its own
            sink.write(data)
            await sink.drain()
    except (OSError, TimeoutError):
        pass
