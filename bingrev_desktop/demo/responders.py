"""Writers for successful ``/v1/serp`` answers, including the body-shaping faults.

Kept apart from the handler so the misbehaving transports (truncation,
slow drip, huge streamed body) are easy to read on their own.
"""

from __future__ import annotations

import io
import socket
import threading
from typing import Protocol

from .faults import Fault


class _EngineState(Protocol):
    @property
    def stopping(self) -> threading.Event: ...


class _EngineServer(Protocol):
    @property
    def state(self) -> _EngineState: ...


class DemoHandler(Protocol):
    """What a responder needs of the request handler (no import of handler.py)."""

    close_connection: bool

    @property
    def server(self) -> _EngineServer: ...

    @property
    def connection(self) -> socket.socket: ...

    @property
    def wfile(self) -> io.BufferedIOBase: ...

    def send(self, status: int, body: bytes, ctype: str,
             headers: dict[str, str] | None = None) -> None: ...

    def send_response(self, code: int, message: str | None = None) -> None: ...

    def send_header(self, keyword: str, value: str) -> None: ...

    def end_headers(self) -> None: ...

JSON_TYPE = "application/json; charset=utf-8"
_STREAM_CHUNK = 64 * 1024
_DRIP_INTERVAL = 0.1  # seconds between chunks: far below any sane read timeout
_MALFORMED = (
    b'{"search_metadata": {"status": "completed"}, '
    b'"related_content": [{"position": 1, "title": "Bro'
)


def send_serp_body(handler: DemoHandler, data: bytes, fault: Fault | None) -> None:
    """Send ``data`` (a valid JSON answer) as 200, or misbehave per ``fault``."""
    kind = None if fault is None or fault.kind == "wrong_shape" else fault.kind
    if kind is None:
        handler.send(200, data, JSON_TYPE)
    elif kind == "malformed_json":
        handler.send(200, _MALFORMED, JSON_TYPE)
    elif kind == "truncated":
        _send_truncated(handler, data)
    elif kind == "slow_drip":
        assert fault is not None
        _send_drip(handler, data, fault.bytes_per_second)
    elif kind == "huge_body":
        assert fault is not None
        _send_huge(handler, fault.size_bytes)


def _start(handler: DemoHandler, length: int) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", JSON_TYPE)
    handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _hang_up(handler: DemoHandler) -> None:
    # Closing the write side makes the client see EOF before Content-Length.
    handler.close_connection = True
    try:
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _send_truncated(handler: DemoHandler, data: bytes) -> None:
    _start(handler, len(data) * 2)
    handler.wfile.write(data[: max(1, len(data) // 2)])
    _hang_up(handler)


def _send_drip(handler: DemoHandler, data: bytes, bytes_per_second: int) -> None:
    stopping = handler.server.state.stopping
    chunk = max(1, round(bytes_per_second * _DRIP_INTERVAL))
    _start(handler, len(data))
    handler.wfile.flush()
    for offset in range(0, len(data), chunk):
        handler.wfile.write(data[offset : offset + chunk])
        handler.wfile.flush()
        if offset + chunk < len(data) and stopping.wait(_DRIP_INTERVAL):
            _hang_up(handler)  # engine stopping: give up instead of blocking stop()
            return


def _send_huge(handler: DemoHandler, size: int) -> None:
    # Valid JSON of exactly `size` bytes, produced on the fly (never in memory).
    prefix = b'{"search_metadata": {"status": "completed"}, "related_content": [], "padding": "'
    suffix = b'"}'
    padding = size - len(prefix) - len(suffix)
    block = b"x" * _STREAM_CHUNK
    stopping = handler.server.state.stopping
    _start(handler, size)
    handler.wfile.write(prefix)
    while padding > 0:
        if stopping.is_set():
            _hang_up(handler)
            return
        piece = block if padding >= _STREAM_CHUNK else block[:padding]
        handler.wfile.write(piece)
        padding -= len(piece)
    handler.wfile.write(suffix)
