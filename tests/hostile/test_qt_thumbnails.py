"""Thumbnails over Qt's network stack keep every rule of the httpx fetcher: the pinning
relay connects only where the policy allows (checked on what the name resolves to,
not on how it is written), redirects are checked hop by hop, nothing identifying is
sent, and the cap, the deadline and cancellation hold. Every connection here goes to
a loopback listener; addresses that must be refused are refused before connecting."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bingrev_desktop.core.errors import ImageError, NotAnImageError
from bingrev_desktop.core.fetcher import is_public_address
from bingrev_desktop.core.pin_relay import PinRelay
from bingrev_desktop.core.pinning import IPAddress
from bingrev_desktop.core.relay_process import RelayProcess
from bingrev_desktop.qtnet.thumbnail_fetcher import QtImageFetcher, _OnePerTurn

from .servers import PNG, RecordingServer, png_server

LOOPBACK = ipaddress.ip_address("127.0.0.1")


@pytest.fixture
def site() -> Iterator[RecordingServer]:
    with png_server({"Set-Cookie": "track=me; Path=/; Domain=127.0.0.1"}) as server:
        yield server


async def to_loopback(host: str, port: int) -> list[IPAddress]:
    """A resolver under the test's control: every name answers with loopback, as a
    rebinding attacker's second answer would."""
    return [LOOPBACK]


def loopback_only(address: IPAddress) -> bool:
    return address.is_loopback


def test_thumbnails_carry_no_cookie_referer_or_key(qloop: asyncio.AbstractEventLoop,
                                                   site: RecordingServer) -> None:
    fetcher = QtImageFetcher(loopback_only)
    try:
        for name in ("a.png", "b.png"):  # the cookie set by the first must not come back
            assert qloop.run_until_complete(
                fetcher.fetch(f"{site.url}/{name}", allow_local=False)) == PNG
    finally:
        fetcher.close()
    assert len(site.requests) == 2
    for _path, headers in site.requests:
        assert "cookie" not in headers and "referer" not in headers
        assert "authorization" not in headers
        assert headers["user-agent"].startswith("bingrev-desktop/")
        assert headers["accept-encoding"] == "identity"


def test_a_name_that_resolves_to_a_private_address_is_refused_without_connecting(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer) -> None:
    # The name looks public as written; only the relay's resolution says otherwise.
    fetcher = QtImageFetcher(is_public_address, resolve=to_loopback)
    port = site.server_address[1]
    try:
        with pytest.raises(ImageError, match="local network address"):
            qloop.run_until_complete(fetcher.fetch(
                f"http://images.example.com:{port}/x.png", allow_local=False))
    finally:
        fetcher.close()
    assert site.requests == []


def test_the_name_stays_in_the_request_and_the_checked_address_is_used(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer) -> None:
    fetcher = QtImageFetcher(loopback_only, resolve=to_loopback)
    port = site.server_address[1]
    try:
        data = qloop.run_until_complete(fetcher.fetch(
            f"http://images.example.com:{port}/x.png", allow_local=False))
    finally:
        fetcher.close()
    assert data == PNG
    assert site.requests[0][1]["host"] == f"images.example.com:{port}"


def test_each_redirect_is_checked_again(qloop: asyncio.AbstractEventLoop,
                                        site: RecordingServer) -> None:
    fetcher = QtImageFetcher(loopback_only)
    try:
        with pytest.raises(ImageError, match="local network address"):  # 10/8: refused
            qloop.run_until_complete(fetcher.fetch(
                f"{site.url}/redirect-to/http://10.1.2.3:{site.server_address[1]}/x.png",
                allow_local=False))
        moved = qloop.run_until_complete(fetcher.fetch(
            f"{site.url}/redirect-to/{site.url}/moved.png", allow_local=False))
    finally:
        fetcher.close()
    assert moved == PNG
    assert [path for path, _ in site.requests][-1] == "/moved.png"


