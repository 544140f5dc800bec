"""HTTP/2-over-TLS image hosts for benchmarks: they serve a demo engine's pictures.

Bing's thumbnail hosts speak HTTP/2 over TLS, so the fill is also measured against a
real HTTP/2 server on loopback with a throw-away certificate. Each host serves exactly
what the engine would (``DemoEngine.image_bytes``) after the same per-image latency,
and ``DemoEngine.set_image_base`` points the answers at it.

``NodeH2Host`` (the default) is Node.js's http2 module: HTTP/2 and TLS in C (nghttp2,
OpenSSL), as an image CDN's are. ``H2ImageHost`` is hypercorn, whose HTTP/2 and TLS
layers run in Python: serving 150 pictures costs it 0.17-0.20 s of CPU on the same
two cores as the app, so it, not the client, set the fill's pace (Qt's network stack
alone took 2.4x the limit). ``BINGREV_BENCH_H2_HOST=hypercorn`` measures against it.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any


def ensure_bench_packages() -> None:
    """hypercorn and cryptography are benchmark-only dependencies: install when missing."""
    try:
        import cryptography  # noqa: F401
        import hypercorn  # noqa: F401
    except ImportError:
        print("Installing the benchmark's HTTP/2 server (hypercorn, cryptography)…", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hypercorn>=0.16",
                        "cryptography"], check=True)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _ImageHost:
    """What both hosts share: the engine, the latency, a certificate and a free port."""

    def __init__(self, engine: Any, latency: float, folder: Path) -> None:
        self.engine = engine
        self.latency = latency
        self.cert_file, self.key_file = make_certificate(folder)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base_url = f"https://127.0.0.1:{self.port}"
        self.protocols: set[str] = set()


class H2ImageHost(_ImageHost):
    """``with H2ImageHost(engine, latency, folder) as host: host.base_url``."""

    label = "hypercorn (Python)"

    def __init__(self, engine: Any, latency: float, folder: Path) -> None:
        super().__init__(engine, latency, folder)
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.protocols.add(scope.get("http_version", "?"))
        await asyncio.sleep(self.latency)  # the same far-away host as the engine's
        url = scope["path"] + "?" + scope["query_string"].decode("latin-1")
        try:
            body, status = self.engine.image_bytes(url), 200
        except ValueError:
            body, status = b"not found", 404
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"image/png"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def _run(self) -> None:
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.certfile, config.keyfile = str(self.cert_file), str(self.key_file)
        config.alpn_protocols = ["h2", "http/1.1"]
        config.h2_max_concurrent_streams = 100
        config.loglevel = "WARNING"
        config.accesslog = None
        asyncio.set_event_loop(self._loop)
        self._stop = asyncio.Event()

        async def main() -> None:
            self._loop.call_soon(self._ready.set)
            assert self._stop is not None
            await serve(self._app, config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

        self._loop.run_until_complete(main())

    def __enter__(self) -> H2ImageHost:
        self._thread.start()
        self._ready.wait(10)
        for _ in range(200):  # until hypercorn listens
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                break
            except OSError:
                threading.Event().wait(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def node_program() -> str | None:
    from benchmarks.debian import program

    return program(("node", "nodejs"), "nodejs", "the benchmark's HTTP/2 image host")


class NodeH2Host(_ImageHost):
    """The same host in Node.js (``h2_host.js``): HTTP/2 and TLS in C (nghttp2,
    OpenSSL), as a CDN's are, so the host's own CPU is not what the fill measures.
    ``with NodeH2Host(engine, latency, folder) as host: host.base_url``."""

    label = "Node.js (nghttp2, OpenSSL)"

    def __init__(self, engine: Any, latency: float, folder: Path) -> None:
        super().__init__(engine, latency, folder)
        self._process: subprocess.Popen[str] | None = None

    def _listen(self, ready: threading.Event) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            if line.startswith("listening"):
                ready.set()
            elif line.startswith("protocol "):  # Node says "2.0", hypercorn "2"
                self.protocols.add(line.split()[1].removesuffix(".0"))

    def __enter__(self) -> NodeH2Host:
        node = node_program()
        if node is None:
            raise RuntimeError("Node.js could not be found or installed")
        self._process = subprocess.Popen(
            [node, str(Path(__file__).with_name("h2_host.js")), str(self.port),
             str(self.cert_file), str(self.key_file), self.engine.base_url,
             str(self.latency)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = threading.Event()
        threading.Thread(target=self._listen, args=(ready,), daemon=True).start()
        if not ready.wait(20):
            self._process.kill()
            raise RuntimeError("the Node.js HTTP/2 host did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
