"""Fault injection for the demo engine.

A :class:`Fault` is armed with ``DemoEngine.set_fault`` (or ``POST
/_demo/fault`` with the same fields as JSON).  ``times`` limits it to the next
N matching requests; ``None`` keeps it active until ``clear_faults``.  Setting
a fault of a kind that is already armed replaces it.

Kinds and their parameters:

``latency`` (``seconds``)
    Sleep before answering every ``POST /v1/serp``.
``status`` (``status``, ``body``, ``retry_after``, ``content_type``)
    Answer every ``POST /v1/serp`` with ``status`` before auth/validation,
    like a gateway would.  ``body=None`` gives ``{"error": "<message>"}``;
    pass e.g. ``'{"message": "..."}'`` or an HTML page to vary the shape.  The
    content type is ``application/json`` when the body parses as JSON, else
    ``text/html`` unless ``content_type`` says otherwise.  ``retry_after``
    adds a ``Retry-After`` header (seconds).
``malformed_json``
    200 with a body that is not valid JSON.
``truncated``
    200 whose ``Content-Length`` is twice what is sent; the connection is
    then closed mid-body.
``slow_drip`` (``bytes_per_second``)
    A valid 200 body sent in small chunks ten times a second, so per-read
    timeouts never trip but an overall deadline does.
``huge_body`` (``size_bytes``, default 60 MB)
    A 200 JSON body of exactly ``size_bytes``, generated on the fly.
``wrong_shape``
    200 JSON with odd types: null title, numbers as strings, a missing
    position, non-object items, an item with no image URL, unknown fields and
    extra sections (``pages_with_this_image``, ``related_searches``).
``non_image_thumbnails``
    ``/img/`` and ``/thumb/`` answer 200 ``text/html`` garbage.
``broken_thumbnails``
    ``/img/`` and ``/thumb/`` answer 404.
``huge_image``
    ``/img/``, ``/thumb/`` and ``/query/`` answer a tiny PNG whose header
    claims 40000x40000 pixels (a decompression-bomb probe).

The body-shaping kinds (``malformed_json`` .. ``wrong_shape``) only replace
answers that would otherwise be a 200, so auth and validation still apply.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, fields
from typing import Any

SERP_GATE_KINDS = ("latency", "status")
SERP_BODY_KINDS = ("malformed_json", "truncated", "slow_drip", "huge_body", "wrong_shape")
IMAGE_KINDS = ("non_image_thumbnails", "broken_thumbnails", "huge_image")
KINDS = (*SERP_GATE_KINDS, *SERP_BODY_KINDS, *IMAGE_KINDS)

_DEFAULT_MESSAGES = {
    400: "Bad request",
    401: "Invalid API key",
    402: "Insufficient credits",
    403: "Access denied",
    404: "Not found",
    429: "Too many requests, please slow down",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service temporarily unavailable",
    504: "Gateway timeout",
}


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour; see the module docstring for the kinds."""

    kind: str
    times: int | None = None
    seconds: float = 2.0  # latency
    status: int = 500  # status
    body: str | None = None  # status
    retry_after: int | None = None  # status
    content_type: str | None = None  # status
    bytes_per_second: int = 64  # slow_drip
    size_bytes: int = 60 * 1024 * 1024  # huge_body

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; expected one of {', '.join(KINDS)}"
            )
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for 'until cleared')")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code")
        if self.seconds < 0 or self.bytes_per_second < 1 or self.size_bytes < 1024:
            raise ValueError("seconds must be >= 0, bytes_per_second >= 1, size_bytes >= 1024")

    @classmethod
    def from_json(cls, data: object) -> Fault:
        """Build from a decoded JSON object (the ``/_demo/fault`` endpoint)."""
        if not isinstance(data, dict):
            raise ValueError("fault must be a JSON object")
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def status_body(self) -> tuple[bytes, str]:
        """Body bytes and content type for a ``status`` fault."""
        if self.body is None:
            text = json.dumps(
                {"error": _DEFAULT_MESSAGES.get(self.status, f"Request failed ({self.status})")}
            )
        else:
            text = self.body
        if self.content_type:
            return text.encode("utf-8"), self.content_type
        try:
            json.loads(text)
            ctype = "application/json"
        except ValueError:
            ctype = "text/html; charset=utf-8"
        return text.encode("utf-8"), ctype


class FaultBoard:
    """Thread-safe set of armed faults with ``times`` bookkeeping."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[str, list[Any]] = {}  # kind -> [fault, remaining or None]

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._armed[fault.kind] = [fault, fault.times]

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return [entry[0] for entry in self._armed.values()]

    def take(self, kinds: tuple[str, ...]) -> Fault | None:
        """Consume one use of the first armed fault among ``kinds``."""
        with self._lock:
            for kind in kinds:
                entry = self._armed.get(kind)
                if entry is None:
                    continue
                if entry[1] is not None:
                    entry[1] -= 1
                    if entry[1] <= 0:
                        del self._armed[kind]
                fault: Fault = entry[0]
                return fault
        return None