def test_cap_page_deadline_and_cancel(qloop: asyncio.AbstractEventLoop,
                                      site: RecordingServer) -> None:
    fetcher = QtImageFetcher(loopback_only, deadline=1.0)

    async def attempt() -> None:
        with pytest.raises(ImageError, match="larger than"):
            await fetcher.fetch(f"{site.url}/big.png", allow_local=False, max_bytes=10)
        with pytest.raises(NotAnImageError, match="web page"):
            await fetcher.fetch(f"{site.url}/page", allow_local=False)
        with pytest.raises(ImageError, match="within 1 seconds"):
            await fetcher.fetch(f"{site.url}/slow", allow_local=False)
        task = asyncio.ensure_future(fetcher.fetch(f"{site.url}/slow2", allow_local=False))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Still usable after all of that.
        assert await fetcher.fetch(f"{site.url}/after.png", allow_local=False) == PNG

    try:
        qloop.run_until_complete(attempt())
    finally:
        fetcher.close()


def test_the_relay_runs_in_a_process_of_its_own(qloop: asyncio.AbstractEventLoop,
                                               site: RecordingServer) -> None:
    """Its Python (every handshake, every chunk of every picture) took the GIL from the
    GUI thread when it ran in a thread here; in a child process it shares nothing with
    the window, and it ends when the fetcher closes."""
    fetcher = QtImageFetcher(loopback_only)
    try:
        assert qloop.run_until_complete(
            fetcher.fetch(f"{site.url}/a.png", allow_local=False)) == PNG
        process = fetcher.relay_process
        assert process is not None and process.is_alive() and process.pid != os.getpid()
        assert not [t for t in threading.enumerate() if "relay" in t.name]
    finally:
        fetcher.close()
    process.join(10)
    assert process.exitcode == 0


async def private_while_flagged(host: str, port: int) -> list[IPAddress]:
    """A resolver the test switches with a file (it runs in the relay's process): a
    private address while the flag file exists, loopback after."""
    if os.path.exists(os.environ["BINGREV_TEST_REBIND_FLAG"]):
        return [ipaddress.ip_address("10.1.2.3")]
    return [LOOPBACK]


