"""A tiny loopback server for the hostile tests: it answers every GET with a small
PNG and records the path and headers it was sent."""

from __future__ import annotations

import threading
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
    server: RecordingServer

    def do_GET(self) -> None:
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(200)
        for name, value in self.server.extra_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
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
