"""Shared, thread-safe state of one demo engine instance.

Handler threads and the test thread touch this concurrently, so every
mutable collection is guarded by one lock and only copies leave it.
"""

from __future__ import annotations

import contextlib
import copy
import hmac
import json
import re
import socket
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import images
from .faults import FaultBoard

IMAGE_PATH = re.compile(r"^/(img|thumb)/([a-z0-9-]{1,48})\.png$")
_STORED_RESPONSES = 32  # /serp/<id>.json keeps only the most recent answers
TOTAL_CREDITS = 1000


class EngineState:
    def __init__(self, api_key: str, latency: float) -> None:
        self.api_key = api_key
        self.latency = latency
        self.base_url = ""
        self.image_base = ""  # another origin that serves the result pictures (benchmarks)
        self.faults = FaultBoard()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._search_requests: list[dict[str, Any]] = []
        self._request_log: list[tuple[str, str]] = []
        self._served: dict[str, int] = {}  # request body -> times answered
        self._stored: OrderedDict[str, bytes] = OrderedDict()
        self._connections: set[socket.socket] = set()
        self._fates: dict[str, str] = {}  # image seed -> "gone" | "changed"
        self.echo_key = False  # result URLs carry ?api_key=KEY (a careless real service)
        self.image_latency = 0.0  # seconds before each image answer (speed tests)
        self.credits_used = 0

    def set_image_fate(self, seed: str, fate: str) -> None:
        with self._lock:
            self._fates[seed] = fate

    def restore_images(self) -> None:
        with self._lock:
            self._fates.clear()

    def image_fate(self, seed: str) -> str | None:
        with self._lock:
            return self._fates.get(seed)

    def render_image(self, url: str) -> bytes:
        """The bytes an /img/ or /thumb/ URL gets now (the handler serves exactly this)."""
        parts = urlsplit(url)
        match = IMAGE_PATH.match(parts.path)
        if match is None:
            raise ValueError(f"not an image URL of this engine: {url}")
        args = parse_qs(parts.query)
        width, height = int(args.get("w", ["640"])[0]), int(args.get("h", ["480"])[0])
        cap = images.ORIGINAL_CAP if match.group(1) == "img" else images.THUMB_CAP
        real_w, real_h = images.fit_within(width, height, cap)
        seed = match.group(2)
        if self.image_fate(seed) == "changed":
            seed += "-edited"  # other pixels, same address
        edit = args.get("edit", [""])[0]
        return images.render(seed, real_w, real_h, edit if edit in images.EDITS else "")

    def key_matches(self, authorization: str | None) -> bool:
        # Constant-time compare; the header value itself is never logged.
        if not authorization:
            return False
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(token.strip().encode("utf-8"), self.api_key.encode("utf-8"))

    def log_request(self, method: str, path: str) -> None:
        with self._lock:
            self._request_log.append((method, path))

    def log_search(self, body: dict[str, Any]) -> None:
        with self._lock:
            self._search_requests.append(copy.deepcopy(body))

    def search_requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._search_requests)

    def request_log(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._request_log)

    def clear_logs(self) -> None:
        with self._lock:
            self._search_requests.clear()
            self._request_log.clear()

    def mark_served(self, body: dict[str, Any]) -> int:
        """Record a successful answer; how many times this exact body was served before
        (0: a new search; later runs of it differ a little, as the web changes)."""
        key = json.dumps(body, sort_keys=True, ensure_ascii=False)
        with self._lock:
            runs = self._served.get(key, 0)
            self._served[key] = runs + 1
            self.credits_used += 1
            return runs

    def store(self, search_id: str, payload: bytes) -> None:
        with self._lock:
            self._stored[search_id] = payload
            while len(self._stored) > _STORED_RESPONSES:
                self._stored.popitem(last=False)

    def stored(self, search_id: str) -> bytes | None:
        with self._lock:
            return self._stored.get(search_id)

    def add_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def drop_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def close_connections(self) -> None:
        # Idle keep-alive connections would otherwise keep handler threads
        # blocked in readline() after stop().
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
