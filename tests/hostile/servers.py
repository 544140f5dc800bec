"""A tiny loopback server for the hostile tests: it answers every GET with a small
PNG and records the path and headers it was sent."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, extra_headers: dict[str, str] | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers)
        self.extra_headers = extra_headers or {}
        super().__init__(("127.0.0.1", 0), _PngHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _PngHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: RecordingServer

    def do_GET(self) -> None:
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        if self.path.startswith("/redirect-to/"):  # /redirect-to/<absolute URL>
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect-to/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/slow"):
            time.sleep(3)
        if self.path.startswith("/page"):
            page = b"<html><body>not a picture</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        self.send_response(200)
        for name, value in self.server.extra_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
            self.wfile.write(PNG)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def png_server(extra_headers: dict[str, str] | None = None) -> Iterator[RecordingServer]:
    server = RecordingServer(extra_headers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