def test_a_refusal_no_longer_explains_errors_once_the_name_passes(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    flag = tmp_path / "private"
    flag.touch()
    monkeypatch.setenv("BINGREV_TEST_REBIND_FLAG", str(flag))  # before the relay starts
    fetcher = QtImageFetcher(loopback_only, resolve=private_while_flagged)
    port = site.server_address[1]
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()[1]
    try:
        with pytest.raises(ImageError, match="local network address"):
            qloop.run_until_complete(fetcher.fetch(
                f"http://images.example.com:{port}/x.png", allow_local=False))
        flag.unlink()
        assert qloop.run_until_complete(fetcher.fetch(
            f"http://images.example.com:{port}/y.png", allow_local=False)) == PNG
        # Now a plain connection failure must not be blamed on the old refusal.
        with pytest.raises(ImageError, match="Could not connect"):
            qloop.run_until_complete(fetcher.fetch(
                f"http://images.example.com:{nobody}/z.png", allow_local=False))
    finally:
        fetcher.close()


def test_a_relay_that_died_is_started_again(qloop: asyncio.AbstractEventLoop,
                                            site: RecordingServer) -> None:
    fetcher = QtImageFetcher(loopback_only)
    try:
        assert qloop.run_until_complete(
            fetcher.fetch(f"{site.url}/a.png", allow_local=False)) == PNG
        first = fetcher.relay_process
        assert first is not None
        first.kill()
        first.join(10)
        assert qloop.run_until_complete(
            fetcher.fetch(f"{site.url}/b.png", allow_local=False)) == PNG
        second = fetcher.relay_process
        assert second is not None and second.pid != first.pid and second.is_alive()
    finally:
        fetcher.close()


def test_closing_never_waits_for_a_relay_still_starting() -> None:
    """Quitting while the relay starts (a worker thread waits for it) must not freeze
    the window: close() takes no lock the start holds while it waits."""
    relay = RelayProcess({"local": None})
    failed: list[BaseException] = []

    def start() -> None:
        try:
            relay.start()
        except OSError as exc:
            failed.append(exc)

    worker = threading.Thread(target=start)
    worker.start()
    time.sleep(0.01)
    began = time.monotonic()
    relay.close()
    assert time.monotonic() - began < 0.5
    worker.join(30)
    process = relay.process
    if process is not None:  # it had started: it ends now that its pipe is closed
        process.join(10)
        assert process.exitcode is not None
    assert failed or relay.port == 0


def test_each_finished_download_waits_for_its_turn(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    woken: list[object] = []
    wake = _OnePerTurn.wake
    monkeypatch.setattr(_OnePerTurn, "wake", lambda self, f: (woken.append(f), wake(self, f)))
    fetcher = QtImageFetcher(loopback_only)

    async def three() -> list[bytes]:
        return await asyncio.gather(*(fetcher.fetch(f"{site.url}/{n}.png", allow_local=False)
                                      for n in range(3)))

    try:
        assert qloop.run_until_complete(three()) == [PNG] * 3
    finally:
        fetcher.close()
    assert len(woken) == 3


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return any(line.startswith("State:") and "Z" in line for line in status)
    except FileNotFoundError:
        return True


def test_the_relay_ends_when_the_app_is_killed() -> None:
    """No orphan keeps listening: the child ends when the app's end of its pipe closes,
    which the kernel does when the app dies."""
    app = subprocess.Popen(
        [sys.executable, "-c",
         "import time\n"
         "from bingrev_desktop.core.relay_process import RelayProcess\n"
         "relay = RelayProcess({'local': None})\n"
         "relay.start()\n"
         "print(relay.process.pid, flush=True)\n"
         "time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        relay_pid = int(app.stdout.readline())
        assert not _ended(relay_pid)
        app.kill()
        app.wait(10)
        deadline = time.monotonic() + 10
        while not _ended(relay_pid):
            assert time.monotonic() < deadline, "the relay outlived the app"
            time.sleep(0.05)
    finally:
        app.kill()
        app.wait(10)


def test_the_relay_serves_only_this_process() -> None:
    """Without the token, the loopback relay is no open proxy for other programs."""
    relay = PinRelay({"results": None})
    relay.start()
    try:
        with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as client:
            client.sendall(b"\x05\x01\x00")  # "no authentication"
            assert client.recv(2) == b"\x05\xff"
        with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as client:
            client.sendall(b"\x05\x01\x02")
            assert client.recv(2) == b"\x05\x02"
            client.sendall(b"\x01\x07results\x05guess")
            assert client.recv(2) == b"\x01\x01"
        with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as client:
            token = relay.token.encode()
            client.sendall(b"\x05\x01\x02" + b"\x01\x07results" + bytes([len(token)]) + token)
            assert client.recv(2) == b"\x05\x02" and client.recv(2) == b"\x01\x00"
            client.sendall(b"\x05\x02\x00\x01" + socket.inet_aton("127.0.0.1")
                           + struct.pack("!H", 9))  # BIND: not offered
            assert client.recv(10) == b""
    finally:
        relay.close()


def test_thumbnails_load_again_after_the_controller_stopped(
        qloop: asyncio.AbstractEventLoop) -> None:
    """Entering or leaving the demo stops the controller's work in flight; the
    thumbnail path must come back for the next search, not stay closed."""
    from bingrev_desktop.core.service import SearchService
    from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine
    from bingrev_desktop.ui.search.controller import SearchController

    async def attempt(engine: DemoEngine) -> tuple[bytes, bytes]:
        service = SearchService(engine.base_url, DEMO_API_KEY)
        controller = SearchController(service)
        url = engine.query_image_url("city")
        try:
            await controller.prepare_thumbnails()
            first = await controller.fetch_thumbnail(url)
            await controller.shutdown()
            return first, await controller.fetch_thumbnail(url)
        finally:
            await controller.shutdown()
            await service.aclose()

    with DemoEngine() as engine:
        first, again = qloop.run_until_complete(attempt(engine))
    assert first == again and first.startswith(b"\x89PNG")


def test_http2_thumbnails_through_the_relay_widen_the_grid(
        qloop: asyncio.AbstractEventLoop, window: object, monkeypatch: pytest.MonkeyPatch,
        tmp_path: object) -> None:
    """A real HTTP/2-over-TLS host (hypercorn, a throw-away certificate trusted through
    SSL_CERT_FILE, as a company's CA would be): the pictures come through the relay
    multiplexed, the fetcher says so, and the window's grid then loads many at once."""
    from pathlib import Path

    from benchmarks.h2_host import H2ImageHost
    from bingrev_desktop.core.request import SearchRequest
    from bingrev_desktop.core.service import SearchService
    from bingrev_desktop.core.sizes import IMAGE_CONCURRENCY, THUMBNAIL_LOADS
    from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine

    with DemoEngine() as engine, H2ImageHost(engine, 0.0, Path(str(tmp_path))) as host:
        monkeypatch.setenv("SSL_CERT_FILE", str(host.cert_file))
        engine.set_image_base(host.base_url)

        async def attempt() -> tuple[list[bytes], int]:
            async with SearchService(engine.base_url, DEMO_API_KEY) as service:
                outcome = await service.client.search(
                    SearchRequest.create(engine.query_image_url("city"), count=30))
            urls = [r.thumbnail_url for r in outcome.response.results if r.thumbnail_url]
            fetcher = QtImageFetcher(loopback_only)
            told: list[bool] = []
            fetcher.multiplexed.connect(lambda: told.append(True))
            try:
                pictures = await asyncio.gather(
                    *(fetcher.fetch(u, allow_local=False) for u in urls[:20]))
            finally:
                fetcher.close()
            return list(pictures), len(told)

        pictures, told = qloop.run_until_complete(attempt())
    assert all(p.startswith(b"\x89PNG") for p in pictures) and len(pictures) == 20
    assert told == 1  # once, however many pictures
    assert host.protocols == {"2"}

    loader = window.loader  # type: ignore[attr-defined]
    assert loader.concurrency == IMAGE_CONCURRENCY
    window.controller.thumbnailsMultiplexed.emit()  # type: ignore[attr-defined]
    assert loader.concurrency == THUMBNAIL_LOADS


def _socks_connect(relay: PinRelay, port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
    token = relay.token.encode()
    client.sendall(b"\x05\x01\x02" + b"\x01\x07results" + bytes([len(token)]) + token)
    assert client.recv(2) == b"\x05\x02" and client.recv(2) == b"\x01\x00"
    client.sendall(b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", port))
    assert client.recv(10)[:2] == b"\x05\x00"
    return client


def test_a_host_that_never_answers_does_not_hold_the_relay() -> None:
    """Qt gives up on such a host and closes its side: the whole tunnel must end, or
    128 silent hosts would use up the relay for every thumbnail after them."""
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        relay = PinRelay({"results": None})
        relay.start()
        try:
            for _ in range(3):
                _socks_connect(relay, silent.getsockname()[1]).close()
            deadline = time.monotonic() + 5
            while relay._open and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not relay._open
        finally:
            relay.close()


def test_a_relay_closed_before_it_started_never_starts() -> None:
    relay = PinRelay({"results": None})
    relay.close()
    relay.start()  # a cancelled preparation's worker, arriving late
    assert relay.port == 0


@pytest.mark.parametrize("has_poll", [True, False])  # select.poll is not on Windows
def test_the_relay_is_heard_without_blocking(has_poll: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from bingrev_desktop.core import relay_process

    if not has_poll:
        monkeypatch.delattr(relay_process.select, "poll")
    ours, child = multiprocessing.Pipe(duplex=False)
    readable = relay_process._readable(ours)
    assert not readable()
    child.send(("refused", "h", "why"))
    assert readable()
    assert ours.recv() == ("refused", "h", "why")
    assert not readable()
